"""`cron-adapter dev` end to end: emulator, real reconcile and fire handlers, local target.

One session runs at 60x with chaos for ~24 real seconds (~24 simulated minutes); the jobs
file is edited halfway. The tests then read what the local target received, what the clock
delivered and the run rows the fire handler wrote. Two more tests run the CLI as a child
process: once with --duration/--output json, once stopped with Ctrl-C (SIGINT).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cron_adapter.fire.time_window import MAX_LEAD_SECONDS
from cron_adapter.local.journal import DeliveryRecord, Note
from cron_adapter.local.options import DevOptions
from cron_adapter.local.session import DevSession
from cron_adapter.local.target import TargetCall

pytestmark = pytest.mark.e2e

SPEED = 60.0
RUN_SECONDS = 24.0
EDIT_AFTER_SECONDS = 11.0
REPO = Path(__file__).resolve().parents[2]
OK_JOBS = ("minutely", "jittery", "late-joiner", "one-shot", "to-remove")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def jobs_doc(port: int, one_shot_at: datetime, *, edited: bool) -> dict[str, Any]:
    jobs = [
        {"id": "minutely", "schedule": "every 1m", "target": {"path": "/ok/minutely"}},
        {"id": "jittery", "schedule": "every 2m", "jitter": 1, "target": {"path": "/ok/jittery"}},
        {"id": "paused", "schedule": "every 1m", "enabled": False, "target": {"path": "/ok/paused"}},
        {"id": "failing", "schedule": "every 1m", "retry": {"attempts": 1}, "target": {"path": "/api/fail"}},
        {"id": "one-shot", "schedule": f"at {one_shot_at:%Y-%m-%dT%H:%M}", "target": {"path": "/ok/one-shot"}},
    ]
    jobs.append(
        {"id": "late-joiner", "schedule": "every 1m", "target": {"path": "/ok/late"}}
        if edited
        else {"id": "to-remove", "schedule": "every 1m", "target": {"path": "/ok/remove"}}
    )
    # overlap "allow": at 60x, a one-second stall of a busy host stretches a run past the
    # next minute and the default policy would (rightly) skip that fire. This file tests
    # delivery; the overlap policy has its own tests on moto.
    return {
        "version": 1,
        "defaults": {
            "timezone": "UTC",
            "overlap": "allow",
            "target": {"base_url": f"http://127.0.0.1:{port}"},
        },
        "jobs": jobs,
    }


@dataclass
class DevRun:
    summary: dict[str, Any]
    runs: list[dict[str, Any]]
    calls: list[TargetCall]
    deliveries: list[DeliveryRecord]
    notes: list[Note]
    edit_applied_at: datetime
    threads_left: list[str]
    port: int
    env_file: str = ""  # .cron-adapter/dev.env while the session ran
    env_file_left: bool = True
    secret: str = ""
    real_end: datetime = datetime.min.replace(tzinfo=UTC)  # real time when the session had stopped


def _scheduled(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _reconcile_after(session: DevSession, after: datetime, timeout: float) -> datetime:
    """The simulated time of the first reconcile note after ``after``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, notes = session.journal.recent(1000)
        done = [n.at for n in notes if n.kind == "reconcile" and n.at > after]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError("the edited jobs file was never reconciled")


@pytest.fixture(scope="module")
def dev_run(tmp_path_factory: pytest.TempPathFactory) -> DevRun:
    tmp = tmp_path_factory.mktemp("dev")
    port = free_port()
    one_shot_at = (datetime.now(UTC) + timedelta(minutes=5)).replace(second=0, microsecond=0)
    path = tmp / "jobs.json"
    path.write_text(json.dumps(jobs_doc(port, one_shot_at, edited=False)))
    session = DevSession(
        DevOptions(
            path,
            speed=SPEED,
            chaos=True,
            seed=11,
            duration=RUN_SECONDS,
            port=port,
            quiet=True,
            log_file=tmp / "dev.log",
        )
    )
    session.start()
    runner = threading.Thread(target=session.run, name="dev-run")
    runner.start()
    time.sleep(EDIT_AFTER_SECONDS)
    edited_at = session.clock.now()
    path.write_text(json.dumps(jobs_doc(port, one_shot_at, edited=True)))
    applied = _reconcile_after(session, edited_at, timeout=5)
    runner.join(RUN_SECONDS + 30)  # + the clock hold of the first reconcile (at most 20 s)
    assert not runner.is_alive(), "dev did not stop by itself after --duration"
    session.bridge.drain(10)  # type: ignore[union-attr]
    real_end = datetime.now(UTC)
    result = DevRun(
        session.summary(),
        session.runs(),
        session.target.log.snapshot(),  # type: ignore[union-attr]
        session.journal.all_deliveries(),
        list(session.journal.notes),
        applied,
        [],
        port,
    )
    result.env_file = (tmp / "dev.env").read_text()
    result.secret = session.resources.secret  # type: ignore[union-attr]
    result.real_end = real_end
    session.close()
    result.env_file_left = (tmp / "dev.env").exists()
    time.sleep(0.5)
    result.threads_left = [
        t.name for t in threading.enumerate() if t.is_alive() and t.name.startswith(("fire", "local-target", "dev-run"))
    ]
    return result


def _ok_calls(run: DevRun, job: str) -> Counter[datetime]:
    return Counter(
        _scheduled(c.scheduled_time)
        for c in run.calls  # type: ignore[arg-type]
        if c.job_id == job and c.verified and c.status == 200
    )


def test_every_due_fire_reaches_the_target_exactly_once_despite_chaos(dev_run: DevRun) -> None:
    kinds = Counter(d.kind for d in dev_run.deliveries)
    assert kinds["duplicate"] + kinds["retry"] >= 5, kinds  # chaos really injected duplicates
    assert dev_run.summary["duplicates_deduped"] >= kinds["duplicate"] + kinds["retry"] - 1
    for job in OK_JOBS:
        fired = {_scheduled(d.scheduled_time) for d in dev_run.deliveries if d.job_id == job and d.kind == "fire"}
        calls = _ok_calls(dev_run, job)
        assert set(calls) == fired, job
        assert all(n == 1 for n in calls.values()), (job, calls)
    minutes = sorted(_ok_calls(dev_run, "minutely"))
    assert len(minutes) >= 18
    assert all(b - a == timedelta(minutes=1) for a, b in zip(minutes, minutes[1:], strict=False))  # none missed
    assert all(c.verified for c in dev_run.calls)  # every call carried the right secret


def test_fires_scheduled_well_ahead_of_real_time_pass_the_fire_time_window(dev_run: DevRun) -> None:
    """At 60x the simulated time runs minutes ahead of real time: the window follows the simulated clock."""
    last = max(_ok_calls(dev_run, "minutely"))
    assert last > dev_run.real_end + timedelta(seconds=MAX_LEAD_SECONDS * 2)  # every call was made before real_end
    refused = [d for d in dev_run.deliveries if "out-of-window" in d.detail or "scheduled_time" in d.detail]
    assert refused == [] and dev_run.summary["handler_errors"] == 0


def test_a_paused_job_stays_silent(dev_run: DevRun) -> None:
    assert not [d for d in dev_run.deliveries if d.job_id == "paused"]
    assert not [c for c in dev_run.calls if c.job_id == "paused"]
    assert any("paused" in text and "DISABLED" in text for text in dev_run.summary["schedule_changes"])


def test_editing_the_jobs_file_reconciles(dev_run: DevRun) -> None:
    removed = sorted(_ok_calls(dev_run, "to-remove"))
    added = sorted(_ok_calls(dev_run, "late-joiner"))
    assert len(removed) >= 5 and removed[-1] <= dev_run.edit_applied_at + timedelta(minutes=1)
    assert len(added) >= 5 and added[0] >= dev_run.edit_applied_at - timedelta(minutes=1)
    assert dev_run.summary["reconcile"]["runs"] >= 2
    assert dev_run.summary["reconcile"]["actions"].get("created", 0) >= 7  # 6 at start + late-joiner
    assert dev_run.summary["reconcile"]["actions"].get("deleted", 0) >= 1


def test_a_one_shot_fires_once_and_is_deleted_like_eventbridge(dev_run: DevRun) -> None:
    assert sum(_ok_calls(dev_run, "one-shot").values()) == 1
    # Deleted after firing: by the fire handler (exhausted one-shot) or, like EventBridge's
    # ActionAfterCompletion=DELETE, by the local clock, whichever comes first.
    assert any(n.kind == "schedule" and n.text.startswith("deleted one-shot") for n in dev_run.notes)


def test_a_failing_target_records_failures(dev_run: DevRun) -> None:
    failing = dev_run.summary["runs_by_job"]["failing"]
    assert failing.get("failed", 0) >= 15 and set(failing) == {"failed"}
    assert dev_run.summary["target_calls"]["by_job"]["failing"] == {"500": failing["failed"]}
    assert dev_run.summary["handler_errors"] == 0 and dev_run.summary["errors"] == []


def test_an_env_file_points_the_cli_at_the_emulator_without_the_secret(dev_run: DevRun) -> None:
    exports = dict(line.removeprefix("export ").split("=", 1) for line in dev_run.env_file.splitlines())
    assert exports["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert {"CRON_ADAPTER_TABLE", "CRON_ADAPTER_FIRE_FUNCTION_ARN", "CRON_ADAPTER_SCHEDULER_ROLE_ARN"} <= set(exports)
    assert len(dev_run.secret) >= 32 and dev_run.secret not in dev_run.env_file
    assert any(n.kind == "env" for n in dev_run.notes)
    assert not dev_run.env_file_left


def test_the_session_stops_cleanly(dev_run: DevRun) -> None:
    assert dev_run.threads_left == []
    assert _port_released(dev_run.port)
    assert "AWS_ENDPOINT_URL" not in os.environ or "127.0.0.1" not in os.environ["AWS_ENDPOINT_URL"]


def _port_released(port: int) -> bool:
    """Nothing listens on the port any more (SO_REUSEADDR: closed connections in TIME_WAIT are fine)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
    return True


def _cli(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps(jobs_doc(port, datetime(2030, 1, 1, tzinfo=UTC), edited=False)))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("AWS_ENDPOINT_URL", None)
    cmd = [sys.executable, "-m", "cron_adapter", "dev", str(path), "--port", str(port), "--speed", "60", *args]
    return subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), port


def test_cli_duration_and_json_output_exit_by_themselves(tmp_path: Path) -> None:
    proc, _ = _cli(tmp_path, "--duration", "6", "--output", "json")
    out, err = proc.communicate(timeout=40)
    assert proc.returncode == 0, err
    summary = json.loads(out)
    assert summary["fires"]["minutely"] >= 3
    assert summary["runs_by_status"]["succeeded"] >= 3
    assert {"fires", "duplicates_deduped", "runs_by_status", "reconcile"} <= set(summary)


def _read_until(proc: subprocess.Popen[str], text: str, timeout: float) -> list[str]:
    """Lines of the child's stdout until one contains ``text`` (or ``timeout`` passes)."""
    lines: list[str] = []
    seen = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if text in line:
                seen.set()

    threading.Thread(target=pump, name="ctrl-c-reader", daemon=True).start()
    seen.wait(timeout)
    return lines


def test_ctrl_c_stops_everything_cleanly(tmp_path: Path) -> None:
    proc, port = _cli(tmp_path, "--plain")
    lines = _read_until(proc, "-> succeeded", timeout=60)  # a slow host may take a while to start
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
    out = "".join(lines)
    assert "minutely" in out and "-> succeeded" in out
    assert _port_released(port)
