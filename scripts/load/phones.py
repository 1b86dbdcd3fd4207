"""The simulated phones: python-socketio clients answering polls, run in worker processes.

Each worker process (`worker_main`, started through `Workers` by scripts/load/run.py and
qa.py) holds its share of the phones and obeys its pipe: connect them all in waves, answer one poll in a burst, close.
"""
from __future__ import annotations

import asyncio
import gc
import multiprocessing as mp
import random
import resource
import secrets
import time

WORDS = ("trust", "clear goals", "listening", "coaching", "feedback", "ownership", "patience",
         "respect", "vision", "delegation", "courage", "follow-up")


def raise_open_files() -> int:
    """Raise this process's open-files limit to its hard limit (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


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
    thousands of phones, and parsing every phone's copy of each broadcast would queue the acks
    behind them and bill the server for the load generator's own backlog. They are still read off the
    socket; only their JSON is not decoded.
    """
    import engineio
    import socketio

    drop = tuple(f'2["{event}"' for event in ("state", "results", "reset", "questions"))

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
        self.written = 0.0  # when this phone's last Socket.IO event actually went into its socket
        self.emitted = 0.0  # when its last `send` called emit

    async def connect(self) -> None:
        sio = self.cfg["client_class"](reconnection=False, http_session=self.http, handle_sigint=False)
        welcomed = asyncio.get_running_loop().create_future()

        def welcome(data):
            self.pid = data["participant"]["id"]
            if not welcomed.done():
                welcomed.set_result(True)
        sio.on("welcome", welcome)
        urls = self.cfg["urls"]  # the server, or with --direct each worker of a cluster in turn
        await sio.connect(urls[self.index % len(urls)], transports=["websocket"], wait_timeout=20,
                          auth={"role": "participant", "code": self.cfg["code"], "token": self.token})
        await asyncio.wait_for(welcomed, 20)
        self.stamp_writes(sio.eio.ws)
        self.sio = sio

    def stamp_writes(self, ws) -> None:
        """Note when each event is written to the socket, not when `emit` queued it.

        python-socketio's `emit` only puts the packet on a queue that another task writes out;
        in a busy generator that task runs late, and timing the ack from `emit` would bill
        the server for the generator's own queue (docs/performance.md, "10,000 phones").
        """
        raw = ws.send_str

        async def send_str(data, *args, **kwargs):
            await raw(data, *args, **kwargs)
            if data.startswith("42"):  # an Engine.IO message holding a Socket.IO event
                self.written = time.monotonic()
        ws.send_str = send_str

    async def connect_retrying(self, attempts: int = 4) -> bool:
        for attempt in range(attempts):
            try:
                await self.connect()
                return True
            except Exception:
                await asyncio.sleep(0.2 * (attempt + 1) + random.random() * 0.3)
        return False

    async def send(self, payload: dict, event: str = "answer") -> tuple[float, float, dict] | None:
        """Send one answer (or an `upvote`); return (sent, acked, reply), or None when no ack came back."""
        loop = asyncio.get_running_loop()
        got = loop.create_future()

        def ack(reply):
            if not got.done():
                got.set_result((time.monotonic(), reply))
        sent = time.monotonic()
        try:
            await self.sio.emit(event, payload, callback=ack)
            acked, reply = await asyncio.wait_for(got, self.cfg["ack_timeout"])
        except Exception:
            return None
        self.emitted = sent  # the generator's own queue is written - emitted
        return max(sent, min(self.written, acked)), acked, reply

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
                record["emitted"] = self.emitted
                record["ok"], record["duplicate"] = bool(reply.get("ok")), bool(reply.get("duplicate"))
                record["error"] = reply.get("error")
                return record
            if not self.sio.connected and not await self.connect_retrying():
                return record
        return record


LAG_TICK = 0.05  # the lag probe's timer: how late it fires is how long a ready callback waits


async def lag_probe(samples: list, stop: asyncio.Event) -> None:
    """Measure how late the event loop wakes up: the load generator's own saturation."""
    while not stop.is_set():
        t = time.monotonic()
        await asyncio.sleep(LAG_TICK)
        samples.append((t, time.monotonic() - t - LAG_TICK))


class Meter:
    """This worker process's CPU share and event-loop lag over one phase (connect, a burst).

    A generator process that is busy ~90% of a core, or whose timers fire late, queues the
    acks it receives before it can time them: its latencies are then partly its own
    (scripts/load/report.py `generator` warns about it).
    """

    def __init__(self):
        self.lags, self.stop = [], asyncio.Event()
        self.cpu0, self.wall0 = time.process_time(), time.monotonic()
        self.task = asyncio.ensure_future(lag_probe(self.lags, self.stop))

    async def done(self) -> dict:
        self.stop.set()
        await self.task
        return {"cpu_s": time.process_time() - self.cpu0, "wall_s": time.monotonic() - self.wall0,
                "lags": self.lags}


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
            t0, failed, meter = time.monotonic(), 0, Meter()
            for start in range(0, len(phones), cfg["wave"]):
                wave = phones[start:start + cfg["wave"]]
                ok = await asyncio.gather(*(p.connect_retrying() for p in wave))
                failed += ok.count(False)
                await asyncio.sleep(cfg["wave_pause"])
            gc.collect()
            gc.freeze()  # thousands of long-lived clients: keep full collections from pausing the loop
            conn.send(("connected", len(phones) - failed, time.monotonic() - t0, await meter.done()))
        elif msg[0] == "burst":
            _, poll, start, burst, drop_share = msg
            meter = Meter()
            live = [p for p in phones if p.sio is not None]
            # No collections during a burst: with thousands of tasks just made, a collection stops
            # the loop long enough for every answer due meanwhile to leave at once, a clump no
            # room makes (docs/performance.md, "Keeping the load generator honest").
            gc.disable()
            try:
                jobs = [p.answer(poll, start + rng.uniform(0, burst), rng.random() < drop_share, rng)
                        for p in live]
                records = await asyncio.gather(*jobs)
            finally:
                gc.enable()
            measured = await meter.done()
            gc.collect()
            conn.send(("burst", records, measured["cpu_s"], measured["lags"], measured))
        elif msg[0] == "qa_burst":  # scripts/load/qa.py: each phone upvotes one question
            from scripts.load.qa import vote
            _, ids, start, burst = msg
            live = [p for p in phones if p.sio is not None]
            cpu0 = time.process_time()
            gc.disable()
            try:
                records = await asyncio.gather(*(vote(p, ids, start + rng.uniform(0, burst), rng)
                                                 for p in live))
            finally:
                gc.enable()
            conn.send(("qa_burst", records, time.process_time() - cpu0))
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
    """Run one worker process's phones until told to close (the target of run_once's processes)."""
    raise_open_files()
    event_loop_runner(cfg["loop"])(worker_loop(conn, cfg, indices))


def worker_config(args, target: dict, run_no: int) -> dict:
    """Return what every load worker of one run needs to know (picklable)."""
    return {"urls": target.get("urls") or [target["url"]], "code": target["code"], "run": run_no,
            "seed": args.seed + run_no, "wave": args.wave, "wave_pause": args.wave_pause, "loop": args.loop,
            "ack_timeout": args.ack_timeout}


class Workers:
    """The load generator's processes, each driving its share of the phones (`--procs`)."""

    def __init__(self, args, cfg: dict):
        ctx = mp.get_context("spawn")
        self.procs = []
        for w in range(args.procs):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=worker_main, daemon=True,
                               args=(child, cfg, list(range(w, args.phones, args.procs))))
            proc.start()
            self.procs.append((proc, parent))

    def ask(self, msg: tuple, timeout: float) -> list:
        """Send every worker one command; return their replies (blocking: run it in an executor)."""
        for _, conn in self.procs:
            conn.send(msg)
        out = []
        for _, conn in self.procs:
            if not conn.poll(timeout):
                raise SystemExit(f"a load worker did not answer '{msg[0]}' within {timeout:.0f} s")
            out.append(conn.recv())
        return out

    def stop(self) -> None:
        """Wait for the workers to end (after `close`), killing any that hang."""
        for proc, _ in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
