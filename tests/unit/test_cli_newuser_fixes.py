"""A new user's first commands: next's reason for no fires, validate's never-again warning, one dev per directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cron_adapter.cli import main
from cron_adapter.cli.neverfires import never_again
from cron_adapter.errors import UsageError
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.local.devfiles import LOCK_FILE_NAME, SessionLock

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def jobs_file(tmp_path: Path, *jobs: dict[str, object]) -> Path:
    path = tmp_path / "jobs.json"
    doc = {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": list(jobs)}
    path.write_text(json.dumps(doc))
    return path


def test_next_says_the_years_are_all_in_the_past_not_after_2199(capsys: pytest.CaptureFixture[str]):
    assert main(["next", "--schedule", "cron(0 9 * * ? 2020)", "--after", "2026-12-03T00:00"]) == 0
    out = capsys.readouterr().out
    assert "the schedule's years are all in the past (its year field ends in 2020)" in out
    assert "2199" not in out and "next fires:  none" in out


def test_next_says_where_a_year_field_ends_when_fewer_fires_follow(capsys: pytest.CaptureFixture[str]):
    argv = ["next", "--schedule", "cron(0 9 1 * ? 2027)", "--after", "2026-12-03T00:00", "-n", "20", "--output", "json"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["fires"]) == 12 and doc["warnings"] == ["its year field ends in 2027: nothing fires after that"]


def test_next_still_names_eventbridges_last_year_at_its_end(capsys: pytest.CaptureFixture[str]):
    assert main(["next", "--schedule", "cron(0 9 * * ? *)", "--after", "2199-12-30T00:00"]) == 0
    assert "fires nothing after the year 2199" in capsys.readouterr().out


def test_validate_warns_about_a_cron_whose_years_are_all_past(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = jobs_file(tmp_path, {"id": "yearly", "schedule": "cron(0 9 * * ? 2020)", "target": {"path": "/y"}})
    assert main(["validate", str(path)]) == 0  # a warning, as for a passed end_at: the file is still valid
    out = capsys.readouterr().out
    assert "warning: job 'yearly', field schedule: cron(0 9 * * ? 2020) can never fire again" in out
    assert "years are all in the past" in out and "fix: change the schedule's year field" in out
    assert main(["validate", str(path), "--output", "json"]) == 0
    [warning] = json.loads(capsys.readouterr().out)["warnings"]
    assert warning.startswith("job 'yearly', field schedule:")


def test_validate_says_nothing_new_of_a_past_one_shot_or_an_open_year_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    path = jobs_file(
        tmp_path,
        {"id": "once", "schedule": "at 2020-01-01T09:00", "target": {"path": "/o"}},
        {"id": "daily", "schedule": "cron(0 9 * * ? 2020-2199)", "target": {"path": "/d"}},
    )
    assert main(["validate", str(path), "--output", "json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert not any("can never fire again" in w for w in warnings)
    assert any("'once'" in w and "passed" in w for w in warnings)  # plan's own warning, unchanged


def test_never_again_reads_the_engine_at_the_given_time():
    doc = {"version": 1, "defaults": {"target": {"base_url": "https://a.example"}}}
    jobs = load_bytes(json.dumps({**doc, "jobs": [{"id": "y", "schedule": "cron(0 9 * * ? 2027)"}]}).encode()).jobs
    assert never_again(jobs[0], NOW) is None  # 2027 is ahead
    assert "fire times are all in the past" in str(never_again(jobs[0], datetime(2027, 12, 31, 10, tzinfo=UTC)))
    ended = {"id": "e", "schedule": "cron(0 9 * * ? 2020)", "end_at": "2020-06-01T00:00:00Z"}
    job = load_bytes(json.dumps({**doc, "jobs": [ended]}).encode()).jobs[0]
    assert never_again(job, NOW) is None  # over on purpose: plan says its end_at has passed


def test_a_live_session_lock_refuses_a_second_one_with_its_pid_and_the_fix(tmp_path: Path):
    first = SessionLock(tmp_path).acquire()
    try:
        with pytest.raises(UsageError) as caught:
            SessionLock(tmp_path).acquire()
        text = str(caught.value)
        assert f"pid {os.getpid()}" in text and "dev.env" in text and "fix: stop it" in text
        assert f"kill {os.getpid()}" in text and "another directory" in text
    finally:
        first.release()
    assert not (tmp_path / LOCK_FILE_NAME).exists()
    SessionLock(tmp_path).acquire().release()  # free again once released


def test_a_lock_file_left_by_a_killed_session_does_not_block(tmp_path: Path):
    holder = "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); fcntl.flock(fd, fcntl.LOCK_EX)"
    lock = tmp_path / LOCK_FILE_NAME
    subprocess.run([sys.executable, "-c", holder + "; os.write(fd, b'999999'); os._exit(9)", str(lock)], check=False)
    assert lock.read_text() == "999999"  # the dead session's file is still there
    SessionLock(tmp_path).acquire().release()


def test_a_second_dev_in_the_same_directory_is_refused_and_leaves_the_first_ones_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / ".cron-adapter"
    folder.mkdir()
    (folder / "dev.env").write_text("export AWS_ENDPOINT_URL=http://127.0.0.1:40001\n")  # the running session's
    first = SessionLock(folder).acquire()
    try:
        path = jobs_file(tmp_path, {"id": "a", "schedule": "every 1m", "target": {"path": "/a"}})
        assert main(["dev", str(path), "--duration", "1", "--plain"]) == 2
    finally:
        first.release()
    err = capsys.readouterr().err
    assert err.startswith("error: another `cron-adapter dev` session") and err.count("\n") == 1
    assert (folder / "dev.env").read_text() == "export AWS_ENDPOINT_URL=http://127.0.0.1:40001\n"
