"""The handouts, summary, export and simulate commands, as a facilitator types them."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from tests.test_handouts import MINI_DECK, pdf_text

from server.cli import (export_cmd, handouts_cmd, simulate_cmd,
                               summary_cmd)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Return a runner working in a fresh folder that holds the default deck."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKSHOP_DB", "instance/workshop.db")
    monkeypatch.setenv("WORKSHOP_DECK", "decks/leaders-role.yaml")
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "leaders-role.yaml").write_text(MINI_DECK.format(language="en"),
                                                          encoding="utf-8")
    return CliRunner()


def simulated(cli, *extra) -> str:
    result = cli.invoke(simulate_cmd, ["--participants", "12", "--seed", "5", *extra])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_simulate_prints_the_new_session_id_on_the_last_line(cli):
    result = cli.invoke(simulate_cmd, ["--participants", "12", "--seed", "5"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert "12 participants" in lines[0]
    assert len(lines[-1]) == 12 and lines[-1].isalnum()
    assert Path("instance/workshop.db").is_file()


def test_summary_cmd_writes_the_summary_pdf(cli):
    session = simulated(cli)
    result = cli.invoke(summary_cmd, [session, "-o", "summary.pdf"])
    assert result.exit_code == 0, result.output
    assert "Session summary".upper() in pdf_text(Path("summary.pdf").read_bytes())


def test_handouts_cmd_writes_letter_handouts_with_a_sessions_results(cli):
    session = simulated(cli)
    result = cli.invoke(handouts_cmd, ["-o", "h.pdf", "--paper", "letter",
                                           "--session", session])
    assert result.exit_code == 0, result.output
    data = Path("h.pdf").read_bytes()
    assert round(float(pypdf.PdfReader(io.BytesIO(data)).pages[0].mediabox.height)) == 792
    assert "What the room said" in pdf_text(data)


def test_handouts_cmd_needs_no_database_without_a_session(cli):
    result = cli.invoke(handouts_cmd, ["decks/leaders-role.yaml", "-o", "h.pdf"])
    assert result.exit_code == 0, result.output
    assert not Path("instance").exists()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_cmd_writes_csv_or_json(cli, fmt):
    session = simulated(cli)
    result = cli.invoke(export_cmd, [session, "--format", fmt, "-o", f"out.{fmt}"])
    assert result.exit_code == 0, result.output
    data = Path(f"out.{fmt}").read_bytes()
    if fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbfsession,poll_id,question")
    else:
        assert json.loads(data)["session"]["id"] == session


def test_export_to_standard_output(cli):
    session = simulated(cli)
    result = cli.invoke(export_cmd, [session, "-o", "-"])
    assert result.exit_code == 0
    assert "session,poll_id,question" in result.output


def test_the_database_comes_from_WORKSHOP_DB_when_not_given(cli, monkeypatch):
    monkeypatch.setenv("WORKSHOP_DB", "elsewhere/w.db")
    session = simulated(cli)
    assert Path("elsewhere/w.db").is_file()
    assert cli.invoke(summary_cmd, [session, "-o", "s.pdf"]).exit_code == 0


def test_an_unknown_session_is_one_clear_line_and_exit_1(cli):
    simulated(cli)
    result = cli.invoke(summary_cmd, ["nosuchsession", "-o", "s.pdf"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no session 'nosuchsession' in instance/workshop.db"


def test_a_missing_database_is_reported_not_created(cli):
    result = cli.invoke(export_cmd, ["abc", "-o", "x.csv", "--db", "missing.db"])
    assert result.exit_code == 1
    assert "no database at missing.db" in result.output
    assert not Path("missing.db").exists()


def test_a_bad_deck_prints_its_problems(cli):
    Path("bad.yaml").write_text("title: Broken\nslides:\n  - kind: nonsense\n", encoding="utf-8")
    result = cli.invoke(handouts_cmd, ["bad.yaml", "-o", "h.pdf"])
    assert result.exit_code == 1
    assert result.output.startswith("bad.yaml:3: slide 1: unknown kind 'nonsense'")  # as `check` prints it
    assert "Traceback" not in result.output


def test_a_missing_deck_is_one_line(cli):
    result = cli.invoke(simulate_cmd, ["nope.yaml", "--participants", "3"])
    assert result.exit_code == 1
    assert result.output.strip() == "nope.yaml: no such file"


def test_an_unwritable_output_is_a_clear_error(cli):
    result = cli.invoke(handouts_cmd, ["-o", "no/such/folder/h.pdf"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot write no/such/folder/h.pdf")


def test_usage_errors_exit_1_too(cli):
    assert cli.invoke(handouts_cmd, ["--paper", "legal", "-o", "h.pdf"]).exit_code == 1
    assert cli.invoke(simulate_cmd, ["--participants", "0"]).exit_code == 1
    assert cli.invoke(summary_cmd, []).exit_code == 1


def test_the_default_deck_path_is_the_shipped_one():
    from server.cli import DEFAULT_DECK
    assert (ROOT / DEFAULT_DECK).is_file()


class Worker:
    """`python -m handouts.worker` as the server runs it: jobs in, framed replies out."""

    def __init__(self):
        import subprocess
        import sys
        self.proc = subprocess.Popen([sys.executable, "-m", "handouts.worker"], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def ask(self, job) -> bytes:
        """Return the report's bytes, or the ERR line as it came."""
        self.proc.stdin.write((job if isinstance(job, bytes) else json.dumps(job).encode()) + b"\n")
        self.proc.stdin.flush()
        head = self.proc.stdout.readline()
        return head if not head.startswith(b"OK ") else self.proc.stdout.read(int(head[3:]))

    def close(self) -> int:
        self.proc.stdin.close()
        return self.proc.wait(10)


@pytest.fixture
def worker():
    w = Worker()
    yield w
    assert w.close() == 0  # standard input closed: it exits


def paths() -> dict:
    return {"db": str(Path("instance/workshop.db").resolve()),
            "deck": str(Path("decks/leaders-role.yaml").resolve())}


def test_report_worker_builds_the_reports_the_server_asks_for(cli, worker):
    session = simulated(cli)
    summary = worker.ask({**paths(), "session": session, "builder": "build_summary"})
    assert "12" in pdf_text(summary) and "SESSION SUMMARY" in pdf_text(summary).upper()
    handouts = worker.ask({**paths(), "session": session, "builder": "build_handouts",
                           "kwargs": {"paper": "letter", "join_url": "http://10.0.0.2:5000/j/K7QM2X",
                                      "join_code": "K7QM2X"}})
    page = pypdf.PdfReader(io.BytesIO(handouts)).pages[0]
    assert round(float(page.mediabox.width)) == 612  # the job's keyword arguments reached it
    assert "What the room said" in pdf_text(handouts)
    assert "K7QM2X" not in pdf_text(handouts)  # the simulated session has ended: no join QR


def test_report_worker_answers_a_bad_job_in_one_line_and_serves_the_next(cli, worker):
    session = simulated(cli)
    for job in (b"{broken", {"builder": "build_summary"}, {**paths(), "session": session, "builder": "__import__"},
                {**paths(), "session": session, "builder": "build_takeaway", "kwargs": {"participant_id": -5}},
                {"db": "nowhere.db", "deck": paths()["deck"], "session": session, "builder": "build_summary"}):
        reply = worker.ask(job)
        assert reply.startswith(b"ERR ") and reply.endswith(b"\n") and reply.count(b"\n") == 1, reply
    assert worker.ask({**paths(), "session": session, "builder": "build_summary"}).startswith(b"%PDF")


def test_report_worker_reads_the_results_once_per_version(cli, worker):
    from workshop.deck_file import load_deck
    from workshop.store import open_store
    session = simulated(cli)
    job = {**paths(), "session": session, "builder": "export_json"}

    def rows(data: bytes) -> int:
        return len(json.loads(data)["answers"])

    before = rows(worker.ask({**job, "version": 1}))
    store = open_store(paths()["db"])
    pid = store.add_participant(session, "late-comer-token-0001", "Late Owl").id
    poll = next(p.id for p in load_deck(paths()["deck"]).polls.values() if p.type == "open")
    state = store.state(session)  # simulate closed every poll: a closed poll takes no answer
    store.save_state(session, state.but(polls={**state.polls, poll: ("open", True)}))
    store.save_answer(session, poll, pid, "a late answer", "u1")
    store.close()
    assert rows(worker.ask({**job, "version": 1})) == before  # the same version: the results it read
    assert rows(worker.ask({**job, "version": 2})) == before + 1  # a new one: read again


def test_report_worker_reads_again_when_the_deck_file_changes(cli, worker):
    import os
    session = simulated(cli)
    job = {**paths(), "session": session, "builder": "build_summary", "version": 1}
    assert worker.ask(job).startswith(b"%PDF")
    deck = Path(paths()["deck"])
    text = deck.read_text(encoding="utf-8")
    deck.write_text(text.replace("Trust at Work", "Trust at Work, Revised"), encoding="utf-8")
    os.utime(deck, ns=(deck.stat().st_atime_ns, deck.stat().st_mtime_ns + 10**9))
    assert "Revised" in pdf_text(worker.ask(job))  # same version, other deck: tallied again


def test_report_worker_ignores_ctrl_c_and_leaves_when_the_server_does(cli, worker):
    import signal
    session = simulated(cli)
    job = {**paths(), "session": session, "builder": "export_csv"}
    assert worker.ask(job).startswith(b"\xef\xbb\xbf")  # up and serving
    worker.proc.send_signal(signal.SIGINT)  # Ctrl-C reaches the whole process group
    assert worker.ask(job).startswith(b"\xef\xbb\xbf")
