"""One room across several real `workshop serve --resume` processes on one store and one Redis
(tests/support/cluster.py): a control anywhere moves every phone, answers anywhere are in
every projector's tally, equal to a recount from the store; limits hold across processes;
report builds take turns; a killed process's phones carry on elsewhere; a Redis restart
loses nothing."""
from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.support import services
from tests.support.clients import Peer, Refused, goto_poll
from tests.support.cluster import Cluster, wait_until
from tests.support.server import new_token
from workshop.deck_file import load_deck

pytestmark = pytest.mark.slow


def synced(proc, key):
    with proc.facilitator() as f:
        return f.call("sync")["tallies"]


def every_process_agrees(cluster) -> bool:
    truth = cluster.recount()
    return all(synced(p, cluster.sid) == truth for p in cluster.procs if p.running)


def sees(phone, check, timeout: float = 5.0) -> dict:
    """The first state the phone got (in its welcome or later) that passes check."""
    def found():
        states = [w["state"] for w in phone.received("welcome")] + phone.received("state")
        return next((s for s in states if check(s)), None)
    return wait_until(found, timeout, 0.02, "a state")


def poll_is(poll_id, status=None):
    def check(state):
        return (state.get("poll") or {}).get("id") == poll_id and (
            status is None or state["poll_state"]["status"] == status)
    return check


def test_three_processes_are_one_room(tmp_path, redis):
    with Cluster(tmp_path, redis.url, size=3).start() as cluster:
        a, b, c = cluster.procs
        deck = load_deck(str(cluster.deck))
        projector = a.facilitator()
        phones = [b.phone() for _ in range(3)] + [c.phone() for _ in range(3)]
        state = goto_poll(projector, deck, "warmup-role")  # a control on A moves every phone
        for phone in phones:
            assert phone.wait_for("state", poll_is("warmup-role", "open"))["version"] == state["version"]
        projector.clear()
        started = time.monotonic()
        for k, phone in enumerate(phones):
            for n in range(4):  # changes of mind: each a new revision of the row
                reply = phone.call("answer", {"poll": "warmup-role", "value": (k + n) % 4, "uid": f"u{k}-{n}",
                                              "version": state["version"]})
                assert reply["ok"], reply
        answered = projector.wait_for("tally", lambda m: m["polls"].get("warmup-role", {}).get("answered") == 6)
        wait_until(lambda: every_process_agrees(cluster), what="every process's tallies equal the recount")
        time.sleep(0.5)
        elapsed = time.monotonic() - started
        tallies = projector.received("tally")
        assert len(tallies) <= 12 * elapsed + 2, (len(tallies), elapsed)  # coalesced, not one per answer
        last = [m["polls"]["warmup-role"] for m in tallies if "warmup-role" in m["polls"]][-1]
        assert last == cluster.recount()["warmup-role"]  # each tally is the whole room's
        assert answered["participants"] == 6
        wait_until(lambda: projector.call("sync")["state"]["connected"] == 6, what="connected on every process")

        # a poll closed through A refuses answers on B
        projector.call("control", {"action": "close", "poll": "warmup-role"})
        closed = phones[0].wait_for("state", poll_is("warmup-role", "closed"))
        reply = phones[0].call("answer", {"poll": "warmup-role", "value": 0, "uid": "late",
                                          "version": closed["version"]})
        assert reply["error"] == "poll_not_open"

        # an answer carrying a version newer than any the store has is refused clearly
        state = goto_poll(projector, deck, "ready-before")
        phones[3].wait_for("state", poll_is("ready-before"))
        reply = phones[3].call("answer", {"poll": "ready-before", "value": 3, "uid": "v",
                                          "version": state["version"] + 50})
        assert reply["error"] == "unknown_version"

        # two report builds asked of two processes at once both arrive
        got = {}

        def summary(proc):
            got[proc.port] = requests.get(proc.url(f"/s/{cluster.sid}/summary.pdf"),
                                          params={"key": proc.key}, timeout=120)
        threads = [threading.Thread(target=summary, args=(p,)) for p in (b, c)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert [r.status_code for r in got.values()] == [200, 200]
        assert all(r.content.startswith(b"%PDF") for r in got.values())
        for phone in [projector, *phones]:
            phone.close()
        assert cluster.errors() == []


def test_limits_hold_across_processes(tmp_path, redis):
    env = {"WORKSHOP_ANSWER_BURST": "3", "WORKSHOP_ANSWER_RATE": "0.1", "WORKSHOP_JOIN_GUESSES": "3"}
    with Cluster(tmp_path, redis.url, size=2, env=env).start() as cluster:
        a, b = cluster.procs
        token = new_token()
        on_a, on_b = a.phone(token), b.phone(token)  # one participant, two connections
        for n in range(3):
            on_a.call("my_score")
        assert on_b.call("my_score")["error"] == "rate_limited"  # the budget is the participant's
        on_a.close(), on_b.close()
        for proc in (a, b, a):
            with pytest.raises(Refused) as refused:
                Peer.connect(proc, proc.phone_auth(code="WRONG1"))
            assert refused.value.code == "unknown_session"
        with pytest.raises(Refused) as refused:
            b.phone()  # the right code, after three wrong ones on two processes
        assert refused.value.code == "rate_limited"
        assert cluster.errors() == []


def test_a_killed_process_loses_nothing(tmp_path, redis):
    with Cluster(tmp_path, redis.url, size=2).start() as cluster:
        a, b = cluster.procs
        deck = load_deck(str(cluster.deck))
        projector = a.facilitator()
        goto_poll(projector, deck, "warmup-role")
        tokens = [new_token() for _ in range(4)]
        on_b = [b.phone(t) for t in tokens]
        for phone in on_b:
            sees(phone, poll_is("warmup-role", "open"))
        for k, phone in enumerate(on_b):
            assert phone.call("answer", {"poll": "warmup-role", "value": k % 4, "uid": f"u{k}"})["ok"]
        wait_until(lambda: projector.call("sync")["state"]["connected"] == 4, what="4 connected")
        b.kill()
        # its phones reconnect through the load balancer to A with the same token and resend
        for k, token in enumerate(tokens):
            with a.phone(token) as phone:
                reply = phone.call("answer", {"poll": "warmup-role", "value": k % 4, "uid": f"u{k}"})
                assert reply["ok"] and reply["duplicate"], reply
        assert synced(a, cluster.sid) == cluster.recount()
        assert cluster.recount()["warmup-role"]["answered"] == 4
        # the dead process's count of connected phones expires
        wait_until(lambda: projector.call("sync")["state"]["connected"] == 0, what="B's count expired")
        projector.close()
        assert a.errors() == []


def test_a_redis_restart_loses_nothing(tmp_path):
    services.require("redis")
    redis = services.Redis(tmp_path / "redis").start()
    try:
        with Cluster(tmp_path, redis.url, size=2).start() as cluster:
            a, b = cluster.procs
            deck = load_deck(str(cluster.deck))
            projector = a.facilitator()
            goto_poll(projector, deck, "warmup-role")
            phones = [b.phone() for _ in range(3)]
            for phone in phones:
                sees(phone, poll_is("warmup-role", "open"))
            redis.stop()
            for k, phone in enumerate(phones):  # answers keep committing and being acked
                assert phone.call("answer", {"poll": "warmup-role", "value": k, "uid": f"u{k}"})["ok"]
            redis.start()
            wait_until(lambda: every_process_agrees(cluster), timeout=20,
                       what="tallies equal the recount after the restart")
            projector.call("control", {"action": "goto", "slide": deck.poll_slide_index("ready-before")})
            for phone in phones:  # broadcasts resume
                phone.wait_for("state", poll_is("ready-before"), timeout=10)
            for phone in [projector, *phones]:
                phone.close()
            assert cluster.errors() == []
    finally:
        redis.stop()


def test_two_processes_on_postgresql_are_one_room(tmp_path, redis, postgres_server):
    from tests.support.pg import fresh_database
    with Cluster(tmp_path, redis.url, size=2, database=fresh_database(postgres_server)).start() as cluster:
        a, b = cluster.procs
        deck = load_deck(str(cluster.deck))
        projector = a.facilitator()
        state = goto_poll(projector, deck, "warmup-role")
        phones = [b.phone() for _ in range(4)]
        for k, phone in enumerate(phones):
            sees(phone, poll_is("warmup-role", "open"))
            assert phone.call("answer", {"poll": "warmup-role", "value": k % 4, "uid": f"u{k}",
                                         "version": state["version"]})["ok"]
        wait_until(lambda: every_process_agrees(cluster), what="every process's tallies equal the recount")
        projector.call("control", {"action": "close", "poll": "warmup-role"})
        closed = sees(phones[0], poll_is("warmup-role", "closed"))
        reply = phones[0].call("answer", {"poll": "warmup-role", "value": 3, "uid": "late",
                                          "version": closed["version"]})
        assert reply["error"] == "poll_not_open"
        assert phones[1].call("answer", {"poll": "warmup-role", "value": 1, "uid": "u1"})["duplicate"]
        for phone in [projector, *phones]:
            phone.close()
        assert cluster.errors() == []
