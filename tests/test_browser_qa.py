"""Audience Q&A in a real browser: a phone asks from its drawer while the poll stays on
screen, other phones upvote, the facilitator approves a held question from the queue, pins one
and marks it answered on the console; the projector's `qa` slide shows the order, and the pinned question shows over other slides; axe finds
nothing severe on the phone's Q&A view."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import browser  # noqa: F401 - the module's chromium, a fixture
from tests.support.browser import (CONSOLE_VIEWPORT, Phone, facilitator_context, phone_context,
                                   start_server, wait_connected, wait_slide)
from tests.test_browser_a11y import severe_violations

pytestmark = pytest.mark.browser

DECK = """title: Q&A in the browser
slides:
  - kind: poll
    poll: {id: pick, type: choice, question: "Which comes first?", options: [Trust, Goals]}
  - kind: qa
    title: Your questions
"""


def projector_order(page):
    return page.locator('.slide.is-current [data-testid="qa-projector-item"] .qa-slide__text').all_text_contents()


def test_ask_upvote_approve_pin_and_answer(browser, tmp_path):
    deck = tmp_path / "deck.yaml"
    deck.write_text(DECK, encoding="utf-8")
    server = start_server(tmp_path, deck=deck)
    laptop = facilitator_context(browser)
    ctx = phone_context(browser)
    peers = []
    try:
        projector, console = laptop.new_page(), laptop.new_page()
        console.set_viewport_size(CONSOLE_VIEWPORT)
        projector.goto(server.urls["projector"])
        console.goto(server.urls["console"])
        wait_connected(projector)
        wait_connected(console)
        facilitator = server.facilitator()
        peers.append(facilitator)
        assert facilitator.call("control", {"action": "open", "poll": "pick"})["ok"]

        phone = Phone(ctx.new_page(), ctx)
        phone.page.goto(server.urls["join"])
        wait_connected(phone.page)
        phone.wait_poll("Which comes first?")
        phone.tid("qa-open").click()
        phone.tid("qa-input").fill("Why does trust come first?")
        phone.tid("qa-send").click()
        expect(phone.tid("qa-status")).to_have_text("Your question is up.")
        expect(phone.tid("poll")).to_be_visible()  # asking never hides the current poll
        assert severe_violations(phone.page, "phone with the Q&A drawer open") == []

        first = phone.page.get_by_test_id("qa-item").first.get_attribute("data-id")
        voters = [server.phone() for _ in range(2)]
        peers += voters
        other = voters[0].call("ask", {"text": "What about goals?", "uid": "peer-q"})["question"]["id"]
        for i, peer in enumerate(voters):
            assert peer.call("upvote", {"question": int(first), "uid": f"v{i}"})["votes"] == i + 1
        # the browser phone upvotes the other question; its own has no button
        item = phone.page.get_by_test_id("qa-item").filter(has_text="What about goals?")
        item.get_by_test_id("qa-upvote").click()
        expect(item.get_by_test_id("qa-upvote")).to_have_attribute("aria-pressed", "true")
        assert phone.page.get_by_test_id("qa-item").filter(
            has_text="Why does trust").get_by_test_id("qa-upvote").count() == 0

        assert facilitator.call("control", {"action": "goto", "slide": 1})["ok"]
        wait_slide(projector, 1)
        expect(projector.locator('.slide.is-current [data-testid="qa-projector-item"]')).to_have_count(2)
        assert projector_order(projector) == ["Why does trust come first?", "What about goals?"]

        # moderation on: a new question waits in the console's queue until approved
        assert facilitator.call("control", {"action": "moderate", "on": True})["ok"]
        assert voters[1].call("ask", {"text": "Can we talk about talent?", "uid": "held-q"})["held"] == "moderation"
        queued = console.get_by_test_id("queue-item").filter(has_text="Can we talk about talent?")
        expect(queued).to_have_count(1)
        projector.wait_for_timeout(300)
        assert "Can we talk about talent?" not in projector_order(projector)
        queued.get_by_test_id("queue-approve").click()
        expect(projector.locator('.slide.is-current [data-testid="qa-projector-item"]')).to_have_count(3)

        # pin the most upvoted, then mark it answered, on the console
        row = console.get_by_test_id("qa-console-item").filter(has_text="Why does trust come first?")
        row.get_by_test_id("qa-pin").click()
        expect(projector.locator('.slide.is-current [data-testid="qa-pinned"]')).to_have_text("Why does trust come first?")
        row.get_by_test_id("qa-answered").click()
        expect(row).to_have_attribute("data-status", "answered")
        expect(phone.page.get_by_test_id("qa-item").filter(has_text="Why does trust")).to_contain_text("answered")
        expect(projector.get_by_test_id("qa-pin-banner")).to_be_hidden()  # the qa slide shows it in place
        assert facilitator.call("control", {"action": "goto", "slide": 0})["ok"]
        wait_slide(projector, 0)
        expect(projector.get_by_test_id("qa-pin-banner")).to_contain_text("Why does trust come first?")
        # sorting by time puts the newest first on the console
        console.get_by_test_id("qa-sort-time").click()
        texts = console.locator('[data-testid="qa-console-item"] .con-qitem__text').all_text_contents()
        assert texts == ["Why does trust come first?", "Can we talk about talent?", "What about goals?"]
        assert other
    finally:
        for peer in peers:
            peer.close()
        ctx.close()
        laptop.close()
        server.kill()
