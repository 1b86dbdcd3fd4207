"""Percentiles, medians over runs, and the table and JSON report of a load test."""
from __future__ import annotations

import math
import statistics

KEYS = ("participants", "connected", "sent", "acked", "stored", "lost", "duplicates", "ack_ms",
        "projector_ms", "server_cpu_s", "peak_rss_mb")


def pct(values, q) -> float | None:
    """Return the q-th percentile (nearest rank) of values, or None when there are none."""
    if not values:
        return None
    s = sorted(values)
    return s[max(1, math.ceil(q / 100 * len(s))) - 1]


def ms(seconds) -> float | None:
    """Return seconds as milliseconds rounded to 0.1, or None for None."""
    return None if seconds is None else round(seconds * 1000, 1)


def median_of(runs: list[dict]) -> dict:
    """Median of every measurement across runs; lost and duplicates are summed (any counts),
    a flag is set if it was in any run, and lists and words are kept from every run."""
    out = {}
    for key, value in runs[0].items():
        if isinstance(value, dict):
            out[key] = median_of([r[key] for r in runs])
        elif isinstance(value, bool):
            out[key] = any(r[key] for r in runs)
        elif isinstance(value, (list, str)) or key == "warning":
            out[key] = [r[key] for r in runs] if len(runs) > 1 else value
        elif key in ("lost", "duplicates", "download_failed") and value is not None:
            out[key] = sum(r[key] for r in runs)
        else:
            vals = [r[key] for r in runs if r[key] is not None]
            out[key] = statistics.median(vals) if vals else None
    return out


SATURATED_CPU_PCT = 90  # of one core: a generator process this busy queues what it receives
SATURATED_LAG_MS = 20  # its timers fire this late (p99): so do the ack callbacks it times


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
        ("generator.cpu_pct_max", "  busiest process CPU %", "< 90"),
        ("generator.lag_p99_ms_max", "  its loop lag p99 ms", f"<= {SATURATED_LAG_MS}"),
        ("generator_queue_ms_p99", "emit-to-socket p99 ms", ""),
        ("bursts_cores.server", "server cores in a burst", "of 1 (one thread)"),
        ("bursts_cores.server_max_1s", "  busiest second", ""),
        ("bursts_cores.machine", "machine cores in a burst", "of 2"),
        ("generator_late_ms_p99", "answers sent late p99 ms", ""),
        ("other_load_cores", "other processes, cores", "of 2"),
        ("download_s_max", "report download s, max", ""), ("download_failed", "report downloads failed", "= 0"))


def phase(meter: dict) -> dict:
    """One generator process's CPU % of a core and loop lag over one phase (phones.Meter)."""
    lags = [lag for _, lag in meter["lags"]]
    return {"cpu_pct": round(100 * meter["cpu_s"] / max(meter["wall_s"], 1e-9), 1),
            "lag_p99_ms": ms(pct(lags, 99)), "lag_max_ms": ms(max(lags, default=None))}


def generator_summary(connects: list[dict], bursts: list[list[dict]], phones: list[int]) -> dict:
    """The load generator's own figures, per process: connecting, and the busiest of its bursts.

    `saturated` (with a plain `warning`) when a process used >= SATURATED_CPU_PCT of a core
    or its loop lag p99 exceeded SATURATED_LAG_MS during the bursts: its latencies then
    include its own queueing, and more `--procs` (or another machine) are needed to tell.
    """
    procs = []
    for w, connect in enumerate(connects):
        mine = [b[w] for b in bursts]
        lags = [lag for m in mine for _, lag in m["lags"]]
        burst = {"cpu_pct": max((phase(m)["cpu_pct"] for m in mine), default=None),
                 "lag_p99_ms": ms(pct(lags, 99)), "lag_max_ms": ms(max(lags, default=None))}
        procs.append({"phones": phones[w], "connect": phase(connect), "bursts": burst})
    cpu = max((p["bursts"]["cpu_pct"] or 0 for p in procs), default=0)
    lag = max((p["bursts"]["lag_p99_ms"] or 0 for p in procs), default=0)
    saturated = cpu >= SATURATED_CPU_PCT or lag > SATURATED_LAG_MS
    warning = None
    if cpu >= SATURATED_CPU_PCT:
        warning = (f"the load generator was saturated: its busiest process used {cpu:g}% of a core "
                   f"(loop lag p99 {lag:g} ms; limits {SATURATED_CPU_PCT}%, {SATURATED_LAG_MS} ms), so the "
                   f"ack latencies include its own queueing; run with more --procs")
    elif saturated:
        warning = (f"the load generator's loop ran late (lag p99 {lag:g} ms > {SATURATED_LAG_MS} ms) while "
                   f"using at most {cpu:g}% of a core: the machine's other processes (or the server) "
                   f"took the CPU it needed, and the ack latencies include that wait")
    return {"procs": len(procs), "cpu_pct_max": cpu, "lag_p99_ms_max": lag,
            "lag_max_ms": max((p["bursts"]["lag_max_ms"] or 0 for p in procs), default=0),
            "connect_cpu_pct_max": max((p["connect"]["cpu_pct"] for p in procs), default=0),
            "saturated": saturated, "warning": warning, "per_process": procs}


def get(d: dict, dotted: str):
    """Return d["a"]["b"] for "a.b", or None where a level is missing."""
    for part in dotted.split("."):
        d = (d or {}).get(part)
    return d


def table(ours: dict, bare: dict | None) -> str:
    """Return the medians of both servers side by side, one row per measurement, with targets."""
    lines = [f"{'':<26} {'workshop':>10} {'bare':>10}  target"]
    for key, label, target in ROWS:
        a, b = get(ours, key), get(bare, key) if bare else None
        if a is None and b is None and key.startswith("download_"):
            continue  # no --download
        lines.append(f"{label:<26} {'-' if a is None else a:>10} {'-' if b is None else b:>10}  {target}")
    return "\n".join(lines)


def summarise(runs: dict, config: dict) -> dict:
    """Return the JSON report: our medians first (KEYS, then the rest), the bare server's,
    the ratios to it, the configuration (without the key) and every run."""
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
    report["config"] = {k: v for k, v in config.items() if k not in ("key",)}
    report["runs"] = runs
    return report
