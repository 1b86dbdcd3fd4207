"""`loadtest --workers N [--kill-worker K]`: the same load against `serve --workers N`.

Starts its own Redis and PostgreSQL (tests/support/services.py) and the cluster on them, runs
the load through HAProxy, then the same load against one `workshop serve` on SQLite, in the
same invocation, for the ratio. Memory and CPU are those of every process of the cluster
together (supervisor, workers and their report workers, HAProxy, Redis, PostgreSQL and its
backends), and each component's CPU per connection and per answer, for docs/scale-out.md.
With --kill-worker K, K workers are SIGKILLed at random moments of the bursts; their phones
reconnect through HAProxy and resend, and `lost` and `duplicates` say whether that held.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from scripts.load.servers import Monitor, machine_busy, read_session

ROOT = Path(__file__).resolve().parents[2]
COMPONENTS = ("workers", "haproxy", "supervisor", "redis", "postgresql")


def _tree_cpu(proc: psutil.Process) -> float:
    """CPU seconds of a process, its children alive now, and the children it waited for."""
    try:
        t = proc.cpu_times()
        total = t.user + t.system + t.children_user + t.children_system
        for child in proc.children(recursive=True):
            try:
                c = child.cpu_times()
                total += c.user + c.system
            except psutil.Error:
                pass
        return total
    except psutil.Error:
        return 0.0


class ClusterMonitor:
    """Every process of the cluster, sampled together: RSS every 0.1 s, CPU at marks."""

    def __init__(self, supervisor: int, redis: int, postgres: int):
        self.roots = {"supervisor": psutil.Process(supervisor), "redis": psutil.Process(redis),
                      "postgresql": psutil.Process(postgres)}
        self.proc = self.roots["supervisor"]  # run_once reports peak_rss_mb when this is set
        self.peak = 0
        self.marks: list[dict] = []
        self.samples: list[tuple[float, float, float]] = []  # (monotonic, cluster CPU s, machine busy s)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def processes(self) -> list[psutil.Process]:
        out = []
        for root in self.roots.values():
            out.append(root)
            try:
                out += root.children(recursive=True)
            except psutil.Error:
                pass
        return out

    def _run(self) -> None:
        ticks = 0
        while not self.stopping.wait(0.1):
            ticks += 1
            if ticks % 5 == 0:  # every 0.5 s, as Monitor does: what `cores` reads
                self.samples.append((time.monotonic(), sum(self.components().values()), machine_busy()))
            rss = 0
            for p in self.processes():
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, rss)

    def components(self) -> dict:
        """CPU seconds so far of each component (dead workers count in the supervisor's
        children times: it waited for them, so they are moved to `workers`)."""
        sup = self.roots["supervisor"]
        out = dict.fromkeys(COMPONENTS, 0.0)
        try:
            t = sup.cpu_times()
            out["supervisor"] = t.user + t.system
            out["workers"] = t.children_user + t.children_system
            for child in sup.children():
                name = "haproxy" if Path(child.cmdline()[0]).name == "haproxy" else "workers"
                out[name] += _tree_cpu(child)
        except psutil.Error:
            pass
        out["redis"] = _tree_cpu(self.roots["redis"])
        out["postgresql"] = _tree_cpu(self.roots["postgresql"])
        return out

    def cpu(self) -> float:
        parts = self.components()
        self.marks.append(parts)
        return sum(parts.values())

    # the cluster's cores (every component together) and the machine's during a burst
    cores = Monitor.cores

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(2)


class Killer:
    """SIGKILL `k` workers at random moments of the bursts, spread over the polls."""

    def __init__(self, supervisor: int, k: int, polls: int, seed: int):
        self.supervisor, self.rng = psutil.Process(supervisor), random.Random(seed)
        per = [0] * max(1, polls)
        for i in range(k):
            per[i % len(per)] += 1
        self.per_burst, self.burst_no = per, 0
        self.killed: list[tuple[float, str]] = []

    def on_burst(self, start: float, burst: float) -> None:
        """Called by run_once just before a burst that begins at monotonic `start`."""
        n = self.per_burst[self.burst_no] if self.burst_no < len(self.per_burst) else 0
        self.burst_no += 1
        for _ in range(n):
            at = start + self.rng.uniform(0.1, 0.9) * burst
            threading.Timer(max(0.0, at - time.monotonic()), self.kill).start()

    def kill(self) -> None:
        workers = [p for p in self.supervisor.children()
                   if "--behind-proxy" in p.cmdline() and p.status() != psutil.STATUS_ZOMBIE]
        if workers:
            victim = self.rng.choice(workers)
            try:
                name = victim.environ().get("WORKSHOP_WORKER_ID", "?")  # before: a dead one has none
                victim.kill()
            except psutil.Error:  # it died meanwhile
                return
            self.killed.append((time.monotonic(), name))


class ClusterTarget:
    """Redis, PostgreSQL and `workshop serve --workers N` on them, in a folder."""

    def __init__(self, folder: Path, workers: int, deck: str):
        from tests.support import services
        from tests.support.server import free_port
        for service in ("redis", "postgresql", "haproxy"):
            if services.missing(service):
                raise SystemExit(services.missing(service))
        self.redis = services.Redis(folder / "redis").start()
        self.pg = services.Postgres(folder / "pg").start()
        self.database = self.pg.create_database("loadtest")
        self.port = free_port()
        self.log = open(folder / "cluster.log", "w")
        cmd = [sys.executable, "-c", "from server.cli import main; main()", "serve", deck,
               "--host", "127.0.0.1", "--port", str(self.port), "--no-qr", "--workers",
               str(workers), "--database", self.database, "--redis", self.redis.url]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=self.log,
                                     text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.url = f"http://127.0.0.1:{self.port}"
        self.session, self.code, self.key = read_session(self.proc, 120)
        if not (self.session and self.key):
            self.stop()
            raise SystemExit(f"the cluster did not start; see {self.log.name}")

    def worker_urls(self) -> list[str]:
        """The workers' own addresses (their `--port`), read off the supervisor's children."""
        urls = []
        for child in psutil.Process(self.proc.pid).children():
            argv = child.cmdline()
            if "--behind-proxy" in argv:
                urls.append(f"http://127.0.0.1:{argv[argv.index('--port') + 1]}")
        return sorted(urls)

    def target(self, direct: bool = False) -> dict:
        """What the load run drives; `direct`: phones spread over the workers themselves, as
        several load balancers (or DNS round robin) would, where one HAProxy cannot hold
        them all (it needs two open files per phone: docs/scale-out.md)."""
        return {"kind": "cluster", "url": self.url, "session": self.session, "code": self.code,
                "key": self.key, "db": self.database, "pid": self.proc.pid,
                **({"urls": self.worker_urls()} if direct else {})}

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        self.redis.stop()
        self.pg.stop()


def per_component(marks: list[dict], connected: int, acked: int) -> dict:
    """Each component's CPU ms per connection (connect phase) and per answer (bursts)."""
    if len(marks) < 3:
        return {}
    c0, c1, c2 = marks[0], marks[1], marks[2]
    return {name: {"ms_per_connect": round((c1[name] - c0[name]) / connected * 1000, 3) if connected else None,
                   "ms_per_answer": round((c2[name] - c1[name]) / acked * 1000, 3) if acked else None}
            for name in COMPONENTS}


def run_cluster(args, polls: list[dict], run_no: int, folder: Path) -> dict:
    """One run of the load against the cluster; with the kills and each component's CPU."""
    from scripts.load.run import run_once
    cluster = ClusterTarget(folder, args.workers, args.deck)
    try:
        monitor = ClusterMonitor(cluster.proc.pid, cluster.redis.proc.pid, cluster.pg.proc.pid)
        killer = Killer(cluster.proc.pid, args.kill_worker, len(polls), args.seed + run_no)
        target = {**cluster.target(direct=args.direct), "monitor": monitor, "on_burst": killer.on_burst}
        res = run_once(args, target, polls, run_no)
        res["workers"] = args.workers
        res["killed"] = len(killer.killed)
        res["reconnected"] = res["retried"]  # answers resent after their phone's ack never came
        res["components"] = per_component(monitor.marks, res["connected"], res["acked"])
        restarts = (folder / "cluster.log").read_text(errors="replace").count("restarting it")
        res["worker_restarts"] = restarts
        return res
    finally:
        cluster.stop()


def main_cluster(args, polls: list[dict]) -> int:
    """`--workers N`: the cluster, then one process on SQLite; the medians side by side."""
    from scripts.load.report import median_of, table
    from scripts.load.run import run_once
    from scripts.load.servers import Server
    runs: dict = {"cluster": [], "workshop": []}
    with tempfile.TemporaryDirectory(prefix="loadtest-cluster-") as tmp:
        base = Path(args.keep or tmp)
        for run_no in range(args.repeat):
            folder = base / f"cluster-{run_no}"
            folder.mkdir(parents=True, exist_ok=True)
            runs["cluster"].append(run_cluster(args, polls, run_no, folder))
            if not args.no_single:
                server = Server("workshop", base, {"WORKSHOP_ASYNC_MODE": args.async_mode})
                try:
                    runs["workshop"].append(run_once(args, {**vars(server), "profile": False}, polls, run_no))
                finally:
                    server.stop()
            for kind in runs:
                if runs[kind]:
                    r = runs[kind][-1]
                    print(f"run {run_no + 1}/{args.repeat} {kind}: {r['connected']} phones, ack p99 "
                          f"{r['ack_ms']['p99']} ms, lost {r['lost']}, duplicates {r['duplicates']}",
                          file=sys.stderr, flush=True)
    cluster = median_of([{k: v for k, v in r.items() if k != "components"} for r in runs["cluster"]])
    cluster["components"] = runs["cluster"][-1]["components"]
    single = median_of(runs["workshop"]) if runs["workshop"] else None
    report = {**cluster, "single_sqlite": single, "ratio_to_single": None,
              "config": {k: v for k, v in vars(args).items() if k != "key"}, "runs": runs}
    if single and single["throughput"] and cluster["throughput"]:
        report["ratio_to_single"] = {
            "throughput": round(cluster["throughput"] / single["throughput"], 2),
            "ack_p99": round(cluster["ack_ms"]["p99"] / single["ack_ms"]["p99"], 2)
            if cluster["ack_ms"]["p99"] and single["ack_ms"]["p99"] else None}
    print(f"{args.phones} phones, {len(polls)} polls, {args.burst:g} s bursts, {args.workers} workers "
          f"(left) against one process on SQLite (right), median of {args.repeat}:")
    print(table(cluster, single).replace("workshop", " cluster").replace("    bare", "  single"))
    print(f"killed {cluster['killed']}, reconnected {cluster['reconnected']}, lost {cluster['lost']}, "
          f"duplicates {cluster['duplicates']}; ratio to one process: {report['ratio_to_single']}")
    for name, figures in cluster["components"].items():
        print(f"  {name:<12} CPU ms/connect {figures['ms_per_connect']}, ms/answer {figures['ms_per_answer']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))
    return 0
