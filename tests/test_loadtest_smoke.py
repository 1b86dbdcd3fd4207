"""A small, fast run of `python -m scripts.loadtest`: the load test itself works and loses nothing."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KEYS = {"participants", "connected", "sent", "acked", "stored", "lost", "duplicates", "ack_ms",
        "projector_ms", "server_cpu_s", "peak_rss_mb"}

pytestmark = pytest.mark.slow


def test_twenty_phones_with_drops_lose_nothing_on_either_server(tmp_path):
    out = tmp_path / "load.json"
    run = subprocess.run([sys.executable, "-m", "scripts.loadtest", "--participants", "20",
                          "--polls", "2", "--burst", "0.5", "--drop-share", "0.25", "--pause", "0.2",
                          "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(out.read_text())
    for side in (report, report["bare"]):
        assert KEYS <= side.keys()
        assert set(side["ack_ms"]) == {"p50", "p95", "p99", "max"}
        assert set(side["projector_ms"]) == {"p50", "p99"}
        assert side["participants"] == side["connected"] == 20
        assert side["sent"] == side["acked"] == side["stored"] == 40  # 20 phones x 2 polls
        assert side["lost"] == 0 and side["duplicates"] == 0
        assert side["retried"] > 0  # the dropped phones really did resend
        assert side["ack_ms"]["p50"] > 0 and side["server_cpu_s"] > 0 and side["peak_rss_mb"] > 0
        assert side["generator_late_ms_p99"] is not None  # how late answers left their schedule
    assert set(report["ratio_to_bare"]) == {"ack_p99", "throughput"}
    assert "workshop" in run.stdout and "lost" in run.stdout  # the table was printed


def test_a_summary_downloaded_mid_burst_is_timed_and_counted(tmp_path):
    out = tmp_path / "load.json"
    run = subprocess.run([sys.executable, "-m", "scripts.loadtest", "-n", "20", "--polls", "1",
                          "--burst", "0.5", "--no-bare", "--download", "summary", "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(out.read_text())
    assert report["download_failed"] == 0 and report["download_s_max"] > 0
    assert report["lost"] == 0 and "report download s, max" in run.stdout


def test_every_phone_gets_its_takeaway_in_the_takeaway_bench(tmp_path):
    out = tmp_path / "takeaways.json"
    run = subprocess.run([sys.executable, "-m", "scripts.bench_takeaways", "-n", "20",
                          "--rate", "40", "--json", str(out)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    med = json.loads(out.read_text())["median"]
    assert med["downloads"] == 20 and med["failed"] == 0
    assert med["wait_ms"]["p50"] > 0 and med["healthz_ms"]["p99"] is not None
    assert "20 takeaways" in run.stdout


def test_qa_upvote_burst_loses_nothing_and_the_projector_catches_up(tmp_path):
    out = tmp_path / "qa.json"
    run = subprocess.run([sys.executable, "-m", "scripts.loadtest", "--qa", "-n", "20", "--burst", "0.5",
                          "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(out.read_text())
    assert report["connected"] == 20
    assert report["qa_votes_sent"] == report["qa_votes_acked"] == report["qa_votes_stored"] == 20
    assert report["qa_votes_lost"] == 0 and report["qa_votes_duplicates"] == 0
    assert set(report["qa_ack_ms"]) == {"p50", "p99"} and report["qa_ack_ms"]["p50"] > 0
    assert report["qa_projector_order_ms"] is not None and report["qa_projector_order_ms"] < 2000
    assert "qa_votes_lost" in run.stdout
