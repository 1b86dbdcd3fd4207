"""Every phone of a big room downloads its takeaway: how long they wait, and the room meanwhile.

The end of a town hall: the facilitator allows takeaways and thousands of phones ask for
their own PDF within a minute. This script simulates a finished session of N participants
(`workshop simulate`), serves it with `workshop serve --resume`, allows takeaways from a
facilitator socket, then has every participant download `/j/CODE/takeaway.pdf` at --rate a
second while a probe asks `/healthz` every 50 ms (how long the room's event loop keeps
everyone else waiting). It prints the medians of --repeat runs; `--server-root DIR` runs
another checkout's server (before and after a change).

    .venv/bin/python -m scripts.bench_takeaways -n 3000 --rate 100 --repeat 3   # from the repository root
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if not __package__:  # started as a file, where `scripts` cannot be imported
    raise SystemExit("run it from the repository root as a module: python -m scripts.bench_takeaways")

from scripts.load.report import median_of, ms, pct  # noqa: E402
from tests.support.server import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def serve(root: Path, db: Path, session: str, log) -> tuple[subprocess.Popen, str, str, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", "from server.cli import main; main()", "serve", "--resume",
                             session, "--db", str(db), "--host", "127.0.0.1", "--port", str(port), "--no-qr"],
                            cwd=root, stdout=subprocess.PIPE, stderr=log, text=True)
    code = key = None
    while not (code and key):
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the server exited; see its log")
        code = code or (m.group(1) if (m := re.search(r"join code (\w+)", line)) else None)
        key = key or (m.group(1) if (m := re.search(r"Projector URL: .*\?key=(\S+)", line)) else None)
    return proc, f"http://127.0.0.1:{port}", code, key


async def run(url: str, code: str, session: str, key: str, tokens: list[str], rate: float) -> dict:
    import aiohttp
    import socketio
    fac = socketio.AsyncClient()
    await fac.connect(url, transports=["websocket"], auth={"role": "facilitator", "session": session, "key": key})
    ack = await fac.call("control", {"action": "takeaways", "allow": True}, timeout=30)
    assert ack.get("ok"), ack
    waits, probes, failed = [], [], 0
    done = asyncio.Event()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        async def probe():
            while not done.is_set():
                t = time.monotonic()
                async with http.get(f"{url}/healthz") as r:
                    await r.read()
                probes.append(time.monotonic() - t)
                await asyncio.sleep(0.05)

        async def download(i: int, token: str, start: float):
            nonlocal failed
            await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
            t = time.monotonic()
            try:
                async with http.post(f"{url}/j/{code}/takeaway.pdf", data={"token": token},
                                    timeout=aiohttp.ClientTimeout(total=600)) as r:
                    body = await r.read()
                if r.status == 200 and body.startswith(b"%PDF"):
                    waits.append(time.monotonic() - t)
                else:
                    failed += 1
            except Exception:
                failed += 1

        prober = asyncio.ensure_future(probe())
        start = time.monotonic() + 0.5
        await asyncio.gather(*(download(i, tok, start) for i, tok in enumerate(tokens)))
        total = time.monotonic() - start
        done.set()
        await prober
    await fac.disconnect()
    return {"downloads": len(waits), "failed": failed, "total_s": round(total, 1),
            "wait_ms": {"p50": ms(pct(waits, 50)), "p99": ms(pct(waits, 99)), "max": ms(max(waits, default=None))},
            "healthz_ms": {"p50": ms(pct(probes, 50)), "p99": ms(pct(probes, 99)), "max": ms(max(probes, default=None))}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--participants", type=int, default=3000)
    ap.add_argument("--rate", type=float, default=100, help="takeaway downloads a second")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--server-root", metavar="DIR", default=str(ROOT))
    ap.add_argument("--json", help="write the medians and every run here")
    args = ap.parse_args(argv)
    runs = []
    with tempfile.TemporaryDirectory(prefix="takeaways-") as tmp:
        db = Path(tmp) / "w.db"
        made = subprocess.run([sys.executable, "-c", "from server.cli import main; main()", "simulate",
                               "--participants", str(args.participants), "--seed", "1", "--db", str(db)],
                              cwd=ROOT, capture_output=True, text=True, check=True)
        session = made.stdout.strip().splitlines()[-1]
        with sqlite3.connect(db) as con:
            tokens = [t for (t,) in con.execute("SELECT token FROM participants WHERE session_id = ? "
                                                "ORDER BY id", (session,))]
        for n in range(args.repeat):
            with open(Path(tmp) / f"serve-{n}.log", "w") as log:
                proc, url, code, key = serve(Path(args.server_root), db, session, log)
                try:
                    res = asyncio.run(run(url, code, session, key, tokens, args.rate))
                finally:
                    proc.terminate()
                    proc.wait(30)
            runs.append(res)
            print(f"run {n + 1}/{args.repeat}: {res}", file=sys.stderr, flush=True)
    med = median_of(runs)
    print(f"{args.participants} takeaways at {args.rate:g}/s, median of {args.repeat}:")
    print(f"  downloaded {med['downloads']:g}, failed {med['failed']:g}, all done in {med['total_s']} s")
    print(f"  a phone waits ms: p50 {med['wait_ms']['p50']}, p99 {med['wait_ms']['p99']}, max {med['wait_ms']['max']}")
    print(f"  /healthz meanwhile ms: p50 {med['healthz_ms']['p50']}, p99 {med['healthz_ms']['p99']}, "
          f"max {med['healthz_ms']['max']}")
    if args.json:
        Path(args.json).write_text(json.dumps({"median": med, "runs": runs, "config": vars(args)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
