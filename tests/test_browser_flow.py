"""A real room in a real browser: console, projector and five phones on the default deck.

One `workshop serve` and one chromium for the module; the phones join through the URL that
the projector's QR code encodes, and every poll type is answered as the console moves on.
The tests share the room, but each one moves it to its own poll first.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import pytest
import requests
from playwright.sync_api import expect

from tests.support.browser import browser  # noqa: F401 - the module's chromium, a fixture
from tests.support.browser import (
    PageErrors, Phone, WAIT_MS, chromium, decode_qr, facilitator_context, has_cjk,
    phone_context, start_server, wait_connected, wait_slide, wait_until)
from tests.support import DECK
from workshop.deck_file import load_deck

pytestmark = pytest.mark.browser

PHONES = 5


@dataclass
class Room:
    projector: object
    console: object
    facilitator: object  # the laptop's browser context (projector and console tabs)
    phones: list[Phone]
    qr_url: str  # what the projector's QR code says
    truth: object  # a Python facilitator client: the server's own tallies
    errors: PageErrors = field(default_factory=PageErrors)

    def tallies(self) -> dict:
        reply = self.truth.call("sync", {})
        assert reply["ok"], reply
        return reply["tallies"]


@pytest.fixture(scope="module")
def deck():
    return load_deck(DECK)


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("browser-flow"))
    yield s
    s.kill()
    assert s.errors() == [], "the server logged a traceback through server/"


def qr_of(page, selector: str) -> str:
    """Decode the QR code drawn by the element at selector, from a screenshot."""
    node = page.locator(selector)
    expect(node).to_be_visible()
    page.wait_for_function(
        "s => { const n = document.querySelector(s);"
        " return n.tagName !== 'IMG' || (n.complete && n.naturalWidth > 0); }",
        arg=selector)
    return decode_qr(node.screenshot())


@pytest.fixture(scope="module")
def room(browser, server):
    errors = PageErrors()
    laptop = facilitator_context(browser)
    projector = errors.watch(laptop.new_page(), "projector")
    projector.goto(server.urls["projector"])
    wait_connected(projector)
    console = errors.watch(laptop.new_page(), "console")
    console.set_viewport_size({"width": 1440, "height": 900})
    console.goto(server.urls["console"])
    wait_connected(console)
    wait_slide(projector, 0)
    qr_url = qr_of(projector, ".slide.is-current .join-card__qr")
    phones = []
    for n in range(PHONES):
        ctx = phone_context(browser, n)
        page = errors.watch(ctx.new_page(), f"phone{n}")
        page.goto(qr_url)
        phones.append(Phone(page, ctx))
    for phone in phones:
        wait_connected(phone.page)
    truth = server.facilitator()
    yield Room(projector, console, laptop, phones, qr_url, truth, errors)
    truth.close()
    for phone in phones:
        phone.context.close()
    laptop.close()
    assert errors.errors == [], "a page threw an uncaught exception"


# ----- helpers ---------------------------------------------------------------------------

def current_slide(page):
    return page.locator(".slide.is-current")


def in_step(room: Room, deck, index: int) -> None:
    """Assert that console, projector and every phone show slide `index`."""
    expect(room.console.get_by_test_id(f"goto-{index}")).to_have_attribute("aria-current", "step")
    wait_slide(room.projector, index)
    expect(current_slide(room.projector)).to_have_attribute("data-index", str(index))
    slide = deck.slides[index]
    for phone in room.phones:
        if slide.poll:
            expect(phone.tid("poll")).to_be_visible()
            expect(phone.tid("poll-question")).to_have_text(slide.poll.question)
        else:
            expect(phone.tid("waiting")).to_be_visible()
            expect(phone.tid("poll")).to_be_hidden()
            expect(phone.tid("waiting-slide")).to_have_text(slide.heading)


def show(room: Room, deck, poll_id: str) -> int:
    """Click the poll's slide in the console list and wait until everyone is there, voting open
    (a poll the room moved past was closed then: the console opens it again)."""
    index = deck.poll_slide_index(poll_id)
    room.console.get_by_test_id(f"goto-{index}").click()
    in_step(room, deck, index)
    slide = current_slide(room.projector)
    expect(slide).not_to_have_attribute("data-status", "pending")
    if slide.get_attribute("data-status") == "closed":
        room.console.get_by_test_id("con-voting").click()
    expect(slide).to_have_attribute("data-status", "open")
    for phone in room.phones:
        phone.wait_poll(deck.polls[poll_id].question)
    return index


def answered_within(room: Room, n: int, extra_js: str = "true", deadline_ms: int = 1000) -> float:
    """Wait (at most deadline_ms) until the projector says n answered and extra_js holds."""
    start = time.monotonic()
    room.projector.wait_for_function(
        "n => { const a = document.querySelector('.slide.is-current [data-testid=answered-count]');"
        f" return !!a && a.dataset.answered === String(n) && ({extra_js}); }}",
        arg=n, timeout=deadline_ms, polling=20)  # not 'raf': a tab behind the console paints rarely
    return time.monotonic() - start


def bar_counts(scope) -> list[int]:
    """Return data-count of each bar row of a choice chart, by data-index."""
    rows = scope.locator("li[data-index]")
    pairs = [(int(r.get_attribute("data-index")), int(r.get_attribute("data-count") or 0))
             for r in rows.all()]
    return [count for _, count in sorted(pairs)]


def cloud_terms(scope) -> list[str]:
    """Return the word cloud's terms (without the screen-reader count after each)."""
    return scope.locator(".cloud__term").evaluate_all("nodes => nodes.map(n => n.firstChild.textContent)")


def expected_counts(picks: list[int], options: int) -> list[int]:
    return [picks.count(i) for i in range(options)]


# ----- the facilitator's pages -----------------------------------------------------------

def test_facilitator_key_leaves_the_address_bar_for_an_httponly_cookie(server, room):
    for page, view in ((room.projector, "projector"), (room.console, "console")):
        assert page.url == server.url(f"/s/{server.sid}/{view}")
        assert server.key not in page.url
        assert server.key not in page.evaluate("document.cookie")
    cookies = [c for c in room.facilitator.cookies() if c["name"] == f"wk_{server.sid}"]
    assert len(cookies) == 1
    assert cookies[0]["httpOnly"] is True
    assert cookies[0]["sameSite"] == "Strict"
    assert cookies[0]["value"] == server.key


def test_projector_qr_codes_encode_the_printed_join_url(server, room):
    assert room.qr_url == server.urls["join"]
    assert room.qr_url == server.url(f"/j/{server.code}")
    room.console.get_by_test_id("con-qr").click()
    expect(room.projector.get_by_test_id("qr-overlay")).to_be_visible()
    expect(room.console.get_by_test_id("con-qr")).to_have_attribute("aria-pressed", "true")
    room.projector.wait_for_timeout(400)  # let the overlay's entrance finish before the shot
    assert qr_of(room.projector, ".qr-overlay__qr") == server.urls["join"]
    room.console.get_by_test_id("con-qr").click()
    expect(room.projector.get_by_test_id("qr-overlay")).to_be_hidden()


def test_five_phones_join_through_the_qr_url_and_are_counted(server, room):
    names = set()
    for phone in room.phones:
        assert phone.page.url == server.urls["join"]
        expect(phone.tid("connection")).to_have_attribute("data-state", "connected")
        names.add(phone.who())
    assert len(names) == PHONES, names
    expect(room.console.get_by_test_id("participants-connected")).to_have_text(str(PHONES))
    expect(room.console.get_by_test_id("participants-joined")).to_have_text(str(PHONES))
    expect(room.projector.get_by_test_id("participants")).to_contain_text(str(PHONES))


def test_console_next_prev_and_goto_move_projector_and_phones_together(room, deck):
    con = room.console
    con.get_by_test_id("goto-0").click()
    in_step(room, deck, 0)
    con.get_by_test_id("con-next").click()
    in_step(room, deck, 1)
    con.get_by_test_id("con-next").click()
    in_step(room, deck, 2)
    con.get_by_test_id("con-prev").click()
    in_step(room, deck, 1)
    con.get_by_test_id("goto-7").click()
    in_step(room, deck, 7)
    expect(con.get_by_test_id("current-slide")).to_contain_text("8")
    notes = deck.slides[7].notes.strip()
    if notes:
        expect(con.get_by_test_id("notes")).to_contain_text(notes.splitlines()[0].strip())


# ----- every poll type ---------------------------------------------------------------------

def test_choice_answers_reach_the_projector_within_a_second(room, deck):
    show(room, deck, "warmup-role")
    picks = [0, 1, 1, 2, 1]
    for phone, pick in zip(room.phones, picks):
        phone.choose(pick)
    elapsed = answered_within(room, PHONES, "document.querySelector('.slide.is-current li[data-index=\"1\"]')"
                                            ".dataset.count === '3'")
    assert elapsed <= 1.0
    want = expected_counts(picks, 4)
    assert bar_counts(room.projector.get_by_test_id("results-warmup-role")) == want
    expect(room.console.get_by_test_id("console-answered")).to_contain_text(str(PHONES))
    for phone, pick in zip(room.phones, picks):  # shown by default: each phone sees the room
        results = phone.tid("phone-results")
        expect(results).to_be_visible()
        expect(results.locator(f'li[data-index="{pick}"]')).to_have_class(re.compile(r"\bis-mine\b"))
        wait_until(lambda: bar_counts(results) == want, message="phone results match")
    assert room.tallies()["warmup-role"]["counts"] == want


@pytest.mark.parametrize("poll_id, values, mean", [
    ("tension-instinct-process", [1, 2, 2, 4, 5], "2.8"),
    ("tension-dream-reality", [0, 10, 7, 7, 3], "5.4"),
])
def test_scale_answers_draw_a_histogram_with_the_mean(room, deck, poll_id, values, mean):
    show(room, deck, poll_id)
    for phone, value in zip(room.phones, values):
        phone.scale(value)
    shown_mean = "(document.querySelector('.slide.is-current [data-testid=scale-mean]') || {}).textContent"
    answered_within(room, PHONES, f"{shown_mean} === '{mean}'")
    poll = deck.polls[poll_id]
    chart = room.projector.get_by_test_id(f"results-{poll_id}")
    for v in range(poll.scale_min, poll.scale_max + 1):
        column = chart.locator(f'.histo__col[data-value="{v}"]')
        expect(column).to_have_attribute("data-count", str(values.count(v)))
    expect(chart.get_by_test_id("scale-mean")).to_have_text(mean)
    mine = room.phones[1].tid("phone-results")
    expect(mine.locator(f'.histo__col[data-value="{values[1]}"]')).to_have_class(re.compile(r"\bis-mine\b"))
    expect(mine.get_by_test_id("scale-mean")).to_have_text(mean)


def test_ranking_answers_order_the_items_by_average_rank(room, deck):
    show(room, deck, "homework-first-step")
    orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [2, 0, 1], [0, 1, 2]]
    for n, (phone, order) in enumerate(zip(room.phones, orders)):
        if n == 1:  # one phone taps 2, 0, 1 and then moves "Build trust" up with the arrow button
            for item in (2, 0, 1):
                phone.tid(f"ranking-item-{item}").tap()
            phone.tid("ranking-up-0").tap()
            expect(phone.page.locator(".rank-list--ranked .rank-item__text")).to_have_text(
                [deck.polls["homework-first-step"].items[i] for i in order])
            phone.submit()
        else:
            phone.rank(order)
    answered_within(room, PHONES)
    chart = room.projector.get_by_test_id("results-homework-first-step")
    average = {i: sum(o.index(i) + 1 for o in orders) / len(orders) for i in range(3)}  # 1.4, 2.2, 2.4
    for place, item in enumerate(sorted(average, key=average.get), start=1):
        row = chart.locator(f'li[data-index="{item}"]')
        expect(row).to_have_attribute("data-place", str(place))
        assert float(row.get_attribute("data-rank")) == pytest.approx(average[item])
    assert room.tallies()["homework-first-step"]["order"] == [0, 1, 2]


def test_quiz_reveal_with_the_r_key_marks_the_correct_answer(room, deck):
    show(room, deck, "quiz-fire-principle")
    slide = current_slide(room.projector)
    expect(slide).to_have_attribute("data-revealed", "false")
    picks = [0, 0, 1, 2, 0]
    for phone, pick in zip(room.phones, picks):
        phone.choose(pick)
    answered_within(room, PHONES, deadline_ms=WAIT_MS)
    chart = room.projector.get_by_test_id("results-quiz-fire-principle")
    assert bar_counts(chart) == [0, 0, 0, 0], "hidden results leaked to the projector"
    for phone in room.phones:
        expect(phone.tid("phone-results")).to_be_hidden()
    expect(room.console.get_by_test_id("con-results")).to_contain_text("closes voting")
    expect(room.console.get_by_test_id("poll-lifecycle")).to_contain_text("closes voting first")

    room.projector.keyboard.press("r")
    expect(slide).to_have_attribute("data-revealed", "true")
    expect(room.console.get_by_test_id("console-reveal-state")).to_have_class("pill pill--revealed")
    for phone in room.phones:  # voting closed before the answer was shown: nothing offers a change
        expect(phone.tid("answer-status")).to_contain_text("Voting closed: the answer is being shown.")
        expect(phone.page.locator("#submit")).to_be_hidden()
        expect(phone.page.locator('[data-testid="poll"] input').first).to_be_disabled()
    want = expected_counts(picks, 4)
    wait_until(lambda: bar_counts(chart) == want, message="projector quiz counts")
    expect(chart.locator('li[data-index="0"]')).to_have_class(re.compile(r"\bis-correct\b"))
    expect(chart.locator('li[data-index="0"] .bar__correct')).to_be_visible()
    expect(chart.locator('li[data-index="0"] .bar__correct')).to_have_text("✓ correct")
    expect(chart.locator('li:not([data-index="0"]) .bar__correct')).to_have_count(3)
    for extra in chart.locator('li:not([data-index="0"]) .bar__correct').all():
        expect(extra).to_be_hidden()
    for phone in room.phones:
        results = phone.tid("phone-results")
        expect(results).to_be_visible()
        expect(results.locator('li[data-index="0"] .bar__correct')).to_be_visible()
        wait_until(lambda: bar_counts(results) == want, message="phone quiz counts")


def test_scenario_reveal_from_the_console_shows_the_tips(room, deck):
    show(room, deck, "scenario-ming")
    tips = current_slide(room.projector).get_by_test_id("scenario-tips")
    expect(tips).to_be_hidden()
    picks = [1, 1, 0, 3, 1]
    for phone, pick in zip(room.phones, picks):
        phone.choose(pick)
    answered_within(room, PHONES, deadline_ms=WAIT_MS)
    room.console.get_by_test_id("con-results").click()
    expect(current_slide(room.projector)).to_have_attribute("data-revealed", "true")
    expect(tips).to_be_visible()
    for tip in deck.slides[deck.poll_slide_index("scenario-ming")].tips:
        expect(tips).to_contain_text(tip)
    want = expected_counts(picks, 4)
    for phone in room.phones:
        results = phone.tid("phone-results")
        expect(results).to_be_visible()
        wait_until(lambda: bar_counts(results) == want, message="phone scenario counts")


def test_offline_phone_queues_its_answer_and_it_counts_once(server, room, deck):
    show(room, deck, "scenario-wang")
    picks = [1, 1, 0, 1, 3]
    for phone, pick in zip(room.phones[:-1], picks):
        phone.choose(pick)
    late = room.phones[-1]
    late.context.set_offline(True)
    expect(late.tid("connection")).to_have_attribute("data-state", "offline")
    late.tid(f"choice-option-{picks[-1]}").check()
    late.tid("submit").tap()
    late.wait_status("queued")
    time.sleep(0.5)
    assert room.tallies()["scenario-wang"]["answered"] == PHONES - 1
    late.context.set_offline(False)
    late.wait_status("received", timeout=30_000)
    answered_within(room, PHONES, deadline_ms=WAIT_MS)
    time.sleep(1.5)  # a second delivery of the queued answer would land by now
    tally = room.tallies()["scenario-wang"]
    assert tally["answered"] == PHONES
    assert tally["counts"] == expected_counts(picks, 4)
    export = requests.get(server.url(f"/s/{server.sid}/export.json"),
                          headers={"X-Workshop-Key": server.key}, timeout=10).json()
    rows = [a for a in export["answers"] if a["poll_id"] == "scenario-wang"]
    assert len(rows) == PHONES, rows
    expect(current_slide(room.projector).get_by_test_id("answered-count")).to_have_attribute(
        "data-answered", str(PHONES))


def test_reloading_a_phone_keeps_its_identity_and_answers(room, deck):
    phone = room.phones[2]
    show(room, deck, "scenario-wang")  # answered option 0 in the previous test
    name = phone.who()
    phone.page.reload()
    wait_connected(phone.page)
    assert phone.who() == name
    phone.wait_status("received")
    expect(phone.tid("choice-option-0")).to_be_checked()
    show(room, deck, "warmup-role")  # an earlier answer comes back too
    phone.wait_status("received")
    expect(phone.tid("choice-option-1")).to_be_checked()
    expect(room.console.get_by_test_id("participants-joined")).to_have_text(str(PHONES))


def test_hiding_an_open_answer_in_the_console_removes_it_from_the_projector(room, deck):
    show(room, deck, "homework-followers-why")
    texts = ["Followers trust the leader", "Subordinates only obey", "Trust turns people into followers",
             "Followers choose to follow", "Hide this silly answer"]
    for phone, text in zip(room.phones, texts):
        phone.write(text)
    answered_within(room, PHONES, deadline_ms=WAIT_MS)
    latest = current_slide(room.projector).get_by_test_id("open-latest")
    expect(latest.locator("li")).to_have_count(PHONES)
    expect(latest).to_contain_text(texts[-1])
    slide = current_slide(room.projector)
    wait_until(lambda: "followers" in cloud_terms(slide), message="cloud term")
    rows = room.console.get_by_test_id("open-answer")
    expect(rows).to_have_count(PHONES)
    target = rows.filter(has_text=texts[-1])
    target.get_by_test_id("hide-answer").click()
    expect(target).to_have_class("con-answer is-hidden")
    expect(latest).not_to_contain_text(texts[-1])
    expect(latest.locator("li")).to_have_count(PHONES - 1)
    wait_until(lambda: "silly" not in cloud_terms(slide), message="hidden answer's terms leave the cloud")
    assert room.tallies()["homework-followers-why"]["hidden"] == 1


def test_a_phone_in_chinese_sends_a_chinese_answer_to_the_word_cloud(room, deck):
    show(room, deck, "homework-leader")
    phone = room.phones[4]
    phone.tid("lang-zh").tap()
    phone.page.wait_for_selector('html[lang="zh"]')
    wait_connected(phone.page)
    expect(phone.tid("lang-zh")).to_have_attribute("aria-pressed", "true")
    phone.wait_poll(deck.polls["homework-leader"].question)  # the deck's own language stays
    assert has_cjk(phone.tid("submit").inner_text())
    assert has_cjk(phone.tid("phone-voting-state").inner_text())
    assert has_cjk(phone.page.locator("#me-label").inner_text())
    answer = "以身作则，倾听团队"
    phone.write(answer)
    assert has_cjk(phone.tid("answer-status").inner_text())
    room.phones[0].write("Lead by example and listen")
    answered_within(room, 2, deadline_ms=WAIT_MS)
    slide = current_slide(room.projector)
    expect(slide.get_by_test_id("open-latest")).to_contain_text(answer)
    wait_until(lambda: {"以身作则", "倾听", "团队"} <= set(cloud_terms(slide)),  # dictionary words
               message="Chinese terms in the word cloud")
    expect(room.console.get_by_test_id("participants-joined")).to_have_text(str(PHONES))


def test_the_open_answer_counter_counts_characters_as_the_server_does(room, deck):
    show(room, deck, "homework-leader")
    limit = deck.polls["homework-leader"].max_length
    phone = room.phones[1]
    area = phone.tid("open-input")
    area.fill("👍" * (limit + 5))  # one character each, two UTF-16 units each
    area.dispatch_event("input")
    assert area.evaluate("a => [...a.value].length") == limit  # never more than the server takes
    expect(phone.page.locator(".counter")).to_have_text(f"{limit} / {limit}")
    phone.submit()
    stored = room.tallies()["homework-leader"]["latest"][0]["text"]
    assert stored == "👍" * limit
