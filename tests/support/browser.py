"""Drive Debian's chromium through Playwright against a real `workshop serve` process.

The browser tests (tests/test_browser_*.py) and scripts/screenshots.py share this helper:
launching chromium with the missing-browser policy, phone and facilitator browser contexts,
decoding the join QR from a screenshot, and small waits over the pages' data-testid hooks.
The server itself comes from tests/support/server.py.
"""
from __future__ import annotations

import io
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.server import RealServer, free_port

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
PHONE_AGENTS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36",
)
PHONE_VIEWPORT = {"width": 390, "height": 844}
PROJECTOR_VIEWPORT = {"width": 1920, "height": 1080}
CONSOLE_VIEWPORT = {"width": 1440, "height": 900}
WAIT_MS = 10_000  # a shared two-core machine can be slow; every wait is still bounded


def _expect_patiently() -> None:
    try:
        from playwright.sync_api import expect
    except ImportError:  # the policy tests below still run; the browser tests need playwright
        return
    expect.set_options(timeout=WAIT_MS)


_expect_patiently()


def missing_browser_reason(path: Path = CHROMIUM) -> str | None:
    """Return why chromium cannot be used, or None when it can."""
    if Path(path).is_file() and os.access(path, os.X_OK):
        return None
    return f"chromium not found at {path}: apt-get install chromium"


def require_chromium(path: Path = CHROMIUM, env: dict | None = None) -> None:
    """Skip the calling test when chromium is missing; fail it instead under CI=true."""
    reason = missing_browser_reason(path)
    if reason is None:
        return
    if (os.environ if env is None else env).get("CI", "").strip().lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@contextmanager
def chromium(path: Path = CHROMIUM):
    """Yield a headless chromium browser (after require_chromium), closed on exit."""
    require_chromium(path)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(path), headless=True, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def start_server(workdir: Path, deck: Path | str | None = None) -> RealServer:
    """Start `workshop serve` on 127.0.0.1 with --public-url on its own address, so that the
    join URL the QR code encodes is reachable from this machine's browser."""
    port = free_port()
    kw = {"deck": deck} if deck else {}
    server = RealServer(workdir, port=port, public_url=f"http://127.0.0.1:{port}", **kw)
    return server.start()


class PageErrors:
    """Collect uncaught JavaScript errors from every page it watches."""

    def __init__(self):
        self.errors: list[str] = []

    def watch(self, page, name: str):
        page.on("pageerror", lambda exc: self.errors.append(f"{name}: {exc}"))
        return page


def phone_context(browser, n: int = 0, lang: str | None = None, base: str | None = None, **kw):
    """Return a new browser context that looks like phone number n (iPhone or Android)."""
    options = dict(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=2,
                   user_agent=PHONE_AGENTS[n % len(PHONE_AGENTS)])
    options.update(kw)
    ctx = browser.new_context(**options)
    ctx.set_default_timeout(WAIT_MS)
    if lang and base:
        ctx.add_cookies([{"name": "lang", "value": lang, "url": base}])
    return ctx


def block_foreign(context, origin: str) -> list[str]:
    """Abort every request of the context that leaves origin; return the list that records them."""
    foreign: list[str] = []

    def handle(route):
        url = route.request.url
        if url.startswith(origin + "/") or url.split(":", 1)[0] in ("data", "blob"):
            route.continue_()
        else:
            foreign.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", handle)
    return foreign


def facilitator_context(browser, **kw):
    """Return a new laptop-sized browser context for the projector and the console."""
    options = dict(viewport=PROJECTOR_VIEWPORT)
    options.update(kw)
    ctx = browser.new_context(**options)
    ctx.set_default_timeout(WAIT_MS)
    return ctx


def facilitator_pages(browser, server):
    """Return (context, projector, console): a facilitator's laptop with both pages open and
    connected, the console at its usual size."""
    laptop = facilitator_context(browser)
    projector = laptop.new_page()
    projector.goto(server.urls["projector"])
    console = laptop.new_page()
    console.set_viewport_size(CONSOLE_VIEWPORT)
    console.goto(server.urls["console"])
    for page in (projector, console):
        wait_connected(page)
    return laptop, projector, console


def wait_connected(page, timeout: int = WAIT_MS) -> None:
    page.wait_for_selector('[data-testid="connection"][data-state="connected"]', timeout=timeout)


# The pages' Content-Security-Policy forbids eval, so every predicate given to
# wait_for_function is a function ("() => ..."), never a bare expression.

def wait_slide(page, index: int, timeout: int = WAIT_MS) -> None:
    """Wait until a projector (body[data-slide]) shows slide `index`."""
    page.wait_for_function("i => document.body.dataset.slide === String(i)", arg=index, timeout=timeout)


def decode_qr(png: bytes) -> str:
    """Return the text of the one QR code in a PNG screenshot."""
    import zxingcpp
    from PIL import Image
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    texts = [b.text for b in found if b.valid]
    assert len(texts) == 1, f"expected one QR code in the screenshot, found {texts}"
    return texts[0]


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05, message: str = "condition"):
    """Poll predicate() until it returns something truthy; return that, or fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} not met in {timeout} s (last value {value!r})")
        time.sleep(interval)


class Phone:
    """One participant's phone page, driven through its data-testid hooks."""

    def __init__(self, page, context):
        self.page = page
        self.context = context

    def tid(self, testid: str):
        return self.page.get_by_test_id(testid)

    @property
    def status(self) -> str:
        return self.tid("answer-status").get_attribute("data-state")

    def wait_status(self, state: str, timeout: int = WAIT_MS) -> None:
        self.page.wait_for_selector(f'[data-testid="answer-status"][data-state="{state}"]', timeout=timeout)

    def wait_poll(self, question: str) -> None:
        """Wait until the phone shows the poll with this question, open for answers."""
        self.page.wait_for_function(
            "q => { const p = document.querySelector('[data-testid=poll]');"
            " return p && !p.hidden && document.getElementById('poll-question').textContent === q; }",
            arg=question, timeout=WAIT_MS)
        self.page.wait_for_selector('[data-testid="phone-voting-state"].pill--open', timeout=WAIT_MS)

    def submit(self) -> None:
        self.tid("submit").tap()
        self.wait_status("received")

    def choose(self, index: int) -> None:
        self.tid(f"choice-option-{index}").check()
        self.submit()

    def scale(self, value: int) -> None:
        self.tid(f"scale-option-{value}").check()
        self.submit()

    def rank(self, order: list[int]) -> None:
        for item in order:
            self.tid(f"ranking-item-{item}").tap()
        self.submit()

    def write(self, text: str) -> None:
        self.tid("open-input").fill(text)
        self.submit()

    def who(self) -> str:
        """Return the 'You are ...' line (pseudonym or nickname)."""
        self.page.wait_for_function("() => /\\S/.test(document.getElementById('me-label').textContent)")
        return self.page.locator("#me-label").inner_text()


def has_cjk(text: str) -> bool:
    return re.search(r"[\u3400-\u9fff]", text or "") is not None


@pytest.fixture(scope="module")
def browser():
    """One chromium per test module (import this fixture into the module)."""
    with chromium() as b:
        yield b
