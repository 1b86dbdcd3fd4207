"""One run of the load: a projector records every tally, the phones connect, and answer each
poll in a burst while the server's CPU, memory and the projector's view are measured."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from scripts.load.phones import Workers, worker_config
from scripts.load.report import generator_summary, ms, pct
from scripts.load.servers import Monitor, machine_busy, read_store


async def facilitator(url, session, key):
    import socketio
    # the projector reconnects by itself, as the real page does, if an overloaded server drops it
    sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5, handle_sigint=False)
    tallies: list[tuple[float, dict]] = []
    sio.on("tally", lambda data: tallies.append(
        (time.monotonic(), {p: r.get("answered", 0) for p, r in (data.get("polls") or {}).items()})))
    await sio.connect(url, transports=["websocket"], wait_timeout=20,
                      auth={"role": "facilitator", "session": session, "key": key})
    return sio, tallies


def projector_latencies(records: list[dict], tallies: list, poll: str, baseline: int) -> tuple[list, int]:
    """Pair the k-th answer by ack order with the first tally whose `answered` reaches k.

    Each new answer adds exactly one to `answered`, so the time a tally first shows k answers
    is the time k answers were visible; the k-th acknowledged answer is taken to be among
    them, and never counted as seen before its own ack (when it is certainly committed).
    """
    firsts = {}
    for r in records:
        if r["ok"] and r["poll"] == poll and r["pid"] not in firsts:
            firsts[r["pid"]] = r
    order = sorted(firsts.values(), key=lambda r: r["acked"])
    shown = sorted((t, counts[poll] - baseline) for t, counts in tallies if poll in counts)
    out, i, missing = [], 0, 0
    for k, r in enumerate(order, 1):
        while i < len(shown) and shown[i][1] < k:
            i += 1
        if i == len(shown):
            missing += 1
            continue
        if not r["dropped"]:  # a dropped phone's wait includes its reconnect: not the projector's
            out.append(max(shown[i][0], r["acked"]) - r["first"])
    return out, missing


async def download(target: dict, report: str, at: float) -> float | None:
    """Fetch a facilitator's report at monotonic time `at` (mid-burst); return its seconds."""
    import aiohttp
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    t = time.monotonic()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{target['url']}/s/{target['session']}/{report}.pdf",
                                headers={"X-Workshop-Key": target["key"]}) as r:
                body = await r.read()
    except aiohttp.ClientError:
        return None  # counted as failed, like an error page
    return time.monotonic() - t if r.status == 200 and body.startswith(b"%PDF") else None


def run_once(args, target: dict, polls: list[dict], run_no: int) -> dict:
    """Run the whole load once against one server; return its measurements."""
    workers = Workers(args, worker_config(args, target, run_no))
    ask = workers.ask

    monitor = target.get("monitor") or Monitor(target.get("pid"))  # a cluster brings its own

    async def drive():
        loop = asyncio.get_running_loop()
        fac, tallies = await facilitator(target["url"], target["session"], target["key"])
        cpu0 = monitor.cpu()
        got = await loop.run_in_executor(None, ask, ("connect",), 60 + args.phones / 20)
        connected = sum(g[1] for g in got)
        connect_s = max(g[2] for g in got)
        meters = {"connect": [g[3] for g in got], "bursts": [], "phones": [len(range(w, args.phones, args.procs))
                                                                          for w in range(len(got))]}
        cpu1 = monitor.cpu()
        spy = None
        if args.py_spy and target.get("profile") and target.get("pid"):  # sample the bursts only
            spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--nonblocking", "--pid",
                                    str(target["pid"]), "--rate", "250", "--format", "raw",
                                    "-o", f"{args.py_spy}.{run_no}.txt"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            await asyncio.sleep(1)
        result = {"connected": connected, "connect_s": round(connect_s, 2), "records": [], "proj": [],
                  "proj_missing": 0, "windows": [], "gen_cpu": 0.0, "lags": [], "ours": 0.0,
                  "downloads": [], "meters": meters,
                  "cores": []}
        busy0, wall0, self0 = machine_busy(), time.monotonic(), time.process_time()
        for poll in polls:
            ack, deadline = {}, time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    ack = await fac.call("control", {"action": "goto", "slide": poll["slide"]}, timeout=20)
                    break
                except Exception:  # not connected right now, or no ack: the server is overloaded
                    result["facilitator_retries"] = result.get("facilitator_retries", 0) + 1
                    await asyncio.sleep(1)
            if not ack.get("ok"):
                raise SystemExit(f"goto slide {poll['slide']} refused: {ack}")
            # a poll the room moved past is closed: the facilitator opens it again, as in a room
            ack = await fac.call("control", {"action": "open", "poll": poll["id"]}, timeout=20)
            if not ack.get("ok"):
                raise SystemExit(f"open {poll['id']} refused: {ack}")
            before = [c[poll["id"]] for _, c in tallies if poll["id"] in c]
            baseline = before[-1] if before else 0
            start = time.monotonic() + 0.2
            fetch = (asyncio.ensure_future(download(target, args.download, start + args.burst / 2))
                     if args.download else None)
            if target.get("on_burst"):  # `--kill-worker`: the cluster's faults, timed to the burst
                target["on_burst"](start, args.burst)
            got = await loop.run_in_executor(None, ask, ("burst", poll, start, args.burst, args.drop_share),
                                             args.burst + 3 * args.ack_timeout + 60)
            if fetch:
                result["downloads"].append(await fetch)
            records = [r for g in got for r in g[1]]
            result["ours"] += sum(g[2] for g in got)
            result["gen_cpu"] = max(result["gen_cpu"], max(g[2] for g in got) / (time.monotonic() - start))
            result["lags"] += [x for g in got for x in g[3]]
            meters["bursts"].append([g[4] for g in got])
            unique = len({r["pid"] for r in records if r["ok"]})
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # let the last coalesced tally arrive
                seen = [c[poll["id"]] for _, c in tallies if poll["id"] in c]
                if seen and seen[-1] - baseline >= unique:
                    break
                await asyncio.sleep(0.05)
            lat, missing = projector_latencies(records, tallies, poll["id"], baseline)
            result["proj"] += lat
            result["proj_missing"] += missing
            acks = [r["acked"] for r in records if r["ok"]]
            if acks:
                result["windows"].append(max(acks) - min(r["first"] for r in records))
                result["cores"].append(monitor.cores(start, max(acks)))
            result["records"] += records
            await asyncio.sleep(args.pause)
        cpu2 = monitor.cpu()
        wall = time.monotonic() - wall0
        ours = result["ours"] + (time.process_time() - self0) + ((cpu2 - cpu1) if cpu1 is not None else 0)
        result["others"] = (machine_busy() - busy0 - ours) / wall  # cores other processes kept busy
        if spy:
            spy.send_signal(2)
            spy.wait(60)
        await fac.disconnect()
        result["cpu"] = (cpu0, cpu1, cpu2)
        return result

    try:
        res = asyncio.run(drive())
        ask(("close",), 60)
    finally:
        monitor.stop()
        workers.stop()

    records = res["records"]
    if args.records:  # every answer, for a closer look: when in the burst did the slow ones go?
        with open(f"{args.records}.{target.get('kind', 'target')}.{run_no}.csv", "w") as f:
            f.write("poll,participant,at,first,sent,acked,ok,attempts\n")
            for r in records:
                f.write(f"{r['poll']},{r['pid']},{r['at']:.6f},{r['first']:.6f},{r['sent'] or ''},{r['acked'] or ''},"
                        f"{int(r['ok'])},{r['attempts']}\n")
        with open(f"{args.records}.{target.get('kind', 'target')}.{run_no}.lag.csv", "w") as f:
            f.write("at,lag\n")
            for at, lag in res["lags"]:
                f.write(f"{at:.6f},{lag:.6f}\n")
    ok = [r for r in records if r["ok"]]
    acked_pairs = {(r["poll"], r["pid"]) for r in ok}
    out = {"participants": args.phones, "connected": res["connected"],
           "sent": len(records), "acked": len(ok), "stored": None, "lost": None, "duplicates": None,
           "errors": sum(1 for r in records if r["acked"] is not None and not r["ok"]),
           "unacked": sum(1 for r in records if r["acked"] is None),
           "retried": sum(1 for r in records if r["attempts"] > 1)}
    if target.get("db"):
        stored = read_store(target["db"], target["session"], [p["id"] for p in polls])
        out["stored"] = sum(stored.values())
        out["lost"] = len(acked_pairs - stored.keys())
        out["duplicates"] = sum(n - 1 for n in stored.values() if n > 1)
    lat = [r["acked"] - r["sent"] for r in ok]
    out["ack_ms"] = {k: ms(pct(lat, q)) for k, q in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))}
    out["projector_ms"] = {"p50": ms(pct(res["proj"], 50)), "p99": ms(pct(res["proj"], 99))}
    out["projector_missing"] = res["proj_missing"]
    cpu0, cpu1, cpu2 = res["cpu"]
    out["server_cpu_s"] = None if cpu0 is None else round(cpu2 - cpu0, 2)
    out["server_cpu_connect_s"] = None if cpu0 is None else round(cpu1 - cpu0, 2)
    out["server_cpu_bursts_s"] = None if cpu0 is None else round(cpu2 - cpu1, 2)
    out["server_cpu_ms_per_answer"] = None if cpu0 is None or not ok else round((cpu2 - cpu1) / len(ok) * 1000, 3)
    out["server_cpu_ms_per_connect"] = (None if cpu0 is None or not res["connected"]
                                        else round((cpu1 - cpu0) / res["connected"] * 1000, 3))
    out["peak_rss_mb"] = round(monitor.peak / 2**20, 1) if monitor.proc else None
    out["throughput"] = round(len(ok) / sum(res["windows"]), 1) if res["windows"] else None
    out["connect_s"] = res["connect_s"]
    out["generator_cpu_share"] = round(res["gen_cpu"], 2)
    out["generator_lag_ms_p99"] = ms(pct([lag for _, lag in res["lags"]], 99))
    # how late answers left against their schedule: a late generator sends clumps, not a burst
    out["generator_late_ms_p99"] = ms(pct([r["first"] - r["at"] for r in records], 99))
    # how long an emitted answer waited in its client's queue before it was written (not billed to the server)
    out["generator_queue_ms_p99"] = ms(pct([r["sent"] - r["emitted"] for r in ok if "emitted" in r], 99))
    # which component ran out: the server's cores (1.0 = its one thread is full) and the machine's
    cores = [c for c in res["cores"] if c["server"] is not None]
    # a burst shorter than a second has no busiest second: None, left out of the maximum
    out["bursts_cores"] = {k: max((c[k] for c in cores if c[k] is not None), default=None)
                           for k in ("server", "server_max_1s", "machine", "machine_max_1s")}
    m = res["meters"]
    out["generator"] = generator_summary(m["connect"], m["bursts"], m["phones"])
    if out["generator"]["warning"]:
        print(f"warning: {out['generator']['warning']}", file=sys.stderr, flush=True)
    out["other_load_cores"] = round(max(0.0, res["others"]), 2)
    out["facilitator_retries"] = res.get("facilitator_retries", 0)
    if args.download:
        got = [d for d in res["downloads"] if d is not None]
        out["download_s_max"] = round(max(got), 2) if got else None
        out["download_failed"] = len(res["downloads"]) - len(got)
    return out
