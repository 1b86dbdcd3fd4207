"""A multiple choice in a real browser: each option once, and percentages that say what they
are of (people, so with several picks each they add up past 100%)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support import write_all_types_deck
from tests.support.browser import browser  # noqa: F401 - the module's chromium, a fixture
from tests.support.browser import (
    Phone, facilitator_context, phone_context, start_server, wait_connected, wait_slide)

pytestmark = pytest.mark.browser


def test_multiple_choice_percentages_say_they_are_of_people(browser, tmp_path):
    server = start_server(tmp_path, deck=write_all_types_deck(tmp_path))
    laptop = facilitator_context(browser)
    phones = []
    try:
        projector = laptop.new_page()
        projector.goto(server.urls["projector"])
        wait_connected(projector)
        facilitator = server.facilitator()
        assert facilitator.call("control", {"action": "goto", "slide": 1})["ok"]  # "Pick up to two"
        wait_slide(projector, 1)
        for n, picks in enumerate(([0, 1], [0, 2])):
            ctx = phone_context(browser, n)
            phone = Phone(ctx.new_page(), ctx)
            phones.append(phone)
            phone.page.goto(server.urls["join"])
            wait_connected(phone.page)
            phone.wait_poll("Pick up to two")
            for index in picks:
                phone.tid(f"choice-option-{index}").check()
            phone.submit()
        note = "% of the people who answered: each could pick several."
        expect(projector.locator('.slide.is-current [data-testid="percent-note"]')).to_have_text(note)
        results = phones[1].tid("phone-results")
        expect(results.get_by_test_id("percent-note")).to_have_text(note)
        expect(results.locator('li[data-index="0"] .bar__value')).to_contain_text("100%")
        expect(results.locator('li[data-index="1"] .bar__value')).to_contain_text("50%")
        tally = facilitator.call("sync", {})["tallies"]["pick"]
        assert tally["percents"] == [100, 50, 50, 0] and sum(tally["percents"]) > 100
        facilitator.close()
    finally:
        for phone in phones:
            phone.context.close()
        laptop.close()
        server.kill()
