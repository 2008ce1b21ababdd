"""The audit Lambda in the template: its handler and settings, its rule, exact permissions, widgets."""

from __future__ import annotations

import json

import pytest

from cron_adapter import constants as c
from tests.infra.test_iam import _as_list, _grants

pytestmark = pytest.mark.infra


def _audit(synth):
    return synth.one("AWS::Lambda::Function", "Audit")


def test_the_audit_lambda_runs_the_audit_handler_with_the_settings_it_reads(synth) -> None:
    _, fn = _audit(synth)
    props = fn["Properties"]
    assert props["Handler"] == c.AUDIT_HANDLER
    env = props["Environment"]["Variables"]
    for name in (c.ENV_TABLE, c.ENV_BUCKET, c.ENV_GROUP, c.ENV_FIRE_ARN, c.ENV_SCHEDULER_ROLE_ARN, c.ENV_SECRET_ID):
        assert name in env, name
    assert "Ref" in env[c.ENV_ALARM_TOPIC_ARN] and env[c.ENV_POWERTOOLS_SERVICE]
    assert props["ReservedConcurrentExecutions"] == 1


def test_a_rule_invokes_the_audit_every_interval(synth) -> None:
    audit_id, _ = _audit(synth)
    rules = [
        r for r in synth.resources("AWS::Events::Rule").values()
        if any(t["Arn"] == {"Fn::GetAtt": [audit_id, "Arn"]} for t in r["Properties"]["Targets"])
    ]  # fmt: skip
    assert [r["Properties"]["ScheduleExpression"] for r in rules] == [f"rate({c.AUDIT_INTERVAL_MINUTES} minutes)"]


def test_the_audit_role_has_exactly_the_actions_its_adapters_call(synth) -> None:
    granted = _grants(synth, "Audit")
    own = {a for a in granted if not a.startswith(("logs:", "xray:", "sqs:"))}  # every function's basics
    assert own == {
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query",
        "dynamodb:ConditionCheckItem",
        "secretsmanager:GetSecretValue", "sns:Publish", "iam:PassRole",
        "scheduler:GetSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule", "scheduler:ListSchedules",
        "s3:GetObject", "s3:ListBucket",
    }  # fmt: skip
    assert "dynamodb:Scan" not in granted and "scheduler:CreateSchedule" not in granted
    schedules = json.dumps(granted["scheduler:UpdateSchedule"])
    assert "schedule/" in schedules and "/*" in schedules
    assert json.dumps(granted["sns:Publish"]).count("Ref") == 1


def test_the_audit_reads_the_target_secret_and_the_fire_token_key_and_nothing_else(synth) -> None:
    """Catch-ups of ``auth: jwt`` jobs sign a token with the key its environment names."""
    _, fn = _audit(synth)
    secret_id, _ = synth.one("AWS::SecretsManager::Secret", "TargetSecret")
    key_id, _ = synth.one("AWS::SecretsManager::Secret", "FireTokenKey")
    env = fn["Properties"]["Environment"]["Variables"]
    assert env[c.ENV_SECRET_ID] == {"Ref": secret_id} and env[c.ENV_JWT_SECRET_ID] == {"Ref": key_id}
    reads = _grants(synth, "Audit")["secretsmanager:GetSecretValue"]
    resources = [r for s in reads for r in _as_list(s["Resource"])]
    assert sorted(resources, key=str) == sorted([{"Ref": secret_id}, {"Ref": key_id}], key=str)


def test_the_dashboard_shows_missed_runs_and_pauses(synth) -> None:
    _, dash = synth.one("AWS::CloudWatch::Dashboard")
    body = json.dumps(dash["Properties"]["DashboardBody"])
    assert "Audit: missed runs and pauses" in body and c.METRIC_JOB_PAUSED in body and c.METRIC_MISSED_RUN in body
