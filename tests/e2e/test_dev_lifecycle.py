"""The files `cron-adapter dev` leaves behind: none, and never another session's; its secret; ./run dev FILE."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cron_adapter.cli import main
from cron_adapter.local.options import DevOptions
from cron_adapter.local.session import DevSession

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
SECRET = "dev-known-secret-7fQ2xLr9Vw4mZp1Kc8Ht3Nb6Yd0Sa5Je"  # a realistic, fixed secret


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def jobs_file(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "jobs.json"
    doc = {
        "version": 1,
        "defaults": {"target": {"base_url": f"http://127.0.0.1:{port}"}},
        "jobs": [{"id": "minutely", "schedule": "every 1m", "target": {"path": "/ok"}}],
    }
    path.write_text(json.dumps(doc))
    return path


def wait_for(path: Path, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.1)
    return False


def test_piped_dev_stopped_by_ctrl_c_removes_its_files(tmp_path: Path):
    """`cron-adapter dev | head` then Ctrl-C: the reader is gone and the pipe closed; nothing stays behind."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("AWS_ENDPOINT_URL", None)
    cmd = [sys.executable, "-m", "cron_adapter", "dev", str(jobs_file(tmp_path, port)), "--port", str(port)]
    cmd += ["--speed", "60"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dev_env = tmp_path / ".cron-adapter" / "dev.env"
    try:
        assert wait_for(dev_env, 60), "dev never wrote its dev.env"
        assert (tmp_path / ".cron-adapter" / "dev.secret").exists()
        proc.stdout.close()  # type: ignore[union-attr] # the `head` at the end of the pipe has exited
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=40)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not dev_env.exists()
    assert not (tmp_path / ".cron-adapter" / "dev.secret").exists()
    assert b"Traceback" not in proc.stderr.read()  # type: ignore[union-attr]


def test_a_second_dev_that_cannot_get_its_port_leaves_the_first_sessions_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.chdir(tmp_path)
    dev_env = tmp_path / ".cron-adapter" / "dev.env"
    dev_env.parent.mkdir()
    dev_env.write_text("export AWS_ENDPOINT_URL=http://127.0.0.1:40001\n")  # the running session's
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["dev", str(jobs_file(tmp_path, port)), "--port", str(port), "--duration", "1", "--plain"])
    assert code == 2
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err
    assert dev_env.read_text() == "export AWS_ENDPOINT_URL=http://127.0.0.1:40001\n"


def test_a_random_secret_is_written_where_the_session_says_and_removed_after(tmp_path: Path):
    port = free_port()
    log = tmp_path / ".cron-adapter" / "dev.log"
    session = DevSession(DevOptions(jobs_file(tmp_path, port), port=port, quiet=True, log_file=log))
    try:
        session.start()
        where = Path(session.secret_where)
        assert where == log.parent / "dev.secret"
        assert where.read_text().strip() == session.resources.secret  # type: ignore[union-attr]
        assert stat.S_IMODE(where.stat().st_mode) == 0o600
        notes = [n.text for n in session.journal.notes if n.kind == "env"]
        assert any(str(where) in text for text in notes)
    finally:
        session.close()
    assert not where.exists()


def test_a_known_secret_file_is_used_and_left_alone(tmp_path: Path):
    port = free_port()
    secret_file = tmp_path / "my.secret"
    secret_file.write_text(SECRET + "\n")
    log = tmp_path / ".cron-adapter" / "dev.log"
    options = DevOptions(
        jobs_file(tmp_path, port), port=port, quiet=True, log_file=log, secret=SECRET, secret_source=str(secret_file)
    )
    session = DevSession(options)
    try:
        session.start()
        assert session.resources.secret == SECRET  # type: ignore[union-attr]
        assert session.secret_where == str(secret_file)
        assert not (log.parent / "dev.secret").exists()
    finally:
        session.close()
    assert secret_file.read_text() == SECRET + "\n"


def test_a_short_secret_file_is_refused_before_anything_starts(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    short = tmp_path / "short.secret"
    short.write_text("abc\n")
    assert main(["dev", str(jobs_file(tmp_path, free_port())), "--secret-file", str(short)]) == 2
    assert "shorter than 32 characters" in capsys.readouterr().err


@pytest.mark.skipif(not (REPO / ".venv" / ".installed-local").exists(), reason="./run dev has not set up .venv yet")
def test_run_dev_takes_a_jobs_file_instead_of_the_example(tmp_path: Path):
    port = free_port()
    path = jobs_file(tmp_path, port)
    done = subprocess.run(
        [str(REPO / "run"), "dev", str(path), "--port", str(port), "--duration", "3", "--output", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "unrecognized arguments" not in done.stderr
    assert set(json.loads(done.stdout)["fires"]) <= {"minutely"}
