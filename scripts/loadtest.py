"""Load-test a live session: N phones join, answer polls in bursts, and nothing may be lost.

Starts `workshop serve` on a free port of 127.0.0.1 with a fresh database (or targets a
running server with --url/--session/--code/--key), connects N simulated phones (python-socketio
AsyncClient, websocket only, in --procs worker processes) in waves, and has a facilitator
client move to each of --polls poll slides. All phones answer each poll within --burst
seconds, uniformly spread; --drop-share of them drop their connection right after sending,
reconnect and resend the unacknowledged answer with the same uid. The same load then runs
against scripts/bare_server.py (a bare Flask-SocketIO + SQLite server on the same stack)
unless --no-bare. docs/performance.md explains every number.

    .venv/bin/python scripts/loadtest.py --phones 1000 --polls 3 --burst 3 --repeat 3 --json out.json
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import multiprocessing as mp
import os
import random
import re
import resource
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("participants", "connected", "sent", "acked", "stored", "lost", "duplicates", "ack_ms",
        "projector_ms", "server_cpu_s", "peak_rss_mb")
WORDS = ("trust", "clear goals", "listening", "coaching", "feedback", "ownership", "patience",
         "respect", "vision", "delegation", "courage", "follow-up")


def use_the_venv() -> None:
    """Run under the project's .venv when started by another Python (`python3 scripts/loadtest.py`)."""
    try:
        import aiohttp  # noqa: F401
        import psutil  # noqa: F401
        import socketio  # noqa: F401
    except ImportError:
        venv = ROOT / ".venv" / "bin" / "python"
        if venv.exists() and sys.executable != str(venv):
            os.execv(str(venv), [str(venv), *sys.argv])
        raise SystemExit("the load test needs the test extras: run `make install` first") from None


def pct(values, q) -> float | None:
    """Return the q-th percentile (nearest rank) of values, or None when there are none."""
    if not values:
        return None
    s = sorted(values)
    return s[max(1, math.ceil(q / 100 * len(s))) - 1]


def ms(seconds) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def raise_open_files() -> int:
    """Raise this process's open-files limit to its hard limit (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


# ----- the phones (run in worker processes) -----

def make_value(poll: dict, rng: random.Random):
    if poll["type"] == "choice":
        return rng.randrange(len(poll["options"]))
    if poll["type"] == "scale":
        return rng.randint(poll["min"], poll["max"])
    if poll["type"] == "ranking":
        order = list(range(len(poll["items"])))
        rng.shuffle(order)
        return order
    return f"{rng.choice(WORDS)} and {rng.choice(WORDS)}"


def phone_client_class():
    """Return python-socketio's AsyncClient, made to drop the broadcasts a phone only draws.

    A real phone parses `state` and `results` on its own CPU; here one process stands in for
    thousands of phones, and parsing 3,000 copies of each broadcast would queue the acks behind
    them and bill the server for the load generator's own backlog. They are still read off the
    socket; only their JSON is not decoded.
    """
    import engineio
    import socketio

    drop = tuple(f'2["{event}"' for event in ("state", "results", "reset"))

    class QuietEngineIO(engineio.AsyncClient):
        async def _receive_packet(self, pkt):
            if pkt.packet_type == engineio.packet.MESSAGE and isinstance(pkt.data, str) \
                    and pkt.data.startswith(drop):
                return
            await super()._receive_packet(pkt)

    class PhoneClient(socketio.AsyncClient):
        def _engineio_client_class(self):
            return QuietEngineIO

    return PhoneClient


class Phone:
    """One simulated phone: a Socket.IO client that knows its token and participant id."""

    def __init__(self, index: int, cfg: dict, http):
        self.index, self.cfg, self.http = index, cfg, http
        self.token = f"lt{cfg['run']}-{index:06d}-{secrets.token_hex(4)}"
        self.sio = None
        self.pid = None

    async def connect(self) -> None:
        sio = self.cfg["client_class"](reconnection=False, http_session=self.http, handle_sigint=False)
        welcomed = asyncio.get_running_loop().create_future()

        def welcome(data):
            self.pid = data["participant"]["id"]
            if not welcomed.done():
                welcomed.set_result(True)
        sio.on("welcome", welcome)
        await sio.connect(self.cfg["url"], transports=["websocket"], wait_timeout=20,
                          auth={"role": "participant", "code": self.cfg["code"], "token": self.token})
        await asyncio.wait_for(welcomed, 20)
        self.sio = sio

    async def connect_retrying(self, attempts: int = 4) -> bool:
        for attempt in range(attempts):
            try:
                await self.connect()
                return True
            except Exception:
                await asyncio.sleep(0.2 * (attempt + 1) + random.random() * 0.3)
        return False

    async def send(self, payload: dict) -> tuple[float, float, dict] | None:
        """Send one answer; return (sent, acked, reply), or None when no ack came back."""
        loop = asyncio.get_running_loop()
        got = loop.create_future()

        def ack(reply):
            if not got.done():
                got.set_result((time.monotonic(), reply))
        sent = time.monotonic()
        try:
            await self.sio.emit("answer", payload, callback=ack)
            acked, reply = await asyncio.wait_for(got, self.cfg["ack_timeout"])
        except Exception:
            return None
        return sent, acked, reply

    async def answer(self, poll: dict, at: float, drop: bool, rng: random.Random) -> dict:
        """Answer one poll at monotonic time `at`, dropping the connection once if asked."""
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        payload = {"poll": poll["id"], "value": make_value(poll, rng),
                   "uid": f"{self.token[-8:]}-{poll['id'][:40]}"}
        record = {"pid": self.pid, "poll": poll["id"], "at": at, "first": time.monotonic(), "attempts": 0,
                  "sent": None, "acked": None, "ok": False, "duplicate": False, "dropped": drop}
        if drop:  # the answer leaves, then the WiFi drops before the ack can come back
            record["attempts"] += 1
            try:
                await self.sio.emit("answer", payload)
                await asyncio.sleep(rng.uniform(0, 0.02))
                await self.sio.disconnect()
            except Exception:
                pass
            await asyncio.sleep(rng.uniform(0.1, 0.5))
            if not await self.connect_retrying():
                return record
        for _ in range(3):
            record["attempts"] += 1
            got = await self.send(payload)
            if got is not None:
                record["sent"], record["acked"], reply = got
                record["ok"], record["duplicate"] = bool(reply.get("ok")), bool(reply.get("duplicate"))
                record["error"] = reply.get("error")
                return record
            if not self.sio.connected and not await self.connect_retrying():
                return record
        return record


async def lag_probe(samples: list, stop: asyncio.Event) -> None:
    """Measure how late the event loop wakes up: the load generator's own saturation."""
    while not stop.is_set():
        t = time.monotonic()
        await asyncio.sleep(0.01)
        samples.append((t, time.monotonic() - t - 0.01))


async def worker_loop(conn, cfg: dict, indices: list[int]) -> None:
    import aiohttp
    loop = asyncio.get_running_loop()
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    cfg = {**cfg, "client_class": phone_client_class()}
    phones = [Phone(i, cfg, http) for i in indices]
    rng = random.Random(cfg["seed"] * 7919 + (indices[0] if indices else 0))
    while True:
        msg = await loop.run_in_executor(None, conn.recv)
        if msg[0] == "connect":
            t0, failed = time.monotonic(), 0
            for start in range(0, len(phones), cfg["wave"]):
                wave = phones[start:start + cfg["wave"]]
                ok = await asyncio.gather(*(p.connect_retrying() for p in wave))
                failed += ok.count(False)
                await asyncio.sleep(cfg["wave_pause"])
            gc.collect()
            gc.freeze()  # thousands of long-lived clients: keep full collections from pausing the loop
            conn.send(("connected", len(phones) - failed, time.monotonic() - t0))
        elif msg[0] == "burst":
            _, poll, start, burst, drop_share = msg
            lags, stop = [], asyncio.Event()
            probe = asyncio.ensure_future(lag_probe(lags, stop))
            cpu0 = time.process_time()
            live = [p for p in phones if p.sio is not None]
            # No collections during a burst: with thousands of tasks just made, one took 50-120 ms
            # here, and every answer due meanwhile then left at once, a clump no room makes.
            gc.disable()
            try:
                jobs = [p.answer(poll, start + rng.uniform(0, burst), rng.random() < drop_share, rng)
                        for p in live]
                records = await asyncio.gather(*jobs)
            finally:
                gc.enable()
            stop.set()
            await probe
            gc.collect()
            conn.send(("burst", records, time.process_time() - cpu0, lags))
        elif msg[0] == "close":
            await asyncio.gather(*(p.sio.disconnect() for p in phones if p.sio is not None),
                                 return_exceptions=True)
            await http.close()
            conn.send(("closed",))
            return


def event_loop_runner(kind: str):
    """Return uvloop.run when asked for (or, with 'auto', when installed), else asyncio.run."""
    if kind != "asyncio":
        try:
            import uvloop
            return uvloop.run
        except ImportError:
            if kind == "uvloop":
                raise SystemExit("--loop uvloop: pip install uvloop") from None
    return asyncio.run


def worker_main(conn, cfg: dict, indices: list[int]) -> None:
    raise_open_files()
    event_loop_runner(cfg["loop"])(worker_loop(conn, cfg, indices))


# ----- the server under test -----

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server subprocess on 127.0.0.1 with a fresh database; its ids read from its output."""

    def __init__(self, kind: str, workdir: Path, env: dict | None = None, root: Path = ROOT):
        self.kind = kind
        self.port = free_port()
        self.db = str(workdir / f"{kind}-{self.port}.db")
        self.log = open(workdir / f"{kind}-{self.port}.log", "w")
        if kind == "bare":
            cmd = [sys.executable, str(ROOT / "scripts" / "bare_server.py"), "--port", str(self.port),
                   "--db", self.db]
        else:
            cmd = [sys.executable, "-c", "from server.cli import main; main()", "serve",
                   str(root / "decks" / "leaders-role.yaml"), "--host", "127.0.0.1", "--port",
                   str(self.port), "--db", self.db, "--no-qr"]
        self.proc = subprocess.Popen(cmd, cwd=root if kind == "workshop" else ROOT, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True, env={**os.environ, **(env or {})})
        self.pid = self.proc.pid
        self.url = f"http://127.0.0.1:{self.port}"
        self.session = self.code = self.key = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (self.session and self.key):
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit(f"{kind} server exited; see {self.log.name}")
            if m := re.search(r"session (\w+), join code (\w+)", line):
                self.session, self.code = m.groups()
            if m := re.search(r"Projector URL: .*\?key=(\S+)", line):
                self.key = m.group(1)
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        if not (self.session and self.key):
            self.stop()
            raise SystemExit(f"{kind} server did not print its session; see {self.log.name}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


class Monitor:
    """Sample the server's RSS every 0.1 s; read its CPU time at marks. Its report workers
    (child processes) count as the server: they are the server's work, on the same laptop."""

    def __init__(self, pid: int | None):
        import psutil
        self.proc = psutil.Process(pid) if pid else None
        self.peak = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        if self.proc:
            self.thread.start()

    def _run(self) -> None:
        while not self.stopping.wait(0.1):
            try:
                rss = self.proc.memory_info().rss
            except Exception:
                return
            for child in self._children():
                try:
                    rss += child.memory_info().rss
                except Exception:  # it ended meanwhile
                    pass
            self.peak = max(self.peak, rss)

    def _children(self) -> list:
        try:
            return self.proc.children(recursive=True)
        except Exception:
            return []

    def cpu(self) -> float | None:
        if not self.proc:
            return None
        t = self.proc.cpu_times()
        total = t.user + t.system + t.children_user + t.children_system  # + children it waited for
        for child in self._children():
            try:
                c = child.cpu_times()
                total += c.user + c.system
            except Exception:
                pass
        return total

    def stop(self) -> None:
        self.stopping.set()
        if self.proc:
            self.thread.join(2)


def machine_busy() -> float:
    """Return the CPU seconds every process on the machine has used since boot."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def wait_for_quiet(cores: float, timeout: float) -> float:
    """On a shared machine, wait (at most `timeout` s) until others use at most `cores` cores."""
    deadline = time.monotonic() + timeout
    while True:
        busy0, t0 = machine_busy(), time.monotonic()
        time.sleep(5)
        load = (machine_busy() - busy0) / (time.monotonic() - t0)
        if load <= cores or time.monotonic() > deadline:
            return load
        print(f"waiting for a quieter machine: others use {load:.2f} cores", file=sys.stderr, flush=True)


def read_store(db: str, session: str, polls: list[str]) -> dict:
    """Return {(poll, participant): rows} for the test's polls, read by another connection."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        marks = ",".join("?" * len(polls))
        rows = con.execute(f"SELECT poll_id, participant_id, COUNT(*) FROM answers WHERE session_id = ? "
                           f"AND poll_id IN ({marks}) GROUP BY poll_id, participant_id", [session, *polls])
        return {(p, int(pid)): n for p, pid, n in rows}
    finally:
        con.close()


# ----- one run: connect, bursts, measure -----

async def facilitator(url, session, key):
    import socketio
    # the projector reconnects by itself, as the real page does, if an overloaded server drops it
    sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5, handle_sigint=False)
    tallies: list[tuple[float, dict]] = []
    sio.on("tally", lambda data: tallies.append(
        (time.monotonic(), {p: r.get("answered", 0) for p, r in (data.get("polls") or {}).items()})))
    await sio.connect(url, transports=["websocket"], wait_timeout=20,
                      auth={"role": "facilitator", "session": session, "key": key, "view": "projector"})
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
    cfg = {"url": target["url"], "code": target["code"], "run": run_no, "seed": args.seed + run_no,
           "wave": args.wave, "wave_pause": args.wave_pause, "loop": args.loop, "ack_timeout": args.ack_timeout}
    ctx = mp.get_context("spawn")
    workers = []
    for w in range(args.procs):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=worker_main, args=(child, cfg, list(range(w, args.phones, args.procs))),
                           daemon=True)
        proc.start()
        workers.append((proc, parent))

    def ask(msg, timeout):
        for _, conn in workers:
            conn.send(msg)
        out = []
        for _, conn in workers:
            if not conn.poll(timeout):
                raise SystemExit(f"a load worker did not answer '{msg[0]}' within {timeout:.0f} s")
            out.append(conn.recv())
        return out

    monitor = Monitor(target.get("pid"))

    async def drive():
        loop = asyncio.get_running_loop()
        fac, tallies = await facilitator(target["url"], target["session"], target["key"])
        cpu0 = monitor.cpu()
        got = await loop.run_in_executor(None, ask, ("connect",), 60 + args.phones / 20)
        connected = sum(g[1] for g in got)
        connect_s = max(g[2] for g in got)
        cpu1 = monitor.cpu()
        spy = None
        if args.py_spy and target.get("profile") and target.get("pid"):  # sample the bursts only
            spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid",
                                    str(target["pid"]), "--rate", "250", "--format", "raw",
                                    "-o", f"{args.py_spy}.{run_no}.txt"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            await asyncio.sleep(1)
        result = {"connected": connected, "connect_s": round(connect_s, 2), "records": [], "proj": [],
                  "proj_missing": 0, "windows": [], "gen_cpu": 0.0, "lags": [], "ours": 0.0,
                  "downloads": []}
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
            before = [c[poll["id"]] for _, c in tallies if poll["id"] in c]
            baseline = before[-1] if before else 0
            start = time.monotonic() + 0.2
            fetch = (asyncio.ensure_future(download(target, args.download, start + args.burst / 2))
                     if args.download else None)
            got = await loop.run_in_executor(None, ask, ("burst", poll, start, args.burst, args.drop_share),
                                             args.burst + 3 * args.ack_timeout + 60)
            if fetch:
                result["downloads"].append(await fetch)
            records = [r for g in got for r in g[1]]
            result["ours"] += sum(g[2] for g in got)
            result["gen_cpu"] = max(result["gen_cpu"], max(g[2] for g in got) / (time.monotonic() - start))
            result["lags"] += [x for g in got for x in g[3]]
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
        for proc, _ in workers:
            proc.join(10)
            if proc.is_alive():
                proc.kill()

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
    out["other_load_cores"] = round(max(0.0, res["others"]), 2)
    out["facilitator_retries"] = res.get("facilitator_retries", 0)
    if args.download:
        got = [d for d in res["downloads"] if d is not None]
        out["download_s_max"] = round(max(got), 2) if got else None
        out["download_failed"] = len(res["downloads"]) - len(got)
    return out


# ----- repeats, medians, report -----

def median_of(runs: list[dict]) -> dict:
    """Median of every measurement across runs; lost and duplicates are summed (any counts)."""
    out = {}
    for key, value in runs[0].items():
        if isinstance(value, dict):
            out[key] = median_of([r[key] for r in runs])
        elif key in ("lost", "duplicates", "download_failed") and value is not None:
            out[key] = sum(r[key] for r in runs)
        else:
            vals = [r[key] for r in runs if r[key] is not None]
            out[key] = statistics.median(vals) if vals else None
    return out


def choose_polls(deck_path: str, k: int) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from workshop.deck_file import load_deck
    deck = load_deck(deck_path)
    chosen = list(deck.polls.values())[:k]
    return [{**p.public(), "slide": deck.poll_slide_index(p.id)} for p in chosen]


ROWS = (("connected", "connected", ""), ("sent", "answers sent", ""), ("acked", "acked", ""),
        ("stored", "stored", ""), ("lost", "lost", "= 0"), ("duplicates", "duplicates", "= 0"),
        ("ack_ms.p50", "ack p50 ms", ""), ("ack_ms.p95", "ack p95 ms", ""),
        ("ack_ms.p99", "ack p99 ms", "<= 100 (<= 50 at 1,000)"), ("ack_ms.max", "ack max ms", ""),
        ("projector_ms.p50", "projector p50 ms", ""), ("projector_ms.p99", "projector p99 ms", "<= 500"),
        ("throughput", "throughput answers/s", ">= 0.8 x bare"), ("server_cpu_s", "server CPU s", ""),
        ("server_cpu_connect_s", "  connecting", ""),
        ("server_cpu_bursts_s", "  answering", ""), ("server_cpu_ms_per_connect", "server CPU ms/connect", ""),
        ("server_cpu_ms_per_answer", "server CPU ms/answer", ""), ("peak_rss_mb", "peak RSS MB", "<= 400"),
        ("connect_s", "connect all s", ""), ("generator_cpu_share", "generator CPU share", "< 0.9"),
        ("generator_lag_ms_p99", "generator loop lag p99 ms", ""),
        ("generator_late_ms_p99", "answers sent late p99 ms", ""),
        ("other_load_cores", "other processes, cores", "of 2"),
        ("download_s_max", "report download s, max", ""), ("download_failed", "report downloads failed", "= 0"))


def get(d: dict, dotted: str):
    for part in dotted.split("."):
        d = (d or {}).get(part)
    return d


def table(ours: dict, bare: dict | None) -> str:
    lines = [f"{'':<26} {'workshop':>10} {'bare':>10}  target"]
    for key, label, target in ROWS:
        a, b = get(ours, key), get(bare, key) if bare else None
        if a is None and b is None and key.startswith("download_"):
            continue  # no --download
        lines.append(f"{label:<26} {'-' if a is None else a:>10} {'-' if b is None else b:>10}  {target}")
    return "\n".join(lines)


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
    ap.add_argument("--keep", metavar="DIR", help="keep the servers' databases and logs in DIR")
    args = ap.parse_args(argv)
    use_the_venv()
    if args.url and not (args.session and args.code and args.key):
        ap.error("--url needs --session, --code and --key")
    raise_open_files()
    polls = choose_polls(args.deck, args.polls)
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
    ours = median_of(runs["workshop"])
    bare = median_of(runs["bare"]) if runs["bare"] else None
    report = {**{k: ours[k] for k in KEYS}, **{k: v for k, v in ours.items() if k not in KEYS}}
    report["bare"] = bare
    report["ratio_to_bare"] = None
    if bare:
        report["ratio_to_bare"] = {
            "ack_p99": round(ours["ack_ms"]["p99"] / bare["ack_ms"]["p99"], 2)
            if ours["ack_ms"]["p99"] and bare["ack_ms"]["p99"] else None,
            "throughput": round(ours["throughput"] / bare["throughput"], 2)
            if ours["throughput"] and bare["throughput"] else None}
    report["config"] = {k: v for k, v in vars(args).items() if k not in ("key",)}
    report["runs"] = runs
    print(f"{args.phones} phones, {len(polls)} polls, {args.burst:g} s bursts, drop share "
          f"{args.drop_share:g}, median of {args.repeat}:")
    print(table(ours, bare))
    if report["ratio_to_bare"]:
        print(f"ratio to bare: ack p99 x{report['ratio_to_bare']['ack_p99']}, "
              f"throughput x{report['ratio_to_bare']['throughput']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
