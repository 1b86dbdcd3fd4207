"""Load-test a live session: N phones join, answer polls in bursts, and nothing may be lost.

Starts `workshop serve` on a free port of 127.0.0.1 with a fresh database (or targets a
running server with --url/--session/--code/--key), connects N simulated phones (python-socketio
AsyncClient, websocket only, in --procs worker processes) in waves, and has a facilitator
client move to each of --polls poll slides. All phones answer each poll within --burst
seconds, uniformly spread; --drop-share of them drop their connection right after sending,
reconnect and resend the unacknowledged answer with the same uid. The same load then runs
against scripts/bare_server.py (a bare Flask-SocketIO + SQLite server on the same stack)
unless --no-bare. docs/performance.md explains every number. Run it from the repository root:

    .venv/bin/python -m scripts.loadtest --phones 1000 --polls 3 --burst 3 --repeat 3 --json out.json

Each generator process reports its own CPU and event-loop lag (`generator` in the JSON), with a
WARNING when it was saturated: its latencies then include its own queueing (add --procs).
The phones are in scripts/load/phones.py, the servers under test in servers.py, one run in
run.py, the medians and the report in report.py.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

if not __package__:  # started as a file, where `scripts` cannot be imported
    raise SystemExit("run it from the repository root as a module: python -m scripts.loadtest")

from scripts.load.phones import raise_open_files  # noqa: E402
from scripts.load.report import summarise, table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def use_the_venv() -> None:
    """Run under the project's .venv when started by another Python (`python3 -m scripts.loadtest`)."""
    try:
        import aiohttp  # noqa: F401
        import psutil  # noqa: F401
        import socketio  # noqa: F401
    except ImportError:
        venv = ROOT / ".venv" / "bin" / "python"
        if venv.exists() and sys.executable != str(venv):
            os.execv(str(venv), [str(venv), "-m", "scripts.loadtest", *sys.argv[1:]])
        raise SystemExit("the load test needs the test extras: run `make install` first") from None


def choose_polls(deck_path: str, k: int) -> list[dict]:
    """Return the deck's first k polls as phones see them, each with its slide's index."""
    from workshop.deck_file import load_deck
    deck = load_deck(deck_path)
    chosen = list(deck.polls.values())[:k]
    return [{**p.public(), "slide": deck.poll_slide_index(p.id)} for p in chosen]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--phones", "--participants", type=int, default=1000, help="simulated phones (participants)")
    ap.add_argument("--polls", type=int, default=3, help="polls answered, the deck's first K")
    ap.add_argument("--burst", type=float, default=3.0, help="seconds in which every phone answers a poll")
    ap.add_argument("--drop-share", type=float, default=0.0, help="share of phones that drop and resend")
    ap.add_argument("--repeat", type=int, default=1, help="runs per server; medians are reported")
    ap.add_argument("--procs", type=int, default=1, help="load-generator worker processes")
    ap.add_argument("--loop", default="auto", choices=("auto", "uvloop", "asyncio"),
                    help="the generator's event loop; auto takes uvloop when installed")
    ap.add_argument("--wave", type=int, default=100, help="phones connecting at once, per worker")
    ap.add_argument("--wave-pause", type=float, default=0.05, help="seconds between connection waves")
    ap.add_argument("--pause", type=float, default=1.0, help="seconds between polls")
    ap.add_argument("--ack-timeout", type=float, default=30.0, help="seconds to wait for one ack")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quiet", type=float, metavar="CORES", help="before each run, wait until other "
                    "processes use at most this many cores (a shared machine)")
    ap.add_argument("--quiet-wait", type=float, default=600, help="give up waiting for --quiet after this many s")
    ap.add_argument("--no-bare", action="store_true", help="skip the bare Flask-SocketIO server")
    ap.add_argument("--async-mode", default="gevent", choices=("gevent", "threading"),
                    help="WORKSHOP_ASYNC_MODE of the workshop server started here")
    ap.add_argument("--server-root", metavar="DIR", help="run the workshop server of another checkout "
                    "(to measure before and after a change)")
    ap.add_argument("--deck", default=str(ROOT / "decks" / "leaders-role.yaml"))
    ap.add_argument("--url", help="target a running server instead of starting one")
    ap.add_argument("--session", help="with --url: the session id")
    ap.add_argument("--code", help="with --url: the join code")
    ap.add_argument("--key", help="with --url: the facilitator key (write --key=KEY: it may start with -)")
    ap.add_argument("--db", help="with --url: its database, to count lost and duplicate answers")
    ap.add_argument("--pid", type=int, help="with --url: its process id, for CPU and RSS")
    ap.add_argument("--py-spy", metavar="PREFIX", help="profile the workshop server with py-spy "
                    "(collapsed stacks of the bursts to PREFIX.RUN.txt)")
    ap.add_argument("--records", metavar="PREFIX", help="write every answer's times to PREFIX.SERVER.RUN.csv")
    ap.add_argument("--json", help="write the medians (and every run) to this file")
    ap.add_argument("--download", choices=("summary", "handouts"),
                    help="the facilitator downloads this report in the middle of every burst")
    ap.add_argument("--qa", action="store_true", help="audience Q&A instead of polls: a few questions "
                    "are asked, then every phone upvotes one in a burst (scripts/load/qa.py)")
    ap.add_argument("--keep", metavar="DIR", help="keep the servers' databases and logs in DIR")
    ap.add_argument("--workers", type=int, metavar="N", help="run the load against `serve --workers "
                    "N` on its own Redis and PostgreSQL, then one process on SQLite (scripts/load/cluster.py)")
    ap.add_argument("--kill-worker", type=int, default=0, metavar="K",
                    help="with --workers: SIGKILL K workers at random moments of the bursts")
    ap.add_argument("--no-single", action="store_true", help="with --workers: skip the one-process run")
    ap.add_argument("--direct", action="store_true",
                    help="with --workers: phones connect to the workers themselves, spread evenly, "
                         "not through HAProxy (for more phones than its open files allow)")
    args = ap.parse_args(argv)
    use_the_venv()
    from scripts.load.run import run_once  # the test extras, now that they are there
    from scripts.load.servers import Server, wait_for_quiet
    if args.url and not (args.session and args.code and args.key):
        ap.error("--url needs --session, --code and --key")
    raise_open_files()
    if args.qa:
        return main_qa(args)
    polls = choose_polls(args.deck, args.polls)
    if args.workers:
        from scripts.load.cluster import main_cluster
        return main_cluster(args, polls)
    runs = {"workshop": [], "bare": []}
    with tempfile.TemporaryDirectory(prefix="loadtest-") as tmp:
        if args.keep:  # the servers' databases and logs, to look at afterwards
            tmp = args.keep
            Path(tmp).mkdir(parents=True, exist_ok=True)
        for run_no in range(args.repeat):
            for kind in ("workshop", "bare"):
                if kind == "bare" and args.no_bare:
                    continue
                if args.quiet is not None:
                    wait_for_quiet(args.quiet, args.quiet_wait)
                if kind == "workshop" and args.url:
                    target = {"url": args.url, "session": args.session, "code": args.code, "key": args.key,
                              "db": args.db, "pid": args.pid}
                    res = run_once(args, target, polls, run_no)
                else:
                    env = {"WORKSHOP_ASYNC_MODE": args.async_mode} if kind == "workshop" else {}
                    server = Server(kind, Path(tmp), env, Path(args.server_root or ROOT))
                    try:
                        res = run_once(args, {**vars(server), "profile": kind == "workshop"}, polls, run_no)
                    finally:
                        server.stop()
                runs[kind].append(res)
                print(f"run {run_no + 1}/{args.repeat} {kind}: {args.phones} phones, "
                      f"ack p99 {res['ack_ms']['p99']} ms, projector p99 {res['projector_ms']['p99']} ms, "
                      f"lost {res['lost']}, duplicates {res['duplicates']}", file=sys.stderr, flush=True)
    report = summarise(runs, vars(args))
    print(f"{args.phones} phones, {len(polls)} polls, {args.burst:g} s bursts, drop share "
          f"{args.drop_share:g}, median of {args.repeat}:")
    print(table(report, report["bare"]))
    if report["ratio_to_bare"]:
        print(f"ratio to bare: ack p99 x{report['ratio_to_bare']['ack_p99']}, "
              f"throughput x{report['ratio_to_bare']['throughput']}")
    gen = report["generator"]  # --procs: was the load generator itself the bottleneck?
    print(f"generator: {gen['procs']} process(es), busiest {gen['cpu_pct_max']}% of a core, "
          f"loop lag p99 {gen['lag_p99_ms_max']} ms, max {gen['lag_max_ms']} ms")
    for warning in ([gen["warning"]] if isinstance(gen["warning"], str) else gen["warning"] or []):
        if warning:
            print(f"WARNING: {warning}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


def main_qa(args) -> int:
    """`--qa`: the upvote burst against the workshop server only (the bare one has no Q&A)."""
    import statistics

    from scripts.load.qa import run_qa
    from scripts.load.report import median_of
    from scripts.load.servers import Server
    runs = []
    with tempfile.TemporaryDirectory(prefix="loadtest-qa-") as tmp:
        for run_no in range(args.repeat):
            server = Server("workshop", Path(args.keep or tmp), {"WORKSHOP_ASYNC_MODE": args.async_mode},
                            Path(args.server_root or ROOT))
            try:
                res = run_qa(args, vars(server), run_no)
            finally:
                server.stop()
            runs.append(res)
            print(f"run {run_no + 1}/{args.repeat} qa: {args.phones} phones, ack p99 {res['qa_ack_ms']['p99']} ms, "
                  f"order {res['qa_projector_order_ms']} ms, lost {res['qa_votes_lost']}, "
                  f"duplicates {res['qa_votes_duplicates']}", file=sys.stderr, flush=True)
    report = {**median_of([{k: v for k, v in r.items() if k != "qa_expected_votes"} for r in runs]),
              "qa_votes_lost": sum(r["qa_votes_lost"] or 0 for r in runs),
              "qa_votes_duplicates": sum(r["qa_votes_duplicates"] or 0 for r in runs),
              "config": {k: v for k, v in vars(args).items() if k != "key"}, "runs": runs}
    orders = [r["qa_projector_order_ms"] for r in runs if r["qa_projector_order_ms"] is not None]
    report["qa_projector_order_ms"] = statistics.median(orders) if orders else None
    print(f"{args.phones} phones upvoting in {args.burst:g} s, median of {args.repeat}:")
    for key in ("connected", "qa_votes_sent", "qa_votes_acked", "qa_votes_stored", "qa_votes_lost",
                "qa_votes_duplicates", "qa_ack_ms", "qa_projector_order_ms"):
        print(f"  {key:<24} {report[key]}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
