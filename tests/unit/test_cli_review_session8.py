"""A new user's review of the CLI: plan's fire times, huge relative times, dev's store flags,
backfill's range, resume's JSON, status's pages and simulate on an empty file (offline parts)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cron_adapter.cli import main
from cron_adapter.cli import plan as plan_cli
from cron_adapter.cli.opsargs import parse_when
from cron_adapter.errors import UsageError
from cron_adapter.jobs.loader import load_path
from cron_adapter.reconcile.planner import plan
from cron_adapter.reconcile.translate import Wiring, translate_all

NOW = datetime(2026, 12, 2, 18, 50, 30, tzinfo=UTC)  # not on a minute: StartDate is the next grid instant

# One schedule per job (plan lists fire times per schedule, next per job).
VARIED = [
    {"id": "every-minute", "schedule": "every 1m"},
    {"id": "data-refresh", "schedule": "every 15m", "jitter": 5},
    {"id": "two-hourly", "schedule": "every 2h"},
    {"id": "phased", "schedule": "every 7m", "phase": "3m"},
    {"id": "from-creation", "schedule": "every 5m", "phase": 0},
    {"id": "rate-started", "schedule": "every 10m", "start_at": "2026-11-01T00:03:00Z"},
    {"id": "rate-later", "schedule": "every 30m", "start_at": "2026-12-03T07:11:00Z"},
    {"id": "rate-ending", "schedule": "every 20m", "end_at": "2026-12-02T19:31:00Z"},
    {"id": "berlin-daily", "schedule": "daily 03:00", "timezone": "Europe/Berlin"},
    {"id": "weekdays-ny", "schedule": "30 8 * * MON-FRI", "timezone": "America/New_York"},
    {"id": "window", "schedule": "0 9 * * *", "start_at": "2027-01-01T00:00", "end_at": "2027-01-03T00:00"},
    {"id": "cron-later", "schedule": "0 9 * * *", "start_at": "2027-02-10T00:00"},
    {"id": "cron-ending", "schedule": "*/30 * * * *", "end_at": "2026-12-02T20:00:00Z"},
    {"id": "one-shot", "schedule": "at 2027-01-15T09:00", "timezone": "Europe/Berlin"},
]


def jobs_file(tmp_path: Path, jobs: list[dict[str, Any]], name: str = "jobs.json") -> str:
    jobs = [{"target": {"path": f"/{j['id']}"}, **j} for j in jobs]
    doc = {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": jobs}
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return str(path)


def next_fires(capsys: pytest.CaptureFixture[str], job_id: str, path: str) -> list[str]:
    after = ["--after", NOW.isoformat(), "-n", str(plan_cli.FIRES), "--output", "json"]
    assert main(["next", "--job", job_id, path, *after]) == 0
    return list(json.loads(capsys.readouterr().out)["fires"])


# 1. plan's "fires after" come from the request as sent, with the engine `next` uses.


def test_the_plans_listed_times_equal_nexts_for_every_job(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = jobs_file(tmp_path, VARIED)
    wiring = Wiring.offline()
    result = plan(translate_all(load_path(path), wiring), [], {}, NOW, group=wiring.group)
    times = plan_cli.fire_times(result, {}, NOW)
    assert len(result.actions) == len(VARIED)
    for action in result.actions:
        assert list(times[action.name].after) == next_fires(capsys, action.job_id, path), action.job_id
    by_job = {a.job_id: (times[a.name].after, a.request) for a in result.actions}
    assert by_job["window"][0] == ("2027-01-01T09:00:00+00:00", "2027-01-02T09:00:00+00:00")  # start_at/end_at
    fires, request = by_job["data-refresh"]
    assert fires[0] == request["StartDate"].replace("Z", "+00:00")  # on its phase grid


def test_a_rate_job_in_the_text_plan_fires_on_its_startdate_grid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = jobs_file(tmp_path, [{"id": "data-refresh", "schedule": "every 15m"}])
    assert main(["plan", path, "--offline"]) == 0
    out = capsys.readouterr().out
    start = next(line.split()[-1] for line in out.splitlines() if line.strip().startswith("startdate"))
    fires = next(line for line in out.splitlines() if "fires after" in line).split("fires after")[1]
    first = datetime.fromisoformat(start.replace("Z", "+00:00"))
    expected = [(first + timedelta(minutes=15 * k)).isoformat() for k in range(3)]
    assert [t.strip() for t in fires.split(",")] == expected


def test_a_live_schedule_without_startdate_counts_from_its_creation() -> None:
    current = {"ScheduleExpression": "rate(15 minutes)", "CreationDate": datetime(2026, 12, 2, 18, 21, tzinfo=UTC)}
    assert plan_cli._next(current, NOW)[:2] == ("2026-12-02T18:51:00+00:00", "2026-12-02T19:06:00+00:00")
    ended = {"ScheduleExpression": "cron(0 9 * * ? *)", "EndDate": "2026-12-03T08:00:00Z"}
    assert plan_cli._next(ended, NOW) == ()


# 2. A relative time too far back is a usage error naming the flag, not an OverflowError.


@pytest.mark.parametrize("text", ["99999999d", "9999999999m", "0001-01-01T00:00+05:00"])
def test_parse_when_refuses_a_time_out_of_range_naming_the_flag(text: str) -> None:
    with pytest.raises(UsageError, match=r"--since .* is out of range"):
        parse_when(text, NOW, "--since")


def test_runs_and_backfill_refuse_a_huge_relative_time_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert main(["runs", "heartbeat", "--since", "99999999d", "--table", "t"]) == 2
    assert "error: --since '99999999d' is out of range" in capsys.readouterr().err
    path = jobs_file(tmp_path, [{"id": "heartbeat", "schedule": "every 1m"}])
    assert main(["backfill", "heartbeat", path, "--from", "99999999d", "--to", "1h", "--table", "t"]) == 2
    err = capsys.readouterr().err
    assert "--from '99999999d' is out of range" in err and "unexpected" not in err


def test_next_and_simulate_refuse_times_that_do_not_fit_with_a_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["next", "--schedule", "every 1m", "--after", "0001-01-01T00:00+05:00"]) == 2
    assert "--after '0001-01-01T00:00+05:00' is out of range" in capsys.readouterr().err
    path = jobs_file(tmp_path, [{"id": "a", "schedule": "every 1m"}])
    with pytest.raises(SystemExit) as exited:
        main(["simulate", path, "--from", "9999-12-30", "--to", "9999-12-31T23:59-05:00"])
    assert exited.value.code == 2 and "out of range" in capsys.readouterr().err
    assert main(["simulate", path, "--from", "9000-12-30", "--to", "9000-12-31"]) == 2
    err = capsys.readouterr().err
    assert "--from/--to must lie within 1970-01-01 .. 2200-01-01" in err and "unexpected" not in err


# 3. dev refuses a bad store flag before anything starts.


@pytest.mark.parametrize(
    ("flags", "named"),
    [(["--timezone", "Nope/X"], "--timezone: unknown timezone 'Nope/X'"), (["--base-url", "nope"], "--base-url:")],
)
def test_dev_refuses_a_bad_store_flag_up_front(
    flags: list[str], named: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a session that did start would write .cron-adapter/ here
    assert main(["dev", *flags, "--duration", "1", "--output", "json"]) == 2
    captured = capsys.readouterr()
    assert named in captured.err and "fix:" in captured.err
    assert json.loads(captured.out)["exit_code"] == 2
    assert not (tmp_path / ".cron-adapter").exists()


# 5. backfill over too many times is a usage error (exit 2) naming --from/--to.


def test_backfill_over_too_many_times_is_exit_2_with_a_narrower_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    path = jobs_file(tmp_path, [{"id": "heartbeat", "schedule": "every 1m"}])
    args = ["backfill", "heartbeat", path, "--from", "2026-11-01T00:00", "--to", "2026-11-02T00:00", "--table", "t"]
    assert main([*args, "--output", "json"]) == 2
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["exit_code"] == 2 and doc["kind"] == "UsageError"
    assert doc["error"].startswith("--from/--to: job 'heartbeat' has 500 or more scheduled times")
    assert "--from 2026-11-01T00:00:00Z --to 2026-11-01T08:19:00Z" in doc["error"]


# 6. resume takes --output json.


def test_resume_accepts_output_json() -> None:
    from cron_adapter.cli import resume

    parser = argparse.ArgumentParser()
    resume.register(parser.add_subparsers())
    assert parser.parse_args(["resume", "j", "jobs.json", "--output", "json"]).output == "json"


# 8. status refuses a page past the last one.


def test_status_refuses_a_page_past_the_last_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    path = jobs_file(tmp_path, [{"id": "a", "schedule": "every 1m"}])
    assert main(["status", path, "--page", "5", "--table", "t"]) == 2
    err = capsys.readouterr().err
    assert "--page 5 is past the last page, 1" in err and "fix: --page 1" in err
    assert main(["status", path, "--page", "2", "--table", "t", "--output", "json"]) == 2
    assert json.loads(capsys.readouterr().out)["exit_code"] == 2


# 9. simulate on a file with no jobs.


def test_simulate_with_no_jobs_says_there_is_no_peak(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = jobs_file(tmp_path, [])
    assert main(["simulate", path, "--from", "2027-01-01", "--to", "2027-01-02"]) == 0
    [peak] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("peak:")]
    assert "None" not in peak and peak.startswith("peak: none: the file has no jobs")
    paused = jobs_file(tmp_path, [{"id": "p", "schedule": "every 1m", "enabled": False}], "paused.json")
    assert main(["simulate", paused, "--from", "2027-01-01", "--to", "2027-01-02"]) == 0
    [peak] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("peak:")]
    assert peak.startswith("peak: none: no job fires in this window")
