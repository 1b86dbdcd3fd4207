"""Timed quizzes and activities in a real browser: the countdown on projector and phone, voting
closing at zero, the leaderboard's ranks with a tie, an activity's phases on projector and
phones from the console's buttons, and axe clean."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import browser  # noqa: F401 - the module's chromium, a fixture
from tests.support.browser import (Phone, facilitator_pages, phone_context, start_server,
                                   wait_connected, wait_slide)
from tests.test_browser_a11y import severe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DECK = """title: Quiz in the browser
slides:
  - kind: bullets
    title: Discuss
    bullets: ["What helps a team?"]
    activity:
      - {say: Think alone, minutes: 1}
      - {say: Pairs, minutes: 2}
  - kind: poll
    poll: {id: q1, type: choice, question: "Two plus two?", options: ["3", "4"], correct: "4", seconds: 5}
  - kind: poll
    poll: {id: q2, type: choice, question: "Capital of France?", options: [Paris, Rome], correct: Paris}
  - kind: leaderboard
    title: Standings
"""


@pytest.fixture(scope="module")
def room(browser, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("quiz")
    deck = tmp / "deck.yaml"
    deck.write_text(DECK, encoding="utf-8")
    server = start_server(tmp, deck=deck)
    laptop, projector, console = facilitator_pages(browser, server)
    phones = []
    for n in range(3):
        ctx = phone_context(browser, n)
        page = ctx.new_page()
        page.goto(server.urls["join"])
        wait_connected(page)
        phones.append(Phone(page, ctx))
    facilitator = server.facilitator()
    yield type("Room", (), dict(server=server, projector=projector, console=console, phones=phones,
                                facilitator=facilitator))()
    facilitator.close()
    for p in phones:
        p.context.close()
    laptop.close()
    server.kill()


def test_an_activity_advances_on_projector_and_phones(room):
    say = room.projector.get_by_test_id("activity-say")
    expect(say).to_have_text("Think alone")
    expect(room.projector.get_by_test_id("activity")).to_have_attribute("data-running", "false")
    room.console.get_by_test_id("activity_start").click()
    expect(room.projector.get_by_test_id("activity")).to_have_attribute("data-running", "true")
    phone = room.phones[0].page
    expect(phone.get_by_test_id("activity-say")).to_have_text("Think alone")
    expect(phone.get_by_test_id("activity-clock")).to_have_text(re.compile(r"^0:5\d$"))  # counting down from 1:00
    room.console.get_by_test_id("activity_skip").click()
    expect(say).to_have_text("Pairs")
    expect(phone.get_by_test_id("activity-say")).to_have_text("Pairs")
    clock = room.projector.get_by_test_id("activity-clock").text_content()
    assert clock in ("2:00", "1:59", "1:58"), clock
    expect(room.projector.locator("body")).to_have_attribute("data-chimes", "1")  # a phase ended
    expect(room.projector.get_by_test_id("chime")).to_be_visible()  # asks one click for sound
    assert severe_violations(room.projector, "projector") == []
    assert severe_violations(phone, "phone") == []


def test_a_timed_quiz_counts_down_closes_at_zero_and_ranks_with_ties(room):
    assert room.facilitator.call("control", {"action": "goto", "slide": 1})["ok"]
    first, second, third = room.phones
    for p in room.phones:
        p.wait_poll("Two plus two?")
    countdown = room.projector.get_by_test_id("quiz-countdown")
    expect(countdown).to_have_attribute("data-up", "false")
    expect(first.page.get_by_test_id("quiz-countdown")).to_have_attribute("data-up", "false")
    first.choose(1)  # right, at once
    second.choose(0)  # wrong
    assert severe_violations(first.page, "phone with countdown") == []
    # voting closes at zero on the server's clock: the phones see the question closed
    first.page.wait_for_selector('[data-testid="phone-voting-state"]:not(.pill--open)', timeout=9000)
    expect(countdown).to_have_attribute("data-up", "true")
    expect(first.page.get_by_test_id("quiz-countdown")).to_have_attribute("data-up", "true")
    assert room.facilitator.call("control", {"action": "reveal", "poll": "q1"})["ok"]
    expect(first.page.get_by_test_id("quiz-result")).to_have_attribute("data-correct", "true")
    expect(second.page.get_by_test_id("quiz-result")).to_have_attribute("data-correct", "false")
    # an untimed question: the second and third phone tie at 1000, ahead of the first
    assert room.facilitator.call("control", {"action": "goto", "slide": 2})["ok"]
    for p in room.phones:
        p.wait_poll("Capital of France?")
    first.choose(1)
    second.choose(0)
    third.choose(0)
    assert room.facilitator.call("control", {"action": "goto", "slide": 3})["ok"]
    wait_slide(room.projector, 3)
    rows = room.projector.get_by_test_id("board-people").locator("li")
    expect(rows).to_have_count(3)
    assert [rows.nth(i).get_attribute("data-rank") for i in range(3)] == ["1", "1", "3"]
    points = [rows.nth(i).locator(".board__points").text_content() for i in range(3)]
    assert points[:2] == ["1000", "1000"] and 500 <= int(points[2]) < 1000
    expect(third.page.get_by_test_id("quiz-total")).to_contain_text("1000")
    assert severe_violations(room.projector, "leaderboard") == []
