"""Take the README's screenshots from a live room: projector, console and phone, English and Chinese.

Starts `workshop serve` on a fresh temporary database, fills the room with simulated phones
(python-socketio clients answering through the socket, as real phones do), drives Debian's
chromium through Playwright and writes small PNGs at real sizes into docs/screenshots/.

    .venv/bin/python -m scripts.screenshots [--out docs/screenshots] [--phones 30]   # or `make screenshots`
"""
from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

if not __package__:  # started as a file, where `tests` cannot be imported
    raise SystemExit("run it from the repository root as a module: python -m scripts.screenshots")

from tests.support import DECK, ROOT, Peer, RealServer, new_token  # noqa: E402
from tests.support.browser import (CONSOLE_VIEWPORT, Phone, chromium, facilitator_context,  # noqa: E402
                                   missing_browser_reason, phone_context, wait_connected, wait_slide)
from workshop.deck_file import load_deck  # noqa: E402

ZH_DECK = ROOT / "decks" / "leaders-role.zh.yaml"
OUT = ROOT / "docs" / "screenshots"
MAX_BYTES = 400_000
# file name -> (width, height) in pixels, as the README documents them
SHOTS = {
    "projector-title.png": (1920, 1080),
    "projector.png": (1920, 1080),
    "console.png": (1440, 900),
    "phone.png": (780, 1688),
    "phone-results.png": (780, 1688),
    "projector-zh.png": (1920, 1080),
    "phone-zh.png": (780, 1688),
    "projector-picture.png": (1920, 1080),
    "projector-spotlight.png": (1920, 1080),
    "console-queue.png": (1440, 900),
    "phone-check.png": (780, 1688),
    "phone-small.png": (720, 1280),
}
SMALL_PHONE = {"width": 360, "height": 640}
OPEN_EN = ["Followers choose to follow; subordinates are told to", "Trust", "Followers trust the leader",
           "A follower shares the goal", "Subordinates wait for orders", "Followers grow with the team",
           "Trust and a common goal", "Followers give their best without being asked"]
OPEN_ZH = ["以身作则，倾听团队", "建立信任", "成为团队的教练", "信任和目标", "以身作则", "真诚，公平",
           "倾听和信任", "成就他人", "用人成事，以事育人"]
# the address the slides show: a laptop on a room's WiFi, as in the README (the browser
# itself talks to 127.0.0.1; the QR code on the slides is only drawn, never scanned)
SHOWN_URL = "http://192.168.1.20:5000"


def optimised(png: bytes) -> bytes:
    """Return the screenshot as a 256-colour PNG: a fraction of the size, the same to the eye."""
    from PIL import Image
    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def settle(page) -> None:
    """Wait for web fonts, images and every finite animation or transition to end."""
    page.evaluate("() => document.fonts.ready.then(() => true)")
    # a lazy picture on a slide not shown never loads: wait only for the ones in view
    page.wait_for_function("() => Array.from(document.images).every((i) => i.complete || !i.checkVisibility())")
    page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running'"
                           " || !isFinite(a.effect.getComputedTiming().endTime))")


def wait_answered(projector, n: int) -> None:
    projector.wait_for_function(
        "n => document.querySelector('.slide.is-current [data-testid=answered-count]').dataset.answered == n",
        arg=n)


def shoot(page, out: Path, name: str) -> None:
    settle(page)
    data = optimised(page.screenshot())
    (out / name).write_bytes(data)
    print(f"{name}: {len(data) // 1024} KB")


def start(workdir: Path, deck: Path) -> RealServer:
    return RealServer(workdir, deck=deck, public_url=SHOWN_URL).start()


def local(server: RealServer, url: str) -> str:
    """Return a printed URL (on SHOWN_URL) on the address this machine can reach."""
    parts = urlsplit(url)
    return server.url(parts.path + (f"?{parts.query}" if parts.query else ""))


class Room:
    """A session with simulated phones answering through the socket."""

    def __init__(self, server, deck, phones: int, seed: int):
        self.server = server
        self.deck = deck
        self.rng = random.Random(seed)
        self.fac = server.facilitator()
        self.phones = [Peer.connect(server, server.phone_auth(new_token())) for _ in range(phones)]

    def goto(self, poll_id: str | None = None, slide: int | None = None) -> int:
        index = self.deck.poll_slide_index(poll_id) if poll_id else slide
        ack = self.fac.call("control", {"action": "goto", "slide": index})
        assert ack["ok"], ack
        return index

    def control(self, **payload) -> None:
        ack = self.fac.call("control", payload)
        assert ack["ok"], ack

    def answer(self, poll_id: str, values: list) -> None:
        for peer, value in zip(self.phones, values):
            reply = peer.call("answer", {"poll": poll_id, "value": value, "uid": new_token()})
            assert reply["ok"], reply

    def weighted(self, weights: list[float]) -> list[int]:
        return self.rng.choices(range(len(weights)), weights=weights, k=len(self.phones))

    def rankings(self, items: int) -> list[list[int]]:
        orders = []
        for _ in self.phones:
            order = list(range(items))
            self.rng.shuffle(order)
            if self.rng.random() < 0.5:  # most rooms agree on trust first
                order.remove(0)
                order.insert(0, 0)
            orders.append(order)
        return orders

    def close(self) -> None:
        for peer in self.phones:
            peer.close()
        self.fac.close()


def english(browser, out: Path, workdir: Path, phones: int, seed: int) -> None:
    server = start(workdir / "en", DECK)
    room = Room(server, load_deck(DECK), phones, seed)
    laptop = facilitator_context(browser)
    phone_ctx = phone_context(browser, 0)
    try:
        projector = laptop.new_page()
        projector.goto(local(server, server.urls["projector"]))
        console = laptop.new_page()
        console.set_viewport_size(CONSOLE_VIEWPORT)
        console.goto(local(server, server.urls["console"]))
        phone = Phone(phone_ctx.new_page(), phone_ctx)
        phone.page.goto(local(server, server.urls["join"]))
        for page in (projector, console, phone.page):
            wait_connected(page)
        projector.wait_for_selector("body.is-idle")  # the key hints fade when the mouse rests
        shoot(projector, out, "projector-title.png")

        room.goto("warmup-role")
        phone.wait_poll(room.deck.polls["warmup-role"].question)
        shoot(phone.page, out, "phone.png")
        room.answer("warmup-role", room.weighted([4, 9, 12, 5])[1:])
        phone.choose(2)
        wait_slide(projector, room.deck.poll_slide_index("warmup-role"))
        wait_answered(projector, phones)
        phone.page.wait_for_timeout(1200)  # phones get results at most once a second
        phone.page.evaluate("() => document.getElementById('answer-status').scrollIntoView({block: 'start'})")
        shoot(phone.page, out, "phone-results.png")

        room.goto("homework-followers-why")
        room.answer("homework-followers-why", [room.rng.choice(OPEN_EN) for _ in range(phones)])
        room.goto("quiz-fire-principle")
        room.answer("quiz-fire-principle", room.weighted([14, 6, 3, 5]))
        room.control(action="reveal")
        projector.wait_for_selector('.slide.is-current[data-revealed="true"]')
        projector.wait_for_timeout(1200)
        shoot(projector, out, "projector.png")

        room.goto("homework-followers-why")
        console.wait_for_selector('[data-testid="open-answer"]')
        console.wait_for_timeout(1800)  # the moderation list refreshes after a tally
        shoot(console, out, "console.png")

        room.control(action="moderate", on=True)  # the queue: answers wait for approval
        room.answer("homework-followers-why", [
            "Because a follower chose to be there: people follow someone who listens, who is "
            "fair when it is hard, and who helps them grow, and they stay long after the title "
            "has stopped mattering.", "Trust that was earned, not ordered"])
        console.wait_for_selector('[data-testid="queue-item"]')
        console.wait_for_timeout(600)
        shoot(console, out, "console-queue.png")
        first = room.phones[0].call("answer", {"poll": "homework-followers-why", "uid": new_token(),
                                               "value": "People follow a leader who makes them "
                                                        "better than they were, and says so."})
        assert first["ok"], first
        room.control(action="spotlight", poll="homework-followers-why", participant=newest(room))
        projector.wait_for_selector('[data-testid="spotlight"]:visible')
        projector.wait_for_timeout(900)
        shoot(projector, out, "projector-spotlight.png")
        room.control(action="spotlight_off")

        picture = next(i for i, s in enumerate(room.deck.slides) if s.images)
        room.goto(slide=picture)
        wait_slide(projector, picture)
        projector.wait_for_timeout(900)
        shoot(projector, out, "projector-picture.png")

        phone.page.goto(local(server, server.url("/check")))
        phone.page.wait_for_selector('[data-testid="check"][data-state="ok"]')
        shoot(phone.page, out, "phone-check.png")

        scenario = next(i for i, s in enumerate(room.deck.slides) if s.kind == "scenario")
        room.goto(slide=scenario)
        small = phone_context(browser, 2, viewport=SMALL_PHONE)
        try:
            page = small.new_page()
            page.goto(local(server, server.urls["join"]))
            wait_connected(page)
            page.wait_for_selector('[data-testid="story"]')
            shoot(page, out, "phone-small.png")
        finally:
            small.close()
    finally:
        phone_ctx.close()
        laptop.close()
        room.close()
        server.kill()


def newest(room: Room) -> int:
    """Return who gave the newest answer to the open question (the one to spotlight)."""
    reply = room.fac.call("open_answers", {"poll": "homework-followers-why"})
    return reply["answers"][0]["participant"]


def chinese(browser, out: Path, workdir: Path, phones: int, seed: int) -> None:
    server = start(workdir / "zh", ZH_DECK)
    room = Room(server, load_deck(ZH_DECK), phones, seed)
    laptop = facilitator_context(browser, locale="zh-CN")
    phone_ctx = phone_context(browser, 1, locale="zh-CN")
    try:
        projector = laptop.new_page()
        projector.goto(local(server, server.urls["projector"]))
        phone = Phone(phone_ctx.new_page(), phone_ctx)
        phone.page.goto(local(server, server.urls["join"]))
        for page in (projector, phone.page):
            wait_connected(page)
        room.goto("homework-first-step")
        phone.wait_poll(room.deck.polls["homework-first-step"].question)
        for item in (0, 2):
            phone.tid(f"ranking-item-{item}").tap()
        shoot(phone.page, out, "phone-zh.png")

        room.goto("homework-leader")
        room.answer("homework-leader", [room.rng.choice(OPEN_ZH) for _ in range(phones)])
        projector.wait_for_selector("body.is-idle")
        wait_answered(projector, phones)
        projector.wait_for_timeout(1200)
        shoot(projector, out, "projector-zh.png")
    finally:
        phone_ctx.close()
        laptop.close()
        room.close()
        server.kill()


def main(argv: list[str] | None = None) -> int:
    """Start a room, take every screenshot, and check each file's size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT,
                        help="folder for the PNGs (default docs/screenshots)")
    parser.add_argument("--phones", type=int, default=30, help="simulated phones in the room (default 30)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the simulated answers")
    args = parser.parse_args(argv)
    reason = missing_browser_reason()
    if reason:
        print(f"screenshots: {reason}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wk-shots-") as tmp, chromium() as browser:
        english(browser, args.out, Path(tmp), args.phones, args.seed)
        chinese(browser, args.out, Path(tmp), args.phones, args.seed)
    problems = check(args.out)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def check(folder: Path = OUT) -> list[str]:
    """Return what is wrong with the screenshots in folder (missing, wrong size, too big)."""
    from PIL import Image
    problems = []
    for name, size in SHOTS.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing; run make screenshots")
            continue
        with Image.open(path) as image:
            if image.size != size:
                problems.append(f"{name}: {image.size[0]}x{image.size[1]}, expected {size[0]}x{size[1]}")
        if path.stat().st_size >= MAX_BYTES:
            problems.append(f"{name}: {path.stat().st_size // 1024} KB, keep it under {MAX_BYTES // 1000} KB")
    return problems


if __name__ == "__main__":
    sys.exit(main())
