"""The usual mistakes of a first run: each gets one clear answer, never a traceback or a misleading one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cron_adapter import __version__
from cron_adapter.cli import main
from cron_adapter.errors import InvalidJobsFile
from cron_adapter.jobs.loader import load_bytes

ROOT = Path(__file__).resolve().parents[2]
BASE = {"target": {"base_url": "https://app.example.com"}}


def write(tmp_path: Path, *jobs: dict[str, Any]) -> str:
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps({"version": 1, "defaults": BASE, "jobs": list(jobs)}))
    return str(path)


def job(job_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": job_id, "schedule": "every 5m", "target": {"path": f"/{job_id}"}, **fields}


def problems(capsys: pytest.CaptureFixture[str]) -> list[tuple[str | None, str, str]]:
    return [(p["job_id"], p["field"], p["fix"]) for p in json.loads(capsys.readouterr().out)["problems"]]


def test_version_flag_prints_the_version(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out.strip() == f"cron-adapter {__version__}"


def test_a_mistyped_command_gets_a_suggestion(capsys: pytest.CaptureFixture[str]):
    assert main(["valdiate", "jobs.json"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'valdiate'; did you mean 'validate'?" in err and err.count("\n") == 1


def test_a_mistyped_job_field_gets_a_suggestion(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = write(tmp_path, {"id": "a", "shedule": "every 5m", "target": {"path": "/a", "methd": "GET"}})
    assert main(["validate", path, "--output", "json"]) == 2
    fixes = {field: fix for _, field, fix in problems(capsys)}
    assert fixes["shedule"] == "did you mean 'schedule'?"
    assert fixes["target.methd"] == "did you mean 'method'?"


def test_validate_warns_about_a_one_shot_in_the_past_as_plan_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = write(tmp_path, job("old", schedule="at 2020-01-01T09:00"))
    assert main(["validate", path]) == 0
    validate_out = capsys.readouterr().out
    assert main(["plan", path, "--offline"]) == 0
    plan_out = capsys.readouterr().out
    warning = next(line for line in validate_out.splitlines() if line.startswith("warning:"))
    assert "old" in warning and "2020-01-01" in warning
    assert warning.removeprefix("warning: ") in plan_out


def test_a_bad_timezone_flag_is_reported_once_not_per_job(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = write(tmp_path, job("a"), job("b"), job("c"))
    assert main(["validate", path, "--timezone", "Mars/Base", "--output", "json"]) == 2
    assert [(j, f) for j, f, _ in problems(capsys)] == [(None, "--timezone")]


def test_a_bad_base_url_flag_is_reported_once_not_per_job(capsys: pytest.CaptureFixture[str]):
    sidecar = str(ROOT / "examples" / "sidecar-jobs.json")
    assert main(["validate", sidecar, "--base-url", "ftp://app.example.com", "--output", "json"]) == 2
    assert [(j, f) for j, f, _ in problems(capsys)] == [(None, "--base-url")]


def test_schema_and_rule_errors_are_shown_in_one_pass():
    data = json.dumps(
        {
            "version": 1,
            "defaults": BASE,
            "jobs": [job("typo", overlapp="skip"), job("rule", schedule="every 0m"), job("fine")],
        }
    ).encode()
    with pytest.raises(InvalidJobsFile) as info:
        load_bytes(data)
    assert {(p.job_id, p.field) for p in info.value.problems} == {("typo", "overlapp"), ("rule", "schedule")}


def test_schema_accepts_output_json(capsys: pytest.CaptureFixture[str]):
    assert main(["schema", "--output", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "cron-adapter jobs.json"


def test_errors_with_json_output_are_json_on_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = write(tmp_path, job("a"))
    assert main(["simulate", path, "--from", "2027-01-02", "--to", "2027-01-01", "--output", "json"]) == 2
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["ok"] is False and doc["exit_code"] == 2 and "--to must be after --from" in doc["error"]
    assert captured.err.count("\n") == 1


def test_simulate_reports_the_window_it_simulates_in_utc(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = write(tmp_path, job("a", schedule="every 1h"))
    argv = ["simulate", path, "--from", "2027-03-01T00:00+02:00", "--to", "2027-03-02", "--output", "json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["from"] == "2027-02-28T22:00:00Z" and data["hours"] == 26
    assert data["fires"][0]["scheduled"].startswith("2027-02-28T22")


@pytest.mark.parametrize("memory", ["0", "64", "20000"])
def test_simulate_refuses_a_memory_lambda_cannot_have(memory: str, tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["simulate", write(tmp_path, job("a")), "--from", "2027-01-01", "--to", "2027-01-02", "--memory", memory])
    assert exited.value.code == 2 and "--memory: must be between 128 and 10,240" in capsys.readouterr().err


def test_a_job_without_a_target_path_is_not_silent(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = write(tmp_path, {"id": "root", "schedule": "every 5m"})
    assert main(["validate", path]) == 0
    assert "no target.path: calls the base URL's root https://app.example.com" in capsys.readouterr().out


def test_the_text_plan_shows_the_url_each_job_calls(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = write(tmp_path, job("a", target={"path": "/api/a", "method": "GET"}))
    assert main(["plan", path, "--offline"]) == 0
    assert "calls       GET https://app.example.com/api/a" in capsys.readouterr().out


def test_an_unexpected_error_is_one_line_without_debug(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "jobs.json"
    path.mkdir()  # a directory where the file should be: reading it fails
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err


@pytest.mark.parametrize("command", ["apply", "plan"])
def test_a_live_command_names_every_missing_setting_at_once(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    """One error for all four, not four tries that each find the next one."""
    for name in ("FIRE_FUNCTION_ARN", "SCHEDULER_ROLE_ARN", "TABLE", "INPUT_KEY_ID", "GROUP"):
        monkeypatch.delenv(f"CRON_ADAPTER_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    args = [command, write(tmp_path, job("a")), *(["--yes"] if command == "apply" else [])]
    assert main(args) == 2
    err = capsys.readouterr().err
    for flag in ("--fire-arn", "--role-arn", "--table", "--input-key-id"):
        assert flag in err, err
    assert "Traceback" not in err


def test_plan_with_no_deployment_settings_says_how_to_plan_offline(tmp_path, monkeypatch, capsys):
    for name in ("CRON_ADAPTER_FIRE_FUNCTION_ARN", "CRON_ADAPTER_SCHEDULER_ROLE_ARN", "CRON_ADAPTER_TABLE"):
        monkeypatch.delenv(name, raising=False)
    assert main(["plan", write(tmp_path, job("a"))]) == 2
    err = capsys.readouterr().err
    assert "CRON_ADAPTER_TABLE" in err and err.rstrip().endswith("or plan without AWS: add --offline")
    assert "Traceback" not in err
