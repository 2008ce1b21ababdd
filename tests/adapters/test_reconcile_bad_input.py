"""The reconcile Lambda on moto records a bad jobs file as ``rejected`` (not ``failed``), however bad."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cron_adapter import constants as c
from cron_adapter.adapters.ledger import Ledger
from cron_adapter.reconcile.app import MAX_LINE_CHARS, MAX_LINES, Outcome
from tests.adapters.reconcile_support import GROUP, TABLE, jobs_doc
from tests.adapters.test_reconcile_handler import Context, aws_env, env, event, names, upload  # noqa: F401 - fixtures

DDB_ITEM_LIMIT = 400 * 1024


def hermes_store(**job: Any) -> bytes:
    item = {"id": "a", "name": "digest", "schedule": {"kind": "interval", "minutes": 5}, **job}
    return json.dumps({"jobs": [item]}).encode()


@pytest.fixture
def hermes_env(env: Any, monkeypatch: pytest.MonkeyPatch) -> Any:  # noqa: F811 - the imported fixture
    monkeypatch.setenv(c.ENV_STORE_FORMAT, "hermes")
    monkeypatch.setenv(c.ENV_BASE_URL, "https://agent.example.com")
    env.app.cache_clear()
    return env


@pytest.mark.parametrize(
    ("job", "field"),
    [({"repeat": [1]}, "repeat"), ({"name": 7}, "name"), ({"id": "x" * 513}, "id")],
)
def test_a_malformed_hermes_store_is_rejected_not_failed(hermes_env: Any, job: dict[str, Any], field: str) -> None:
    etag = upload(hermes_store(**job))
    result = hermes_env.handler(event("s3-put-jobs.json"), Context())
    assert result["status"] == "rejected" and f"field {field!r}" in result["problems"][0]
    assert Ledger(TABLE, GROUP).get_status(etag)["status"] == "rejected"
    assert names() == set()


def test_a_file_with_5000_problems_is_rejected_with_a_bounded_status(env: Any) -> None:  # noqa: F811
    upload(jobs_doc(2))
    env.handler(event("s3-put-jobs.json"), Context())
    bad = jobs_doc(5000)
    for job in bad["jobs"]:
        job["schedule"] = "*/0 * * * * " + "x" * 60  # one long problem line per job
    etag = upload(bad)
    result = env.handler(event("s3-put-jobs.json"), Context())
    assert result["status"] == "rejected" and result["problems_count"] == 5000
    stored = Ledger(TABLE, GROUP).get_status(etag)
    assert stored["status"] == "rejected" and stored["problems_count"] == 5000
    assert len(stored["problems"]) == MAX_LINES + 1 and "4950 more" in stored["problems"][-1]
    assert len(json.dumps(stored, default=str).encode()) < DDB_ITEM_LIMIT // 4
    assert names() == {"j0", "j1"}  # nothing changed


def test_the_bounded_form_keeps_every_count_and_cuts_long_lines() -> None:
    outcome = Outcome("rejected", "upload", "e", problems=("p" * 10_000,) * 3, detail="d" * 10_000)
    out = outcome.as_dict()
    assert out["problems_count"] == 3 and all(len(line) <= MAX_LINE_CHARS for line in out["problems"])
    assert len(out["detail"]) <= 2000 and out["warnings_count"] == 0
