"""`cron-adapter simulate` on the command line: text, JSON, options and refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cron_adapter.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "jobs.json"


def write(tmp_path: Path, doc: Any) -> str:
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps(doc))
    return str(path)


def small(tmp_path: Path) -> str:
    return write(
        tmp_path,
        {
            "version": 1,
            "defaults": {"target": {"base_url": "https://app.example.com"}},
            "jobs": [
                {"id": "sync", "schedule": "every 15m", "target": {"path": "/api/sync"}},
                {
                    "id": "nightly",
                    "schedule": "30 2 * * *",
                    "timezone": "Europe/Berlin",
                    "target": {"path": "/api/nightly"},
                },
            ],
        },
    )


def test_json_output_has_fires_dst_collisions_quota_and_cost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["simulate", small(tmp_path), "--from", "2027-03-27", "--to", "2027-03-30", "--output", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {j["id"]: j["fires"] for j in data["jobs"]} == {"sync": 288, "nightly": 2}
    assert data["dst"][0]["day"] == "2027-03-28"
    assert {"collisions", "quota", "cost", "fires"} <= set(data)
    assert data["fires_listed"] == 290 and len(data["fires"]) == 290
    assert data["cost"]["per_month"]["invocations"] == pytest.approx(290 * 730 / 72)


def test_text_output_lists_jobs_dst_cost_and_first_fires(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", small(tmp_path), "--from", "2027-03-27", "--to", "2027-03-30", "--fires", "3"]) == 0
    out = capsys.readouterr().out
    assert "nightly" in out and "2027-03-28" in out and "spring forward" in out
    assert "cost per month (730 h" in out and "EventBridge Scheduler" in out
    assert out.count("scheduled 2027-") == 3


def test_fail_flag_and_lambda_sizing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            "simulate",
            small(tmp_path),
            "--from",
            "2027-01-01",
            "--to",
            "2027-01-02",
            "--fail",
            "sync",
            "--memory",
            "512",
            "--arch",
            "x86_64",
            "--call-ms",
            "100",
            "--output",
            "json",
            "--fires",
            "0",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    sync = next(j for j in data["jobs"] if j["id"] == "sync")
    assert sync["failing"] and sync["target_calls"] == 96 * 3
    assert data["cost"]["assumptions"]["lambda_arch"] == "x86_64" and data["fires"] == []


def test_the_example_file_simulates(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            ["simulate", str(EXAMPLE), "--from", "2027-03-01", "--to", "2027-04-01", "--output", "json", "--fires", "0"]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    by_id = {j["id"]: j for j in data["jobs"]}
    assert by_id["heartbeat"]["fires"] == 31 * 24 * 60
    assert not by_id["legacy-cleanup"]["enabled"] and by_id["legacy-cleanup"]["fires"] == 0
    assert any(j["failing"] for j in data["jobs"])


def test_an_unknown_fail_job_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", small(tmp_path), "--from", "2027-01-01", "--to", "2027-01-02", "--fail", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


def test_an_inverted_window_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", small(tmp_path), "--from", "2027-01-02", "--to", "2027-01-01"]) == 2
    assert "--to must be after --from" in capsys.readouterr().err


def test_a_window_longer_than_the_bound_is_refused_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Eight thousand years once ran for 37 s and reported every job's first 2,000,000 fires
    # as if they covered the whole window: a cost per month thousands of times too low.
    assert main(["simulate", small(tmp_path), "--from", "2027-01-01", "--to", "9999-01-01"]) == 2
    err = capsys.readouterr().err
    assert "2,911,713 days; simulate at most 1,000" in err


def test_the_window_bound_keeps_every_job_under_the_fire_cap() -> None:
    # A job fires at most once a minute: over the longest window it cannot reach the cap.
    from cron_adapter.cli.simulate import MAX_WINDOW
    from cron_adapter.simulate.simulator import MAX_FIRES_PER_JOB

    assert MAX_WINDOW.total_seconds() / 60 < MAX_FIRES_PER_JOB


def test_a_plot_into_a_missing_folder_is_refused_before_simulating(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plot = tmp_path / "no-such-folder" / "load.png"
    args = ["simulate", small(tmp_path), "--from", "2027-01-01", "--to", "2027-01-02", "--plot", str(plot)]
    assert main(args) == 2
    assert f"the folder {plot.parent} does not exist" in capsys.readouterr().err


def test_an_invalid_jobs_file_is_refused_with_its_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(
        tmp_path,
        {"version": 1, "jobs": [{"id": "x", "schedule": "every 10s", "target": {"url": "https://a.example.com"}}]},
    )
    assert main(["simulate", bad, "--from", "2027-01-01", "--to", "2027-01-02"]) == 2
    assert "'x'" in capsys.readouterr().err


def test_help_explains_itself_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["simulate", "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "--from" in out and "collisions" in out


def test_an_asynchronous_target_counts_its_runs_as_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    window = ["--from", "2027-01-01", "--to", "2027-01-02", "--output", "json", "--fires", "3"]
    assert main(["simulate", small(tmp_path), *window, "--accepted", "sync"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_id = {j["id"]: j for j in data["jobs"]}
    assert by_id["sync"]["accepted_fires"] == 96 and by_id["nightly"]["accepted_fires"] == 0
    assert data["totals"]["accepted_fires"] == 96 and data["totals"]["failed_fires"] == 0
    assert {f["outcome"] for f in data["fires"] if f["job_id"] == "sync"} == {"accepted"}
    assert main(["simulate", small(tmp_path), *window, "--accepted", "synk"]) == 2
    assert "--accepted names no job in the file: 'synk'" in capsys.readouterr().err


def test_hermes_jobs_are_asynchronous(capsys: pytest.CaptureFixture[str]) -> None:
    hermes = str(REPO / "examples" / "hermes-jobs.json")
    args = ["simulate", hermes, "--format", "hermes", "--base-url", "https://agent.example.com"]
    assert main([*args, "--from", "2027-01-04", "--to", "2027-01-05", "--output", "json", "--fires", "0"]) == 0
    data = json.loads(capsys.readouterr().out)
    fired = [j for j in data["jobs"] if j["fires"]]
    assert fired and all(j["accepted_fires"] == j["fires"] for j in fired)
