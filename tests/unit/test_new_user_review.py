"""The new-user review's findings: bounded collision output, every problem of a job, concrete
schema fixes, past one-shots and DST notes in ``next``, settings, --fires, DISABLED in plan."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cron_adapter import constants as c
from cron_adapter.cli import main
from cron_adapter.cli.settings import CliSettings
from cron_adapter.errors import InvalidJobsFile, SettingsError
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.reconcile.render import to_json
from cron_adapter.simulate.load import collision_warnings, upcoming_collisions, window_warnings
from cron_adapter.simulate.model import SimOptions
from cron_adapter.simulate.progress import Progress
from cron_adapter.simulate.simulator import parse_when, simulate

URL = {"url": "https://app.example.com/x"}


def herd(jobs: int = 300) -> bytes:
    """Many rate jobs of many periods: hundreds of colliding minutes a day."""
    items = [{"id": f"job-{n}", "schedule": f"every {1 + n % 60}m", "target": URL} for n in range(jobs)]
    return json.dumps({"version": 1, "jobs": items}).encode()


def write(tmp_path: Path, data: bytes | dict) -> str:
    path = tmp_path / "jobs.json"
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return str(path)


def problems(jobs: list[dict]) -> list[tuple[str | None, str, str, str]]:
    with pytest.raises(InvalidJobsFile) as info:
        load_bytes(json.dumps({"version": 1, "jobs": jobs}).encode())
    return [(p.job_id, p.field, p.message, p.fix) for p in info.value.problems]


# 1. collisions: a bounded text summary naming the real window; JSON lists every one


def test_plan_text_bounds_the_collision_warnings_and_json_lists_every_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, herd())
    assert main(["plan", path, "--offline"]) == 0
    text = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  ! ")]
    together = [line for line in text if "fire together" in line]
    assert len(together) == 5 and "of the next 24 h" in together[0]
    (more,) = [line for line in text if line.startswith("  ! ... and ")]
    assert "more minutes of the next 24 h over the collision threshold" in more
    assert main(["plan", path, "--offline", "--output", "json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert len([w for w in warnings if "fire together" in w]) > 5 and not [w for w in warnings if "... and" in w]


def test_simulate_names_the_simulated_window_and_bounds_the_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["simulate", write(tmp_path, herd()), "--from", "2027-01-01", "--to", "2027-01-03", "--fires", "0"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    lines = [line for line in captured.out.splitlines() if line.startswith("warning: ")]
    assert len(lines) == 6 and "next 24 h" not in captured.out
    assert "of the window 2027-01-01T00:00Z to 2027-01-03T00:00Z" in lines[0]
    assert lines[-1].startswith("warning: ... and ") and captured.err == ""
    assert main([*argv, "--output", "json"]) == 0
    advice = json.loads(capsys.readouterr().out)["collisions"]["warnings"]
    assert len(advice) > 6 and all("fire together" in a for a in advice)


def test_a_large_run_shows_the_worst_minutes_and_counts_every_one() -> None:
    jobset = load_bytes(herd(60))
    sim = simulate(jobset, SimOptions(parse_when("2027-01-01"), parse_when("2027-01-02")))
    import cron_adapter.simulate.load as load

    full = window_warnings(sim, 5)
    saved, load.GROUP_ALL_FIRES = load.GROUP_ALL_FIRES, 0  # take the large-run path on a small file
    try:
        quick = window_warnings(sim, 5)
    finally:
        load.GROUP_ALL_FIRES = saved
    every = sum(1 for n in sim.per_minute.values() if n >= 5)
    assert len(quick) == 6 and quick[-1].startswith(f"... and {every - 5:,} more minutes")
    assert full[0] == quick[0]  # the worst minute either way


def test_collision_warnings_keep_every_line_without_a_limit() -> None:
    found = upcoming_collisions(load_bytes(herd()), datetime(2027, 1, 1, tzinfo=UTC))
    assert len(collision_warnings(found)) > 5
    assert len(collision_warnings(found, limit=2)) == 3


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_writes_a_line_every_few_seconds_off_a_terminal() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress("simulating", stream, clock, every=5)
    for done in range(1, 11):
        clock.now = done * 1.0
        progress(done, 10)
    progress.close()
    assert stream.getvalue().splitlines() == ["simulating: 5/10 jobs (5 s)", "simulating: 10/10 jobs (10 s)"]


def test_progress_says_nothing_for_a_short_run() -> None:
    stream = io.StringIO()
    progress = Progress("simulating", stream, FakeClock(), every=5)
    for done in range(1, 4):
        progress(done, 3)
    progress.close()
    assert stream.getvalue() == ""


# 2. problems within one job do not hide each other


def test_an_unknown_zone_does_not_hide_a_bad_schedule() -> None:
    found = problems([{"id": "a", "schedule": "évery 5m", "timezone": "Europe/Zürich", "target": URL}])
    assert [(p[0], p[1]) for p in found] == [("a", "timezone"), ("a", "schedule")]


def test_a_schema_problem_does_not_hide_the_jobs_rule_problems() -> None:
    job = {"id": "b", "schedule": "every 5m", "timezone": "Europe/Zürich", "start_at": "garbage", "target": URL}
    assert [(p[0], p[1]) for p in problems([job])] == [("b", "start_at"), ("b", "timezone")]


def test_a_job_without_its_url_gets_no_second_dependent_problem() -> None:
    found = problems([{"id": "u", "schedule": "every 5m", "target": {"url": 5}}])
    assert [(p[0], p[1]) for p in found] == [("u", "target.url")]


def test_every_bad_cron_field_is_reported() -> None:
    ((_, field, message, fix),) = problems([{"id": "c", "schedule": "61 25 * * *", "target": URL}])
    assert field == "schedule" and "minute field '61'" in message and "hour field '25'" in message
    assert "minute takes" in fix and "hour takes" in fix


def test_every_bad_eventbridge_cron_field_is_reported() -> None:
    ((_, _, message, _),) = problems([{"id": "e", "schedule": "cron(61 25 * * ? 3000)", "target": URL}])
    assert "minute field" in message and "hour field" in message and "year field" in message


# 3. schema errors get a concrete fix by error type


@pytest.mark.parametrize(
    ("extra", "field", "fix"),
    [
        ({"target": {**URL, "timeout": "30"}}, "target.timeout", "use a JSON number such as 30, not a string"),
        ({"max_runs": 0}, "max_runs", "use a value of at least 1"),
        ({"overlap": "never"}, "overlap", "use one of: skip, allow, queue"),
        ({"enabled": "yes"}, "enabled", "use true or false"),
        ({"jitter": "5"}, "jitter", "use a JSON number such as 5, not a string"),
    ],
)
def test_schema_errors_name_a_concrete_fix(extra: dict, field: str, fix: str) -> None:
    found = problems([{"id": "j", "schedule": "every 5m", "target": URL, **extra}])
    assert any(p[1] == field and p[3].startswith(fix) for p in found), found


def test_a_missing_field_says_what_to_add() -> None:
    ((job_id, field, message, fix),) = problems([{"id": "x", "target": URL}])
    assert (job_id, field, fix) == ("x", "schedule", 'add "schedule", e.g. "every 15m"')
    assert "required" in message


# 4. and 5. next: a past one-shot, and the fall-back note of a listed fire


def test_next_says_a_past_one_shot_has_passed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["next", "--schedule", "at 2020-01-01T00:00"]) == 0
    out = capsys.readouterr().out
    assert "one-shot time at(2020-01-01T00:00:00) has passed; not created" in out and "2199" not in out


def test_next_job_says_a_past_one_shot_has_passed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, {"version": 1, "jobs": [{"id": "past", "schedule": "at 2020-01-01T00:00", "target": URL}]})
    assert main(["next", "--job", "past", path, "--output", "json"]) == 0
    (warning,) = json.loads(capsys.readouterr().out)["warnings"]
    assert "has passed; not created" in warning


def test_the_fall_back_note_appears_when_the_last_listed_fire_is_in_the_repeated_hour(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["next", "--schedule", "30 2 * * *", "--timezone", "Europe/Berlin", "--after", "2027-10-30T00:00"]
    assert main([*argv, "-n", "2", "--output", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["fires"][-1] == "2027-10-31T02:30:00+02:00"
    assert [n["kind"] for n in data["notes"]] == ["overlap"]
    assert main([*argv, "-n", "1", "--output", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["notes"] == []


# 6. usage errors stay argparse's


def test_a_usage_error_with_output_json_prints_nothing_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["next", "--schedule", "every 5m", "-n", "0", "--output", "json"])
    captured = capsys.readouterr()
    assert info.value.code == 2 and captured.out == "" and "between 1 and 10,000" in captured.err


# 7. settings: every missing one at once; an ARN of the right service


def test_require_all_names_every_missing_setting() -> None:
    settings = CliSettings.from_env({})
    names = (c.ENV_INPUT_KEY_ID, c.ENV_FIRE_ARN, c.ENV_SCHEDULER_ROLE_ARN, c.ENV_TABLE)
    with pytest.raises(SettingsError) as info:
        settings.require_all(*names)
    assert all(name in str(info.value) for name in names) and "--fire-arn" in str(info.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (c.ENV_FIRE_ARN, "a"),
        (c.ENV_FIRE_ARN, "arn:aws:iam::123456789012:role/scheduler"),
        (c.ENV_SCHEDULER_ROLE_ARN, "arn:aws:lambda:us-east-1:123456789012:function:fire"),
        (c.ENV_DLQ_ARN, "queue"),
    ],
)
def test_a_value_that_is_not_an_arn_of_the_right_service_is_refused(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as info:
        CliSettings.from_env({}, {name: value})
    assert name in str(info.value) and repr(value) in str(info.value)


def test_real_arns_are_accepted() -> None:
    settings = CliSettings.from_env(
        {
            c.ENV_FIRE_ARN: "arn:aws:lambda:us-east-1:123456789012:function:cron-adapter-fire",
            c.ENV_SCHEDULER_ROLE_ARN: "arn:aws-cn:iam::123456789012:role/path/scheduler",
            c.ENV_DLQ_ARN: "arn:aws:sqs:eu-west-1:123456789012:dlq.fifo",
        }
    )
    assert settings.require(c.ENV_FIRE_ARN).endswith("cron-adapter-fire")


# 8. --fires says what it takes


def test_a_bad_fires_value_gets_a_clear_message(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["simulate", "examples/jobs.json", "--from", "2027-03-01", "--to", "2027-03-02", "--fires", "lots"])
    err = capsys.readouterr().err
    assert "_count" not in err and "'lots' is not a whole number or 'all'" in err


# 9. plan: a DISABLED schedule shows that it is disabled, not fire times


def test_plan_text_says_a_disabled_schedule_does_not_fire(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "examples/jobs.json", "--offline", "--collision-threshold", "0"]) == 0
    out = capsys.readouterr().out
    block = out[out.index("'legacy-cleanup'") :].split("\n\n", 1)[0]
    assert "fires after none: the schedule is DISABLED" in block and "+00:00" not in block


def test_plan_fire_times_and_json_mark_a_disabled_schedule() -> None:
    from cron_adapter.cli.plan import fire_times
    from cron_adapter.reconcile.model import Plan, Update

    request = {"Name": "n", "ScheduleExpression": "rate(5 minutes)", "ScheduleExpressionTimezone": "UTC"}
    action = Update("j", "n", "h", {**request, "State": "ENABLED"}, "resumed")
    times = fire_times(Plan((action,)), {"n": {**request, "State": "DISABLED"}}, datetime(2027, 1, 1, tzinfo=UTC))
    assert times["n"].before == () and times["n"].before_disabled and len(times["n"].after) == 3
    data = json.loads(to_json(Plan((action,)), times))
    assert data["actions"][0]["next_fires"]["before_disabled"] is True
    assert "after_disabled" not in data["actions"][0]["next_fires"]
