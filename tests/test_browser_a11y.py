"""Accessibility of the phone, projector and console pages, in English and Chinese.

axe-core (bundled with axe-playwright-python, injected into the page: nothing is fetched)
over every screen a participant or facilitator sees; the phone by keyboard alone;
accessible names; projector type sizes; reduced motion; meaning never by colour alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.support.browser import browser  # noqa: F401 - the module's chromium, a fixture
from tests.support.browser import (
    CONSOLE_VIEWPORT, PageErrors, Phone, block_foreign, facilitator_context, phone_context,
    start_server, wait_connected, wait_slide)
from tests.support import DECK, ROOT, new_token
from workshop import languages as i18n
from workshop.deck_file import load_deck

pytestmark = pytest.mark.browser

DECKS = {"en": DECK, "zh": ROOT / "decks" / "leaders-role.zh.yaml"}
LOCALES = {"en": "en-US", "zh": "zh-CN"}  # the pages follow the browser's Accept-Language
SEVERE = ("serious", "critical")
# one poll of each kind on the phone, then the quiz and a scenario (hidden until revealed)
POLLS = ["warmup-role", "tension-instinct-process", "homework-first-step", "homework-followers-why",
         "quiz-fire-principle", "scenario-wang"]
CONTROLS = "input, select, textarea, button, summary, a[href]"


@dataclass
class Stage:
    lang: str
    server: object
    deck: object
    projector: object
    console: object
    phone: Phone
    fac: object  # a Python facilitator client: moves the room without clicking
    errors: PageErrors

    def goto(self, index: int) -> None:
        """Move the room to a slide, its poll open again if the room had moved past it."""
        ack = self.fac.call("control", {"action": "goto", "slide": index})
        assert ack["ok"], ack
        reopened = self.fac.call("control", {"action": "open"})
        assert reopened["ok"] or reopened["error"] == "no_poll", reopened
        wait_slide(self.projector, index)
        expect(self.console.get_by_test_id(f"goto-{index}")).to_have_attribute("aria-current", "step")

    def control(self, **payload) -> dict:
        ack = self.fac.call("control", payload)
        assert ack["ok"], ack
        return ack["state"]

    def room_answers(self, poll_id: str, values: list) -> None:
        """Have a few Python phones answer, so that charts have something to draw."""
        for value in values:
            peer = self.server.phone(new_token())
            try:
                reply = peer.call("answer", {"poll": poll_id, "value": value, "uid": new_token()})
                assert reply["ok"], reply
            finally:
                peer.close()


@pytest.fixture(scope="module")
def en_server(browser, tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("a11y-en"), DECKS["en"])
    yield s
    s.kill()
    assert s.errors() == []


@pytest.fixture(scope="module")
def zh_server(browser, tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("a11y-zh"), DECKS["zh"])
    yield s
    s.kill()
    assert s.errors() == []


@pytest.fixture(scope="module", params=["en", "zh"])
def stage(request, browser):
    lang = request.param
    server = request.getfixturevalue(f"{lang}_server")
    errors = PageErrors()
    laptop = facilitator_context(browser, locale=LOCALES[lang])
    projector = errors.watch(laptop.new_page(), "projector")
    projector.goto(server.urls["projector"])
    console = errors.watch(laptop.new_page(), "console")
    console.set_viewport_size(CONSOLE_VIEWPORT)
    console.goto(server.urls["console"])
    ctx = phone_context(browser, locale=LOCALES[lang])
    foreign = [block_foreign(laptop, server.base), block_foreign(ctx, server.base)]  # filled as pages load
    phone = Phone(errors.watch(ctx.new_page(), "phone"), ctx)
    phone.page.goto(server.urls["join"])
    for page in (projector, console, phone.page):
        wait_connected(page)
        assert page.evaluate("document.documentElement.lang") == lang
    fac = server.facilitator()
    yield Stage(lang, server, load_deck(DECKS[lang]), projector, console, phone, fac, errors)
    fac.close()
    ctx.close()
    laptop.close()
    assert errors.errors == [], "a page threw an uncaught exception"
    assert foreign == [[], []], "a page or axe-core asked for something outside the server"


# ----- axe ---------------------------------------------------------------------------------

def settle(page) -> None:
    """Wait for entrances and transitions to end: axe measures colours as they are drawn."""
    page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running'"
                           " || !isFinite(a.effect.getComputedTiming().endTime))")


def severe_violations(page, name: str) -> list[str]:
    """Run axe on the page and describe each serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe
    settle(page)
    result = Axe().run(page, options={"resultTypes": ["violations"]})
    found = []
    for v in result.response["violations"]:
        if v["impact"] in SEVERE:
            nodes = "; ".join(f"{n['target']}: {n.get('failureSummary', '')}".replace("\n", " ")
                              for n in v["nodes"][:5])
            found.append(f"{name}: {v['impact']} {v['id']} ({v['help']}) at {nodes}")
    return found


def answer_on_phone(stage: Stage, poll) -> None:
    phone = stage.phone
    phone.wait_poll(poll.question)
    if poll.type == "choice":
        phone.choose(0)
    elif poll.type == "scale":
        phone.scale(poll.scale_min)
    elif poll.type == "ranking":
        phone.rank(list(range(len(poll.items))))
    else:
        phone.write("倾听和信任" if stage.lang == "zh" else "Listening and trust")


def filler(poll) -> list:
    if poll.type == "choice":
        return [0, 1, 1]
    if poll.type == "scale":
        return [poll.scale_min, poll.scale_max, poll.scale_max]
    if poll.type == "ranking":
        return [[1, 0, 2], [0, 1, 2]]
    return ["Trust the team", "Clear goals", "信任团队"]


def test_axe_finds_no_serious_violations(stage):
    found = []
    audit = lambda page, name: found.extend(severe_violations(page, f"{stage.lang} {name}"))  # noqa: E731
    stage.goto(0)
    stage.phone.page.wait_for_selector('[data-testid="waiting"]:not([hidden])')
    audit(stage.phone.page, "phone waiting")
    audit(stage.projector, "projector title")
    audit(stage.console, "console title")
    # the default decks are anonymous: no name is asked (tests/test_browser_phone.py audits
    # a named session's name form)
    stage.console.get_by_test_id("room-check").locator("summary").click()
    expect(stage.console.get_by_test_id("rc-url")).to_be_visible()
    audit(stage.console, "console room check")
    stage.console.get_by_test_id("room-check").locator("summary").click()

    for poll_id in POLLS:
        poll = stage.deck.polls[poll_id]
        stage.goto(stage.deck.poll_slide_index(poll_id))
        stage.phone.wait_poll(poll.question)
        audit(stage.phone.page, f"phone {poll_id} open")
        stage.room_answers(poll_id, filler(poll))
        answer_on_phone(stage, poll)
        if stage.projector.locator(".slide.is-current").get_attribute("data-revealed") == "false":
            audit(stage.projector, f"projector {poll_id} hidden")
            stage.control(action="reveal")
        expect(stage.phone.tid("phone-results")).to_be_visible()
        audit(stage.phone.page, f"phone {poll_id} results")
        audit(stage.projector, f"projector {poll_id} results")
        audit(stage.console, f"console {poll_id}")

    stage.control(action="qr", show=True)
    expect(stage.projector.get_by_test_id("qr-overlay")).to_be_visible()
    audit(stage.projector, "projector QR overlay")
    stage.control(action="qr", show=False)
    stage.console.get_by_test_id("con-reset").click()
    expect(stage.console.get_by_test_id("reset-dialog")).to_be_visible()
    audit(stage.console, "console reset dialog")
    stage.console.get_by_test_id("reset-cancel").click()

    page = stage.phone.context.new_page()
    for path, name in (("/", "index"), ("/join?code=ZZZZZZ", "index unknown code"), ("/nothing", "404 page"),
                       ("/check", "room check"), ("/help/room-setup", "room setup guide")):
        page.goto(stage.server.url(path))
        if path == "/check":
            expect(page.get_by_test_id("check")).to_have_attribute("data-state", "ok")
        audit(page, name)
    page.close()
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)


# ----- names, keyboard, sizes, motion, colour ---------------------------------------------------

def unnamed_controls(page) -> list[str]:
    """Return a description of every visible form control whose accessible name is empty."""
    missing = []
    for control in page.locator(CONTROLS).filter(visible=True).all():
        try:
            expect(control).to_have_accessible_name(re.compile(r"\S"), timeout=200)
        except AssertionError:
            missing.append(control.evaluate("n => n.outerHTML.slice(0, 160)"))
    return missing


def test_every_form_control_has_an_accessible_name(stage):
    missing = []
    stage.goto(0)
    missing += unnamed_controls(stage.phone.page)
    for poll_id in ("warmup-role", "tension-dream-reality", "homework-first-step", "homework-process"):
        stage.goto(stage.deck.poll_slide_index(poll_id))
        stage.phone.wait_poll(stage.deck.polls[poll_id].question)
        if poll_id == "homework-first-step":
            stage.phone.tid("ranking-item-1").click()  # ranked and unranked rows, with arrows
        missing += unnamed_controls(stage.phone.page)
    stage.console.get_by_test_id("downloads").click()
    missing += unnamed_controls(stage.console)
    stage.console.get_by_test_id("downloads").click()
    missing += unnamed_controls(stage.projector)
    page = stage.phone.context.new_page()
    page.goto(stage.server.url("/"))
    missing += unnamed_controls(page)
    page.close()
    assert not missing, "controls without an accessible name:\n" + "\n".join(missing)


def tab_to(page, predicate_js: str, limit: int = 40) -> str:
    """Press Tab until the focused element satisfies predicate_js; return its data-testid."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(n => !!n && ({predicate_js}))(document.activeElement)"):
            return page.evaluate("document.activeElement.dataset.testid || ''")
    raise AssertionError(f"Tab never reached an element where {predicate_js}")


def test_phone_works_by_keyboard_alone(browser, en_server):
    deck = load_deck(DECKS["en"])
    fac = en_server.facilitator()
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = ctx.new_page()
        page.goto(en_server.urls["join"])
        wait_connected(page)
        fac.call("control", {"action": "goto", "slide": deck.poll_slide_index("warmup-role")})
        fac.call("control", {"action": "open"})  # the other tests on this server moved past it
        phone = Phone(page, ctx)
        phone.wait_poll(deck.polls["warmup-role"].question)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.classList.contains('skip-link')")
        page.keyboard.press("Enter")  # skip to the main content
        assert tab_to(page, "(n.dataset.testid || '').startsWith('choice-option-')") == "choice-option-0"
        page.keyboard.press("Space")
        expect(phone.tid("choice-option-0")).to_be_checked()
        page.keyboard.press("ArrowDown")
        expect(phone.tid("choice-option-1")).to_be_checked()
        assert tab_to(page, "n.dataset.testid === 'submit'") == "submit"
        page.keyboard.press("Enter")
        phone.wait_status("received")
        expect(phone.tid("choice-option-1")).to_be_checked()

        fac.call("control", {"action": "goto", "slide": deck.poll_slide_index("tension-dream-reality")})
        fac.call("control", {"action": "open"})
        phone.wait_poll(deck.polls["tension-dream-reality"].question)
        assert tab_to(page, "(n.dataset.testid || '').startsWith('scale-option-')") == "scale-option-0"
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        expect(phone.tid("scale-option-3")).to_be_checked()
        assert tab_to(page, "n.dataset.testid === 'submit'") == "submit"
        page.keyboard.press("Space")
        phone.wait_status("received")
        tallies = fac.call("sync", {})["tallies"]
        assert tallies["tension-dream-reality"]["counts"][3] >= 1
        assert tallies["warmup-role"]["counts"][1] >= 1
    finally:
        fac.close()
        ctx.close()


def test_projector_text_is_large_at_1920x1080(stage):
    sizes = []
    assert stage.projector.viewport_size == {"width": 1920, "height": 1080}
    for index, slide in enumerate(stage.deck.slides):
        if slide.kind not in ("bullets", "text", "section", "title"):
            continue
        stage.goto(index)
        stage.projector.wait_for_timeout(50)  # fitSlide runs in the same task; one frame is plenty
        got = stage.projector.evaluate("""() => {
            const slide = document.querySelector('.slide.is-current');
            const scale = document.getElementById('stage').getBoundingClientRect().width / 1920;
            const px = (sel) => Array.from(slide.querySelectorAll(sel)).map(
                (n) => parseFloat(getComputedStyle(n).fontSize));
            return {scale, title: px('.slide__title'), body: px('.slide__bullets li, .slide__text p')};
        }""")
        assert got["scale"] == pytest.approx(1.0), "the stage is not drawn at full size at 1920x1080"
        sizes.append((index, slide.kind, got["title"], got["body"]))
    small = [(i, kind, "title", px) for i, kind, titles, _ in sizes for px in titles if px < 56]
    small += [(i, kind, "body", px) for i, kind, _, body in sizes for px in body if px < 40]
    assert sizes and not small, f"projector text below 56px (titles) / 40px (body): {small}"


ANIMATIONS_JS = """() => {
    const running = document.getAnimations().filter((a) => a.playState === 'running')
        .map((a) => `${a.constructor.name} ${a.animationName || a.transitionProperty || ''} on `
                    + `${a.effect && a.effect.target ? a.effect.target.className : '?'}`);
    const seconds = (list) => Math.max(0, ...list.split(',').map(
        (s) => parseFloat(s) * (s.trim().endsWith('ms') ? 0.001 : 1)));
    const slow = [];
    for (const n of document.querySelectorAll('*')) {
        for (const pseudo of [null, '::before', '::after']) {
            const cs = getComputedStyle(n, pseudo);
            const longest = Math.max(cs.animationName === 'none' ? 0 : seconds(cs.animationDuration),
                                     seconds(cs.transitionDuration));
            if (longest > 0.01) {
                slow.push(`${n.tagName.toLowerCase()}.${n.className}${pseudo || ''} ${longest}s`);
            }
        }
    }
    return {running, slow: slow.slice(0, 20)};
}"""


def test_reduced_motion_stops_every_animation(browser, en_server):
    deck = load_deck(DECKS["en"])
    fac = en_server.facilitator()
    normal = phone_context(browser)
    calm_phone = phone_context(browser, reduced_motion="reduce")
    calm_laptop = facilitator_context(browser, reduced_motion="reduce")
    try:
        fac.call("control", {"action": "goto", "slide": 0})
        control = normal.new_page()
        control.goto(en_server.urls["join"])
        wait_connected(control)
        assert control.evaluate(ANIMATIONS_JS)["running"], "without the preference the waiting screen moves"

        phone = calm_phone.new_page()
        phone.goto(en_server.urls["join"])
        projector = calm_laptop.new_page()
        projector.goto(en_server.urls["projector"])
        console = calm_laptop.new_page()
        console.goto(en_server.urls["console"])
        for page in (phone, projector, console):
            wait_connected(page)
        phone.wait_for_selector('[data-testid="waiting"]:not([hidden])')
        still = {"phone waiting": phone.evaluate(ANIMATIONS_JS)}

        index = deck.poll_slide_index("homework-followers")  # a slide change and live bars: updates
        fac.call("control", {"action": "goto", "slide": index})
        Phone(phone, calm_phone).choose(1)
        peer = en_server.phone(new_token())
        peer.call("answer", {"poll": "homework-followers", "value": 0, "uid": new_token()})
        peer.close()
        projector.wait_for_function(
            "() => Number(document.querySelector('.slide.is-current [data-testid=answered-count]')"
            ".dataset.answered) >= 2")
        for name, page in (("phone results", phone), ("projector", projector), ("console", console)):
            page.wait_for_timeout(30)
            still[name] = page.evaluate(ANIMATIONS_JS)
        moving = {name: got for name, got in still.items() if got["running"] or got["slow"]}
        assert not moving, f"animations despite prefers-reduced-motion: {moving}"
    finally:
        fac.close()
        for ctx in (normal, calm_phone, calm_laptop):
            ctx.close()


def test_correct_answer_is_marked_with_text_not_only_colour(stage):
    poll_id = "quiz-fire-principle"
    correct = stage.deck.polls[poll_id].correct
    label = i18n.strings(stage.lang)["chart.correct"]
    stage.goto(stage.deck.poll_slide_index(poll_id))
    stage.phone.wait_poll(stage.deck.polls[poll_id].question)
    stage.room_answers(poll_id, [0, 2])
    if stage.phone.status != "received":
        stage.phone.choose(1)
    stage.control(action="reveal", poll=poll_id)
    for where, page, scope in (
            ("projector", stage.projector, stage.projector.get_by_test_id(f"results-{poll_id}")),
            ("phone", stage.phone.page, stage.phone.tid("phone-results"))):
        expect(scope).to_be_visible()
        for row in scope.locator("li[data-index]").all():
            marker = row.locator(".bar__correct")
            if int(row.get_attribute("data-index")) in correct:
                expect(marker).to_be_visible()
                expect(marker).to_have_text(f"✓ {label}")
            else:
                expect(marker).to_be_hidden()
        # the screen reader hears it too: the marker is part of the row's text
        texts = [r.inner_text() for r in scope.locator("li[data-index]").all()]
        assert sum(label in t for t in texts) == len(correct), (where, texts)
    named = stage.console.get_by_test_id("console-poll").locator(".con-poll__correct")
    expect(named).to_be_visible()  # the console names the correct answer in words
    expect(named).to_contain_text(stage.deck.polls[poll_id].options[correct[0]])
