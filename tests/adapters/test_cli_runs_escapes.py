"""`cron-adapter runs` never prints a target's terminal escapes raw: the fire path stores them
escaped, and the table escapes again whatever a record holds (JSON output is escaped by json.dumps)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from cron_adapter import constants as c
from cron_adapter.cli import main
from cron_adapter.cli.opsargs import table
from cron_adapter.errors import TargetHTTPError
from tests.adapters import ops_support
from tests.adapters.ops_support import GROUP, TABLE, OpsWorld, job, jobs_doc, minute

ops = ops_support.ops  # the shared pytest fixture

TRICK = "\x1b]0;owned\x07\x1b[2K\x1b[1Gsucceeded OK\x1b[8m"
CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@pytest.fixture
def flaky(ops: OpsWorld, monkeypatch: pytest.MonkeyPatch) -> OpsWorld:
    monkeypatch.setenv(c.ENV_TABLE, TABLE)
    monkeypatch.setenv(c.ENV_GROUP, GROUP)
    ops.apply(jobs_doc(job("flaky")))
    ops.caller.script = [TargetHTTPError(500, detail=TRICK)] * 3
    ops.fire("flaky", minute(ops.created) + timedelta(minutes=10))
    return ops


def _lines(out: str) -> list[str]:
    return [line for line in out.split("\n") if line]


def test_runs_prints_a_stored_terminal_trick_escaped(flaky: OpsWorld, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "flaky"]) == 0
    out = capsys.readouterr().out
    assert not any(CONTROLS.search(line) for line in _lines(out)), repr(out)
    assert "\\x1b]0;owned\\x07" in out
    assert main(["runs", "flaky", "--output", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["status"] == "failed" and not CONTROLS.search(row["error"]) and "\\x1b[2K" in row["error"]


def test_runs_escapes_a_record_written_raw(flaky: OpsWorld, capsys: pytest.CaptureFixture[str]) -> None:
    """A record stored before the fix, or by another writer, still cannot drive the terminal."""
    items = flaky.ddb.scan(TableName=TABLE)["Items"]
    (item,) = [i for i in items if "error" in i]
    flaky.ddb.update_item(
        TableName=TABLE,
        Key={"pk": item["pk"], "sk": item["sk"]},
        UpdateExpression="SET #e = :e",
        ExpressionAttributeNames={"#e": "error"},
        ExpressionAttributeValues={":e": {"S": TRICK + "\r\n\x9b31m\x00"}},
    )
    assert main(["runs", "flaky"]) == 0
    out = capsys.readouterr().out
    assert not any(CONTROLS.search(line) for line in _lines(out)), repr(out)
    assert "\\x1b]0;owned\\x07\\x1b[2K\\x1b[1Gsucceeded OK" in out
    assert main(["runs", "flaky", "--output", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["error"].startswith(TRICK)  # JSON keeps the text, escaped by JSON


def test_table_escapes_every_control_character_and_aligns_on_the_escaped_text() -> None:
    text = table([["a\x1b[31m", "b"], ["\x85\x7f", "c"]], ["X", "Y"])
    assert not CONTROLS.search(text.replace("\n", ""))
    assert text.split("\n") == ["X" + " " * 10 + "Y", "a\\x1b[31m  b", "\\x85\\x7f   c"]
