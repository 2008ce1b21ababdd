"""``cron-adapter next``: fire times with offsets, DST notes, jobs from files, clear errors."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from cron_adapter.cli import main
from cron_adapter.schedule import phase

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["next", *argv, "--output", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_next_lists_fires_with_offsets_and_notes_the_skipped_gap(capsys):
    out = run_json(
        capsys, "--schedule", "30 2 * * *", "--timezone", "Europe/Berlin", "--after", "2027-03-27T00:00", "-n", "3"
    )
    assert out["fires"] == ["2027-03-27T02:30:00+01:00", "2027-03-29T02:30:00+02:00", "2027-03-30T02:30:00+02:00"]
    assert out["expressions"] == [{"expression": "cron(30 2 * * ? *)", "suffix": ""}]
    assert out["notes"] == [
        {
            "at": "2027-03-28T02:30:00",
            "kind": "gap",
            "message": "02:30 does not exist on 2027-03-28 in Europe/Berlin (spring forward): that fire is skipped",
        }
    ]


def test_next_notes_a_fall_back_hour_that_fires_once(capsys):
    out = run_json(
        capsys, "--schedule", "30 1 * * *", "--timezone", "America/New_York", "--after", "2027-11-06T12:00", "-n", "2"
    )
    assert out["fires"] == ["2027-11-07T01:30:00-04:00", "2027-11-08T01:30:00-05:00"]
    assert [n["kind"] for n in out["notes"]] == ["overlap"]


def test_next_text_output_shows_expressions_fires_and_notes(capsys):
    argv = [
        "next",
        "--schedule",
        "daily 07:00,13:30",
        "--timezone",
        "Europe/Berlin",
        "--after",
        "2027-10-30T12:00+02:00",
        "-n",
        "2",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "eventbridge: cron(0 7 * * ? *), cron(30 13 * * ? *)" in out
    assert "  2027-10-30T13:30:00+02:00\n  2027-10-31T07:00:00+01:00" in out
    assert "dst notes" not in out  # neither 07:00 nor 13:30 is in the repeated hour


def test_next_after_with_an_offset_is_an_instant(capsys):
    out = run_json(
        capsys,
        "--schedule",
        "0 * * * *",
        "--timezone",
        "Asia/Kolkata",
        "--after",
        "2027-01-01T00:00:00+00:00",
        "-n",
        "1",
    )
    assert out["fires"] == ["2027-01-01T06:00:00+05:30"]


def test_next_defaults_to_utc_and_five_fires_after_now(capsys):
    out = run_json(capsys, "--schedule", "every 1m")
    assert out["timezone"] == "UTC" and len(out["fires"]) == 5
    assert all(t.endswith("+00:00") for t in out["fires"])


def test_next_for_a_job_uses_its_schedule_and_timezone(capsys):
    out = run_json(
        capsys, "--job", "marketplaces-sync", str(EXAMPLES / "jobs.json"), "--after", "2027-03-27T00:00", "-n", "2"
    )
    assert out["timezone"] == "Europe/Berlin"
    assert out["fires"] == ["2027-03-27T03:00:00+01:00", "2027-03-28T03:00:00+02:00"]


def test_next_for_a_job_respects_start_and_end(tmp_path, capsys):
    jobs = {
        "version": 1,
        "jobs": [
            {"id": "window", "schedule": "0 9 * * *", "timezone": "UTC", "start_at": "2027-01-10T00:00:00",
             "end_at": "2027-01-12T09:00:00", "target": {"url": "https://app.example.com/x"}}
        ],
    }  # fmt: skip
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps(jobs))
    out = run_json(capsys, "--job", "window", str(path), "--after", "2027-01-01T00:00", "-n", "5")
    assert out["fires"] == ["2027-01-10T09:00:00+00:00", "2027-01-11T09:00:00+00:00"]


def test_next_for_a_sidecar_job_needs_no_base_url(capsys, monkeypatch):
    monkeypatch.delenv("API_URL", raising=False)
    out = run_json(
        capsys, "--job", "data-refresh", str(EXAMPLES / "sidecar-jobs.json"), "--after", "2027-01-01T00:00Z", "-n", "2"
    )
    assert out["expressions"] == [{"expression": "rate(15 minutes)", "suffix": ""}]
    # A rate job fires on its phase grid, as reconcile will place it: here minute 6 of each 15.
    assert phase.offset_seconds("data-refresh", timedelta(minutes=15), phase.AUTO) == 6 * 60
    assert out["fires"] == ["2027-01-01T00:06:00+00:00", "2027-01-01T00:21:00+00:00"]


def test_next_warns_when_the_job_shares_its_minute_with_many_others(capsys, tmp_path):
    herd = [{"id": f"h{i}", "schedule": "0 * * * *"} for i in range(6)] + [{"id": "alone", "schedule": "30 * * * *"}]
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps({"version": 1, "defaults": {"target": {"base_url": "https://a.example"}}, "jobs": herd}))
    herd_out = run_json(capsys, "--job", "h0", str(path), "--after", "2027-01-01T00:10Z", "-n", "1")
    (warning,) = herd_out["warnings"]
    assert "6 jobs ('h0', 'h1', 'h2', 'h3', 'h4' and 1 more)" in warning and "24 minutes" in warning
    assert "first at 2027-01-01T01:00Z" in warning and "jitter" in warning
    alone = run_json(capsys, "--job", "alone", str(path), "--after", "2027-01-01T00:10Z", "-n", "1")
    assert alone["warnings"] == []


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--schedule", "every 30s"], "resolution is one minute"),
        (["--schedule", "0 9 31 2 *"], "can never fire"),
        (["--schedule", "every 5m", "--timezone", "Mars/Base"], "unknown timezone 'Mars/Base'"),
        (["--schedule", "every 5m", "--after", "yesterday"], "--after 'yesterday' is not an ISO-8601 time"),
        (["--job", "nope", str(EXAMPLES / "jobs.json")], "no job 'nope'"),
        (["--job", "x", "/nonexistent/jobs.json"], "cannot read"),
    ],
)
def test_next_errors_go_to_stderr_with_a_non_zero_exit(argv, says, capsys):
    assert main(["next", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert says in captured.err


@pytest.mark.parametrize("count", ["0", "3000000", "ten"])
def test_next_refuses_a_count_outside_its_bounds_as_a_usage_error(count, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["next", "--schedule", "every 5m", "-n", count])
    assert exited.value.code == 2
    assert "argument -n" in capsys.readouterr().err


def test_next_lists_nothing_after_the_year_2199_and_says_why(capsys):
    out = run_json(capsys, "--schedule", "0 0 1 1 *", "--after", "2197-06-01T00:00", "-n", "10")
    assert out["fires"] == ["2198-01-01T00:00:00+00:00", "2199-01-01T00:00:00+00:00"]
    assert any("after the year 2199" in w for w in out["warnings"])


def test_next_with_the_largest_count_finishes_without_overflow(capsys):
    out = run_json(capsys, "--schedule", "rate(1 day)", "--after", "2190-01-01T00:00", "-n", "10000")
    assert out["fires"][-1].startswith("2199-12-31")


def test_next_suggests_the_job_id_you_probably_meant(capsys):
    assert main(["next", "--job", "heartbeet", str(EXAMPLES / "jobs.json")]) == 2
    assert "did you mean 'heartbeat'?" in capsys.readouterr().err


def test_next_needs_exactly_one_of_schedule_and_job(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["next"])
    assert exited.value.code == 2
    with pytest.raises(SystemExit):
        main(["next", "--schedule", "every 5m", "--job", "a", "b"])


def test_next_help_explains_itself_with_an_example(capsys):
    with pytest.raises(SystemExit):
        main(["next", "--help"])
    out = capsys.readouterr().out
    assert "cron-adapter next --schedule" in out and "--job ID FILE" in out
