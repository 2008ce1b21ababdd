"""`cron-adapter plan --offline`: the exact JSON, the human form, invalid files."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

import pytest

from cron_adapter.cli import plan as plan_cli
from cron_adapter.jobs.loader import load_path
from cron_adapter.reconcile.translate import Wiring, translate_all

ROOT = Path(__file__).resolve().parents[2]
SIDECAR = str(ROOT / "examples" / "sidecar-jobs.json")


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="cron-adapter")
    plan_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["plan", *argv])
    return args.func(args)


def test_offline_json_is_exactly_actions_and_warnings(capsys: pytest.CaptureFixture[str]):
    assert cli(SIDECAR, "--offline", "--base-url", "https://app.example.com", "--output", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"actions", "warnings"}
    expected = translate_all(load_path(SIDECAR, base_url="https://app.example.com"), Wiring.offline())
    # Exactly the translated requests, plus the StartDate that puts each rate schedule on its phase grid.
    sent = [{k: v for k, v in a["request"].items() if k != "StartDate"} for a in doc["actions"]]
    assert sent == [r.request for r in expected]
    for action, want in zip(doc["actions"], expected, strict=True):
        start = action["request"].get("StartDate")
        assert (start is not None) == (want.phase is not None)
        if start is not None:
            seconds = datetime.fromisoformat(start).timestamp()
            assert seconds % want.period == want.phase
    for action in doc["actions"]:
        assert set(action) == {"action", "job_id", "name", "reason", "request"} and action["action"] == "create"
    assert {a["job_id"] for a in doc["actions"]} >= {"data-refresh", "session-processor:verification"}


def test_offline_text_reads_like_terraform(capsys: pytest.CaptureFixture[str]):
    assert cli(SIDECAR, "--offline", "--base-url", "https://app.example.com") == 0
    out = capsys.readouterr().out
    assert "  + create 'data-refresh': new job" in out and "rate(15 minutes)" in out
    assert out.rstrip().endswith("Plan: 11 to create, 0 to update, 0 to delete.")


def test_invalid_file_with_json_output_prints_the_problems_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    bad = tmp_path / "jobs.json"
    bad.write_text(
        json.dumps(
            {"version": 1, "jobs": [{"id": "x", "schedule": "every 0m", "target": {"url": "https://a.example.com"}}]}
        )
    )
    assert cli(str(bad), "--offline", "--output", "json") == 2
    captured = capsys.readouterr()
    problems = json.loads(captured.out)["problems"]
    assert [(p["job_id"], p["field"]) for p in problems] == [("x", "schedule")]
    assert captured.err.count("\n") == 1 and "1 problem(s)" in captured.err  # one summary line


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        cli("--help")
    assert "cron-adapter plan examples/sidecar-jobs.json --offline" in capsys.readouterr().out


def test_push_summarises_counts_in_words():
    from cron_adapter.cli.push import _counts_text

    assert (
        _counts_text({"created": 0, "updated": 1, "deleted": 0, "drift_repaired": 2}) == "1 updated, 2 drift repaired"
    )
    assert _counts_text({"created": 0}) == "no changes"
