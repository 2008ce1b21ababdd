from __future__ import annotations

import json
from pathlib import Path

from cron_adapter.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_validate_reports_a_valid_file(capsys):
    assert main(["validate", str(EXAMPLES / "jobs.json")]) == 0
    out = capsys.readouterr().out
    assert "valid native jobs file, 7 job(s)" in out


def test_validate_json_counts_schedules_of_split_jobs(capsys, monkeypatch):
    monkeypatch.setenv("API_URL", "https://app.example.com")
    assert main(["validate", str(EXAMPLES / "sidecar-jobs.json"), "--output", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["valid"] is True and summary["format"] == "sidecar"
    assert summary["jobs"] == 11 and summary["schedules"] == 11


def test_validate_invalid_file_exits_2_with_problems_as_json_on_stdout(tmp_path, capsys):
    bad = tmp_path / "jobs.json"
    bad.write_text(
        json.dumps(
            {"version": 1, "jobs": [{"id": "x", "schedule": "every 0m", "target": {"url": "https://a.example"}}]}
        )
    )
    assert main(["validate", str(bad), "--output", "json"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1
    err = json.loads(captured.out)
    assert err["valid"] is False
    assert err["problems"][0]["job_id"] == "x" and err["problems"][0]["field"] == "schedule"


def test_thousands_of_problems_list_the_first_fifty_and_json_lists_them_all(tmp_path, capsys):
    jobs = [{"id": f"j{i}", "schedule": "every 0m", "target": {"url": "https://a.example"}} for i in range(3000)]
    bad = tmp_path / "jobs.json"
    bad.write_text(json.dumps({"version": 1, "jobs": jobs}))
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "(3000 problem(s))" in err and "'j49'" in err and "'j50'" not in err
    assert "... and 2950 more" in err and "--output json" in err and err.count("\n") < 60
    assert main(["validate", str(bad), "--output", "json"]) == 2
    assert len(json.loads(capsys.readouterr().out)["problems"]) == 3000


def test_validate_missing_file_is_a_clear_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
