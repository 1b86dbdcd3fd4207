"""The phone in a real browser: the room check, names told truthfully, a scenario's story and
pictures, what it says between polls and at the end, and a small phone's first screen."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import browser  # noqa: F401 - the module's chromium, a fixture
from tests.support.browser import (
    CONSOLE_VIEWPORT, PageErrors, Phone, facilitator_context, phone_context, start_server,
    wait_connected)
from tests.support.server import RealServer, free_port
from tests.test_deck_images import PNG

pytestmark = pytest.mark.browser

STORY = ("Wang takes over a team that does not talk. " * 12).strip()  # long: it starts folded
DECK = f"""\
title: Phones in the room
language: en
slides:
  - kind: title
    title: Phones in the room
  - kind: poll
    poll:
      id: pick
      type: choice
      question: Which way do we start the day?
      options: [Together, Alone, Later]
  - kind: scenario
    title: "Scenario: the quiet team"
    story: "{STORY}"
    images: [{{src: pics/team.png, alt: The quiet team around a table, phone: true}},
             {{src: pics/wall.png, alt: Only for the wall}}]
    poll:
      id: case
      type: open
      question: What would Wang do first?
    tips_title: Build trust
    tips: [Listen first, Praise in public]
  - kind: text
    title: Doing the right thing
    text: The last question is behind us.
  - kind: bullets
    title: To take with you
    bullets: [Listen first, Praise in public]
"""
QUESTION = "Which way do we start the day?"


def write_deck(folder):
    (folder / "pics").mkdir(parents=True, exist_ok=True)
    (folder / "pics" / "team.png").write_bytes(PNG)
    (folder / "pics" / "wall.png").write_bytes(PNG)
    path = folder / "phones.yaml"
    path.write_text(DECK, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("phone-anon")
    s = start_server(folder, write_deck(folder))
    yield s
    s.kill()
    assert s.errors() == []


@pytest.fixture(scope="module")
def named_server(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("phone-named")
    port = free_port()
    s = RealServer(folder, port=port, deck=write_deck(folder), public_url=f"http://127.0.0.1:{port}",
                   names="named")
    yield s.start()
    s.kill()
    assert s.errors() == []


@pytest.fixture
def errors():
    found = PageErrors()
    yield found
    assert found.errors == [], "a page threw an uncaught exception"


def goto(server, slide: int, open_poll: bool = True) -> None:
    fac = server.facilitator()
    try:
        assert fac.call("control", {"action": "goto", "slide": slide})["ok"]
        if open_poll:
            fac.call("control", {"action": "open"})
    finally:
        fac.close()


def new_phone(browser, server, errors, **kw) -> Phone:
    ctx = phone_context(browser, **kw)
    phone = Phone(errors.watch(ctx.new_page(), "phone"), ctx)
    phone.page.goto(server.urls["join"])
    wait_connected(phone.page)
    return phone


# ----- the room check ------------------------------------------------------------------------

def test_the_room_check_says_this_phone_reaches_the_laptop_and_the_console_sees_it(browser, server, errors):
    ctx = phone_context(browser)
    laptop = facilitator_context(browser, viewport=CONSOLE_VIEWPORT)
    try:
        page = errors.watch(ctx.new_page(), "check")
        page.goto(server.url("/check"))
        check = page.get_by_test_id("check")
        expect(check).to_have_attribute("data-state", "ok")
        expect(page.get_by_test_id("check-verdict")).to_have_text("This phone reaches the laptop.")
        rtt = page.get_by_test_id("check-rtt").inner_text()
        assert re.fullmatch(r"\d+ ms", rtt), rtt
        assert int(rtt.split()[0]) < 2000
        expect(page.get_by_test_id("check-transport")).to_have_text(re.compile("WebSocket|Long-polling"))
        expect(page.get_by_test_id("check-address")).to_have_text(f"127.0.0.1:{server.port}")
        for _ in range(2):  # checked again and again: past the rate limit, it waits rather than fails
            page.get_by_test_id("check-again").tap()
            expect(check).to_have_attribute("data-state", "ok", timeout=20_000)

        console = errors.watch(laptop.new_page(), "console")
        console.goto(server.urls["console"])
        wait_connected(console)
        console.get_by_test_id("room-check").locator("summary").click()
        expect(console.get_by_test_id("rc-url")).to_have_text(f"http://127.0.0.1:{server.port}/check")
        expect(console.get_by_test_id("rc-check").first).to_contain_text(
            re.compile(r"A phone at 127\.0\.0\.1 reached the laptop, \d+ ms"))
        expect(console.get_by_test_id("rc-guide")).to_have_attribute("href", "/help/room-setup")
    finally:
        ctx.close()
        laptop.close()


def test_the_room_check_says_what_is_wrong_when_the_live_connection_does_not_get_through(browser, server, errors):
    ctx = phone_context(browser)
    try:
        # a VPN or proxy that lets pages through but not the live connection (/socket.io/?EIO=...)
        ctx.route(lambda url: "/socket.io/?" in url, lambda route: route.abort("connectionrefused"))
        page = errors.watch(ctx.new_page(), "check")
        page.goto(server.url("/check"))
        expect(page.get_by_test_id("check")).to_have_attribute("data-state", "failed", timeout=20_000)
        expect(page.get_by_test_id("check-verdict")).to_have_text(
            "This page loaded from the laptop, but the live connection the votes use does not get through.")
        expect(page.get_by_test_id("check-next")).to_contain_text("VPN")
        expect(page.get_by_test_id("check-again")).to_be_visible()
    finally:
        ctx.close()


# ----- names ---------------------------------------------------------------------------------

def test_an_anonymous_session_says_so_and_asks_no_name(browser, server, errors):
    goto(server, 1)
    phone = new_phone(browser, server, errors)
    try:
        expect(phone.tid("names-notice")).to_have_text(
            "Anonymous: nobody, not even the facilitator, sees who answered what.")
        expect(phone.page.locator("#me-label")).to_have_text(re.compile(r"^You appear as \w+ \w+\.$"))
        expect(phone.tid("nickname-form")).to_be_hidden()
        expect(phone.tid("nickname-edit")).to_be_hidden()
        phone.wait_poll(QUESTION)
        phone.choose(0)
    finally:
        phone.context.close()


def test_a_named_session_asks_a_name_before_an_answer_and_the_console_shows_it(browser, named_server, errors):
    from tests.test_browser_a11y import severe_violations
    goto(named_server, 2)  # the scenario: an open question, which the console lists by name
    phone = new_phone(browser, named_server, errors)
    laptop = facilitator_context(browser, viewport=CONSOLE_VIEWPORT)
    try:
        expect(phone.tid("names-notice")).to_have_text("Named session: the facilitator sees your name "
                                                      "next to your answers, in the summary and the export.")
        expect(phone.tid("nickname-form")).to_be_visible()  # asked before anyone types an answer
        assert severe_violations(phone.page, "named phone, name form") == []
        phone.page.wait_for_selector('[data-testid="phone-voting-state"].pill--open')
        phone.tid("open-input").fill("Ask each one of them")
        phone.tid("submit").tap()
        expect(phone.tid("answer-status")).to_contain_text("Type your name first")
        phone.tid("nickname-input").fill("Ana Example")
        phone.tid("nickname-save").tap()
        expect(phone.page.locator("#me-label")).to_have_text("You are Ana Example")
        phone.tid("submit").tap()
        phone.wait_status("received")
        phone.page.reload()  # the name stays, and is not asked again
        wait_connected(phone.page)
        expect(phone.page.locator("#me-label")).to_have_text("You are Ana Example")
        expect(phone.tid("nickname-form")).to_be_hidden()
        expect(phone.tid("nickname-edit")).to_have_text("Change name")

        console = errors.watch(laptop.new_page(), "console")
        console.goto(named_server.urls["console"])
        wait_connected(console)
        expect(console.get_by_test_id("open-answers")).to_contain_text("Ana Example")
    finally:
        phone.context.close()
        laptop.close()


# ----- what the phone shows --------------------------------------------------------------------

def test_a_scenario_s_story_and_its_phone_pictures_are_on_the_phone(browser, server, errors):
    goto(server, 2)
    phone = new_phone(browser, server, errors)
    try:
        story = phone.tid("story")
        expect(story).to_be_visible()
        expect(story).not_to_have_attribute("open", "")  # long: folded, so the question shows
        story.locator("summary").tap()
        expect(story.locator(".story__text")).to_have_text(STORY)
        pictures = phone.tid("phone-images").locator("img")
        expect(pictures).to_have_count(1)  # only the picture marked for phones
        code = server.urls["join"].rsplit("/", 1)[1]
        expect(pictures).to_have_attribute("src", f"/j/{code}/media/pics/team.png")
        expect(pictures).to_have_attribute("alt", "The quiet team around a table")
        phone.page.wait_for_function("() => { const i = document.querySelector('.pics__img');"
                                     " return i && i.complete && i.naturalWidth > 0; }")  # served
        expect(phone.tid("poll-question")).to_have_text("What would Wang do first?")
    finally:
        phone.context.close()


def test_between_polls_and_at_the_end_the_phone_says_what_is_true(browser, server, errors):
    goto(server, 0, open_poll=False)
    phone = new_phone(browser, server, errors)
    try:
        expect(phone.tid("waiting-body")).to_have_text("The next question will appear here by itself.")
        goto(server, 3, open_poll=False)  # after the last poll, not the last slide
        expect(phone.tid("waiting-body")).to_have_text("There are no more questions. Follow along on the screen.")
        goto(server, 4, open_poll=False)  # the last slide
        expect(phone.page.locator("#waiting-title")).to_have_text("Thank you!")
        expect(phone.tid("waiting-body")).to_have_text("That was the last slide. Thank you for taking part.")
        fac = server.facilitator()
        try:
            assert fac.call("control", {"action": "takeaways", "allow": True})["ok"]
        finally:
            fac.close()
        expect(phone.tid("waiting-body")).to_contain_text("Your takeaway is ready")
        expect(phone.tid("takeaway")).to_be_visible()
    finally:
        phone.context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_on_a_360x640_phone_the_question_and_first_option_show_without_scrolling(browser, server, errors, lang):
    goto(server, 1)
    phone = new_phone(browser, server, errors, viewport={"width": 360, "height": 640}, lang=lang,
                      base=server.base)
    try:
        phone.wait_poll(QUESTION)
        page = phone.page
        assert page.evaluate("window.scrollY") == 0
        question = phone.tid("poll-question").bounding_box()
        first = phone.tid("choice-option-0").bounding_box()
        for box in (question, first):
            assert box["y"] >= 0 and box["y"] + box["height"] <= 640, (lang, question, first)
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        top = page.locator("#me").bounding_box()
        assert top["y"] + top["height"] <= 640 * 0.25, top  # the header and name line: a quarter at most
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing sideways
    finally:
        phone.context.close()


def test_on_a_360x640_phone_a_timed_scenario_still_shows_its_question(browser, tmp_path, errors):
    """The leadership deck's scenario: an activity, a story and a question; on a small phone the
    activity is a slim bar and the story folds, so the question and first option are in view."""
    from tests.support import DECK as LEADERS
    from workshop.deck_file import load_deck
    deck = load_deck(LEADERS)
    index = next(i for i, s in enumerate(deck.slides) if s.kind == "scenario" and s.activity)
    s = start_server(tmp_path, LEADERS)
    try:
        goto(s, index)
        phone = new_phone(browser, s, errors, viewport={"width": 360, "height": 640})
        try:
            phone.wait_poll(deck.slides[index].poll.question)
            expect(phone.tid("activity")).to_be_visible()
            # the activity's bar is drawn again every second: let each check retry
            for testid in ("activity", "poll-question", "choice-option-0"):
                expect(phone.tid(testid)).to_be_in_viewport(ratio=1)
            phone.page.wait_for_function(  # a slim bar, not a card
                "() => document.querySelector('[data-testid=activity]').getBoundingClientRect().height <= 80")
        finally:
            phone.context.close()
    finally:
        s.kill()
