"""Plan rendering: terraform-like text and the exact JSON form."""

from __future__ import annotations

import json

from cron_adapter.reconcile.model import Create, Delete, Plan, Update
from cron_adapter.reconcile.render import FireTimes, to_json, to_text

REQ = {
    "Name": "a",
    "GroupName": "g",
    "ScheduleExpression": "rate(5 minutes)",
    "ScheduleExpressionTimezone": "UTC",
    "State": "ENABLED",
    "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 5},
    "ActionAfterCompletion": "NONE",
    "Target": {"Arn": "arn:fire", "RoleArn": "arn:role", "Input": "{}"},
}
PLAN = Plan(
    (
        Create("a", "a", "h", REQ, "new job"),
        Update("b:1", "b-1234", "h", {**REQ, "Name": "b-1234"}, "paused"),
        Delete(None, "old", {"Name": "old", "GroupName": "g"}, "orphan"),
    ),
    ("job 'x': one-shot passed",),
)


def test_json_lists_the_exact_requests():
    doc = json.loads(to_json(PLAN))
    assert set(doc) == {"actions", "warnings"} and doc["warnings"] == ["job 'x': one-shot passed"]
    assert [(a["action"], a["job_id"], a["reason"]) for a in doc["actions"]] == [
        ("create", "a", "new job"),
        ("update", "b:1", "paused"),
        ("delete", None, "orphan"),
    ]
    assert doc["actions"][0]["request"] == REQ and doc["actions"][2]["request"] == {"Name": "old", "GroupName": "g"}


def test_json_adds_next_fires_only_when_given():
    doc = json.loads(to_json(PLAN, {"a": FireTimes((), ("2026-01-01T00:00:00+00:00",))}))
    assert doc["actions"][0]["next_fires"] == {"before": [], "after": ["2026-01-01T00:00:00+00:00"]}
    assert "next_fires" not in doc["actions"][1]


def test_text_reads_like_terraform_plan():
    text = to_text(PLAN, "g", {"b-1234": FireTimes(("2026-01-01T00:00:00+00:00",), ())})
    assert "  + create 'a': new job" in text
    assert "  ~ update in-place 'b-1234' (job b:1): paused" in text
    assert "  - destroy 'old': orphan" in text
    assert "window      5 min" in text and "fires now   2026-01-01T00:00:00+00:00" in text
    assert "  ! job 'x': one-shot passed" in text
    assert text.endswith("Plan: 1 to create, 1 to update, 1 to delete.")


def test_empty_plan_says_no_changes():
    assert to_text(Plan(), "g").startswith("No changes.")


def test_text_shows_the_description_naming_the_job():
    plan = Plan(
        (Create("a1", "a1", "h", {**REQ, "Description": "cron-adapter job a1 (morning-digest): 0 9 * * *"}, "new job"),)
    )
    assert "      description cron-adapter job a1 (morning-digest): 0 9 * * *" in to_text(plan, "g")
