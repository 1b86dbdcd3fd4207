"""Open answers on the wall, in a real browser: moderation through the console's queue by
keyboard, the word filter's hold, the spotlight and Esc, whole answers on the projector at
1920x1080, and choice bars that use the slide's height."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.browser import browser  # noqa: F401 - the module's chromium, a fixture
from tests.test_browser_a11y import severe_violations
from tests.support.browser import (
    Phone, facilitator_pages, phone_context, start_server, wait_connected, wait_slide, wait_until)

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ["WK_SHOTS"]) if os.environ.get("WK_SHOTS") else None  # to look at them

DECK = """title: Moderation in the browser
slides:
  - kind: poll
    title: Ideas
    poll: {id: ideas, type: open, question: "What would help your team most?", max_length: 600}
  - kind: poll
    poll: {id: pick, type: choice, question: "Which comes first?", options: [Trust, Goals, Talent, Process]}
"""
LONG = ("We would need a team that shares the plan early and often, so that nobody learns about a "
        "change from the corridor; leaders who listen first and decide after, and who say why; "
        "time set aside every week to grow the people we have instead of hiring around them; "
        "clear goals written down where everyone can see them; and the courage to tell each other "
        "the truth kindly, even when it is hard to hear, because trust is built on that. Then we "
        "would celebrate the small wins together and learn from each loss.")[:500]


@pytest.fixture(scope="module")
def room(browser, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("moderation")
    deck = tmp / "deck.yaml"
    deck.write_text(DECK, encoding="utf-8")
    server = start_server(tmp, deck=deck)
    laptop, projector, console = facilitator_pages(browser, server)
    facilitator = server.facilitator()
    assert facilitator.call("control", {"action": "open", "poll": "ideas"})["ok"]
    room = type("Room", (), dict(server=server, projector=projector, console=console,
                                 facilitator=facilitator, phones=[]))()
    yield room
    facilitator.close()
    for peer in room.phones:
        peer.close()
    laptop.close()
    server.kill()


def wall(page):
    return page.locator('.slide.is-current [data-testid="open-latest"]')


def peer_answer(room, text, poll="ideas"):
    peer = room.server.phone()
    room.phones.append(peer)
    reply = peer.call("answer", {"poll": poll, "value": text, "uid": f"u{len(room.phones)}"})
    assert reply["ok"], reply
    return reply


def set_moderation(room, on):
    switch = room.console.get_by_test_id("moderate-switch")
    if switch.get_attribute("aria-pressed") != str(on).lower():
        switch.click()
    expect(switch).to_have_attribute("aria-pressed", str(on).lower())


def test_a_moderated_answer_reaches_the_projector_only_after_approval_by_keyboard(room, browser):
    set_moderation(room, True)
    ctx = phone_context(browser)
    try:
        phone = Phone(ctx.new_page(), ctx)
        phone.page.goto(room.server.urls["join"])
        wait_connected(phone.page)
        phone.wait_poll("What would help your team most?")
        phone.tid("open-input").fill("Share the plan early")
        phone.tid("submit").click()
        expect(phone.tid("answer-status")).to_contain_text("once the facilitator approves it")
    finally:
        ctx.close()
    item = room.console.get_by_test_id("queue-item").filter(has_text="Share the plan early")
    expect(item).to_have_count(1)
    expect(room.console.get_by_test_id("queue-count")).to_have_text("1")
    expect(item).to_contain_text("held: moderation")
    room.projector.wait_for_timeout(500)  # a tally has had time to arrive
    expect(wall(room.projector)).not_to_contain_text("Share the plan early")
    # keyboard only: Tab from the moderation switch reaches the item, A approves it
    room.console.get_by_test_id("moderate-switch").focus()
    for _ in range(3):
        room.console.keyboard.press("Tab")
        if room.console.evaluate("document.activeElement.dataset.testid") == "queue-item":
            break
    assert room.console.evaluate("document.activeElement.dataset.testid") == "queue-item"
    room.console.keyboard.press("a")
    expect(wall(room.projector)).to_contain_text("Share the plan early")
    expect(room.console.get_by_test_id("queue-item")).to_have_count(0)
    set_moderation(room, False)


def test_a_filtered_word_is_held_with_moderation_off(room):
    set_moderation(room, False)
    assert peer_answer(room, "this plan is shit")["held"] == "filtered"
    assert "held" not in peer_answer(room, "Clear goals for everyone")
    expect(wall(room.projector)).to_contain_text("Clear goals for everyone")
    item = room.console.get_by_test_id("queue-item").filter(has_text="this plan is shit")
    expect(item).to_contain_text("held: filtered word")
    if SHOTS:
        room.console.screenshot(path=str(SHOTS / "queue.png"))
    assert severe_violations(room.console, "console with a queue") == []
    expect(wall(room.projector)).not_to_contain_text("this plan is shit")
    item.get_by_test_id("queue-hide").click()
    expect(room.console.get_by_test_id("queue-item")).to_have_count(0)


CLIPPED = """(text) => {
  const card = Array.from(document.querySelectorAll('.slide.is-current .wall__card'))
    .find((li) => li.textContent === text);
  if (!card) return 'no card';
  const range = document.createRange(); range.selectNodeContents(card);
  const t = range.getBoundingClientRect(), c = card.getBoundingClientRect();
  const list = card.parentElement.getBoundingClientRect();
  const size = parseFloat(getComputedStyle(card).fontSize);
  const problems = [];
  if (t.top < c.top - 1 || t.bottom > c.bottom + 1 || t.left < c.left - 1 || t.right > c.right + 1) problems.push('text outside card');
  if (c.top < list.top - 1 || c.bottom > list.bottom + 1) problems.push('card cut by the wall');
  if (c.top < 0 || c.left < 0 || c.bottom > innerHeight || c.right > innerWidth) problems.push('card outside viewport');
  if (card.scrollHeight > card.clientHeight + 1) problems.push('text overflows');
  if (size < 28) problems.push('font ' + size);
  return problems.join(', ');
}"""


def test_a_500_character_answer_is_whole_on_the_projector_and_in_the_spotlight(room):
    assert len(LONG) == 500
    assert room.projector.viewport_size == {"width": 1920, "height": 1080}
    peer_answer(room, LONG)
    card = room.projector.locator(".slide.is-current .wall__card").filter(has_text=LONG[:40])
    # the wall pages at a fixed pace: wait for the page that holds it
    wait_until(lambda: card.count() == 1, timeout=20, message="the long answer on the wall")
    assert room.projector.evaluate(CLIPPED, LONG) == ""
    if SHOTS:
        room.projector.screenshot(path=str(SHOTS / "wall.png"))
    # the spotlight: from the console's list of answers, large; Esc goes back to the slide
    row = room.console.get_by_test_id("open-answer").filter(has_text=LONG[:40])
    row.get_by_test_id("spotlight-answer").click()
    spot = room.projector.get_by_test_id("spotlight")
    expect(spot).to_be_visible()
    expect(room.projector.get_by_test_id("spotlight-text")).to_have_text(LONG)
    box = room.projector.evaluate("""() => {
      const t = document.getElementById('spotlight-text'), q = t.parentElement;
      const r = t.getBoundingClientRect();
      return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
              overflow: t.offsetHeight > q.clientHeight + 2, size: parseFloat(getComputedStyle(t).fontSize)};
    }""")
    assert box["top"] >= 0 and box["bottom"] <= 1080 and box["left"] >= 0 and box["right"] <= 1920, box
    assert not box["overflow"] and box["size"] >= 44, box  # large: well above the wall's cards
    expect(room.console.get_by_test_id("spotlight-bar")).to_be_visible()
    assert severe_violations(room.projector, "projector spotlight") == []
    if SHOTS:
        room.projector.wait_for_timeout(800)
        room.projector.screenshot(path=str(SHOTS / "spotlight.png"))
        room.console.screenshot(path=str(SHOTS / "console.png"))
    room.projector.keyboard.press("Escape")
    expect(spot).to_be_hidden()
    expect(room.console.get_by_test_id("spotlight-bar")).to_be_hidden()
    state = room.facilitator.call("sync", {})["state"]
    assert state["spotlight"] is None


def test_choice_bars_fill_most_of_the_slide(room):
    assert room.facilitator.call("control", {"action": "goto", "slide": 1})["ok"]
    wait_slide(room.projector, 1)
    for value in (0, 0, 1, 2):
        peer_answer(room, value, poll="pick")
    bars = room.projector.locator('.slide.is-current .bars li[data-index="0"] .bar__value')
    expect(bars).to_contain_text("50%")
    height = room.projector.evaluate(
        "() => document.querySelector('.slide.is-current .bars').getBoundingClientRect().height")
    assert height > 0.5 * 1080, height
    if SHOTS:
        room.projector.wait_for_timeout(1000)
        room.projector.screenshot(path=str(SHOTS / "choice.png"))
    expect(room.projector.locator(".slide.is-current [data-testid=reveal-state]")).to_be_hidden()
