"""The load generator's own figures (`--procs`): a saturated generator must say so, because
its ack latencies then include its own queueing (docs/performance.md, "10,000 phones")."""
from scripts.load.report import generator_summary, median_of


def meter(cpu_s: float, wall_s: float, lags_ms: list[float]) -> dict:
    return {"cpu_s": cpu_s, "wall_s": wall_s, "lags": [(i * 0.05, lag / 1000) for i, lag in enumerate(lags_ms)]}


def test_an_idle_generator_is_not_saturated():
    quiet = meter(1.0, 10.0, [1.0] * 100)
    gen = generator_summary([quiet, quiet], [[quiet, quiet]], [500, 500])
    assert gen["procs"] == 2 and gen["saturated"] is False and gen["warning"] is None
    assert gen["per_process"][0] == {"phones": 500, "connect": {"cpu_pct": 10.0, "lag_p99_ms": 1.0,
                                                               "lag_max_ms": 1.0},
                                     "bursts": {"cpu_pct": 10.0, "lag_p99_ms": 1.0, "lag_max_ms": 1.0}}


def test_a_busy_process_is_named_saturated():
    quiet, busy = meter(1.0, 10.0, [1.0] * 100), meter(9.5, 10.0, [2.0] * 100)
    gen = generator_summary([quiet, quiet], [[quiet, quiet], [quiet, busy]], [500, 500])
    assert gen["saturated"] and gen["cpu_pct_max"] == 95.0
    assert "95% of a core" in gen["warning"] and "--procs" in gen["warning"]


def test_a_late_loop_on_a_starved_process_blames_the_machine():
    late = meter(2.0, 10.0, [1.0] * 90 + [80.0] * 10)
    gen = generator_summary([late], [[late]], [1000])
    assert gen["saturated"] and gen["lag_p99_ms_max"] == 80.0 and gen["lag_max_ms"] == 80.0
    assert "other processes" in gen["warning"]


def test_medians_keep_flags_and_warnings_of_every_run():
    runs = [{"ack": 10, "generator": {"cpu_pct_max": c, "saturated": s, "warning": w, "per_process": [c]}}
            for c, s, w in ((50, False, None), (95, True, "busy"), (60, False, None))]
    out = median_of(runs)
    assert out["ack"] == 10 and out["generator"]["cpu_pct_max"] == 60
    assert out["generator"]["saturated"] is True
    assert out["generator"]["warning"] == [None, "busy", None]
    assert out["generator"]["per_process"] == [[50], [95], [60]]
