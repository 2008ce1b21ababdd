"""Least privilege in the synthesized template: exact actions per role, and the cdk-nag gate."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cron_adapter import constants as c
from tests.infra.conftest import synthesize

pytestmark = pytest.mark.infra

DEPLOYMENT = "CronAdapterTest"
# Actions AWS offers no resource-level permissions for; the only ones allowed on "*".
RESOURCELESS_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "scheduler:ListSchedules"}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _all_statements(synth) -> list[dict[str, Any]]:
    statements = [
        s for p in synth.resources("AWS::IAM::Policy").values() for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    for role in synth.resources("AWS::IAM::Role").values():
        for inline in role["Properties"].get("Policies", []):
            statements += inline["PolicyDocument"]["Statement"]
    return statements


def _grants(synth, part: str) -> dict[str, list[Any]]:
    """action -> resources, over every policy attached to the role of the ``part`` function."""
    _, function = synth.one("AWS::Lambda::Function", part)
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    granted: dict[str, list[Any]] = {}
    for policy in synth.resources("AWS::IAM::Policy").values():
        if {"Ref": role} not in policy["Properties"].get("Roles", []):
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            for action in _as_list(statement["Action"]):
                granted.setdefault(action, []).append(statement)
    return granted


def _schedules(group: str) -> str:
    return f":schedule/{group}/*"


def test_no_wildcard_actions_and_star_resources_only_where_aws_requires(synth, custom_synth):
    statements = _all_statements(synth) + _all_statements(custom_synth)
    assert statements
    for statement in statements:
        actions = _as_list(statement["Action"])
        assert all("*" not in action for action in actions), statement
        if "*" in _as_list(statement["Resource"]):
            assert set(actions) <= RESOURCELESS_ACTIONS, statement


def test_fire_role_has_exactly_the_actions_the_fire_path_calls(synth):
    grants = _grants(synth, "Fire")
    table_id, _ = synth.one("AWS::DynamoDB::Table")
    secret_id, _ = synth.one("AWS::SecretsManager::Secret", "TargetSecret")
    key_id, _ = synth.one("AWS::SecretsManager::Secret", "FireTokenKey")
    input_key_id, _ = synth.one("AWS::SecretsManager::Secret", "InputSigningKey")
    queue_id, _ = synth.one("AWS::SQS::Queue")
    # The SQS actions are CDK's grant for the on-failure destination (Lambda sends as the role).
    destination = {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}
    assert set(grants) == {
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",  # a late delivery's and a catch-up's guards
        "secretsmanager:GetSecretValue",
        "scheduler:DeleteSchedule",
        *destination,
    }
    for action in destination:
        assert [s["Resource"] for s in grants[action]] == [{"Fn::GetAtt": [queue_id, "Arn"]}]
    for action in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"):
        assert [s["Resource"] for s in grants[action]] == [{"Fn::GetAtt": [table_id, "Arn"]}]
    # The target secret (Bearer token), the token-signing key (auth: jwt) and the input key, nothing else.
    (resources,) = [s["Resource"] for s in grants["secretsmanager:GetSecretValue"]]
    expected = [{"Ref": key_id}, {"Ref": secret_id}, {"Ref": input_key_id}]
    assert sorted(_as_list(resources), key=str) == sorted(expected, key=str)
    [delete] = grants["scheduler:DeleteSchedule"]
    assert _schedules(DEPLOYMENT) in json.dumps(delete["Resource"])


def test_reconcile_role_has_exactly_its_actions(synth):
    grants = _grants(synth, "Reconcile")
    scheduler = {a for a in grants if a.startswith("scheduler:")}
    assert scheduler == {
        "scheduler:CreateSchedule",
        "scheduler:UpdateSchedule",
        "scheduler:DeleteSchedule",
        "scheduler:GetSchedule",
        "scheduler:ListSchedules",
        "scheduler:GetScheduleGroup",
        "scheduler:CreateScheduleGroup",
    }
    for action in ("scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:GetSchedule"):
        assert all(_schedules(DEPLOYMENT) in json.dumps(s["Resource"]) for s in grants[action])
    for action in ("scheduler:GetScheduleGroup", "scheduler:CreateScheduleGroup"):
        assert all(json.dumps(s["Resource"]).endswith(f':schedule-group/{DEPLOYMENT}"]]}}') for s in grants[action])
    role_id, _ = synth.one("AWS::IAM::Role", "SchedulerRole")
    [pass_role] = grants["iam:PassRole"]
    assert pass_role["Resource"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}
    assert "dynamodb:Scan" not in grants
    # It signs every schedule's input: the input key is the one secret it reads (never the target secret).
    input_key_id, _ = synth.one("AWS::SecretsManager::Secret", "InputSigningKey")
    assert {a for a in grants if a.startswith("secretsmanager:")} == {"secretsmanager:GetSecretValue"}
    assert [s["Resource"] for s in grants["secretsmanager:GetSecretValue"]] == [{"Ref": input_key_id}]


def test_only_reconcile_and_fire_can_read_the_input_signing_key(synth):
    """A principal that may invoke the fire Lambda (the scheduler role) must not be able to sign."""
    input_key_id, secret = synth.one("AWS::SecretsManager::Secret", "InputSigningKey")
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= c.MIN_SECRET_LENGTH
    assert "SecretString" not in secret["Properties"]
    readers = set()
    for policy in synth.resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if {"Ref": input_key_id} in _as_list(statement["Resource"]):
                assert _as_list(statement["Action"]) == ["secretsmanager:GetSecretValue"], statement
                readers.update(r["Ref"] for r in policy["Properties"]["Roles"])
    fire_role = synth.one("AWS::Lambda::Function", "Fire")[1]["Properties"]["Role"]["Fn::GetAtt"][0]
    reconcile_role = synth.one("AWS::Lambda::Function", "Reconcile")[1]["Properties"]["Role"]["Fn::GetAtt"][0]
    assert readers == {fire_role, reconcile_role}
    scheduler_role, role = synth.one("AWS::IAM::Role", "SchedulerRole")
    assert scheduler_role not in readers and not role["Properties"].get("Policies")
    for part in ("Fire", "Reconcile"):
        _, function = synth.one("AWS::Lambda::Function", part)
        assert function["Properties"]["Environment"]["Variables"][c.ENV_INPUT_KEY_ID] == {"Ref": input_key_id}


def test_reconcile_reads_only_the_jobs_key_and_lists_only_its_prefix(synth):
    bucket_id, _ = synth.one("AWS::S3::Bucket")
    grants = _grants(synth, "Reconcile")
    assert sorted(a for a in grants if a.startswith("s3:")) == ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]
    [get] = grants["s3:GetObject"]
    assert json.dumps(get["Resource"]).endswith(f'"/{c.DEFAULT_JOBS_KEY}"]]}}')
    # Without ListBucket S3 answers a missing key with 403, not NoSuchKey.
    [listing] = grants["s3:ListBucket"]
    assert listing["Resource"] == {"Fn::GetAtt": [bucket_id, "Arn"]}
    assert listing["Condition"] == {"StringEquals": {"s3:prefix": c.DEFAULT_JOBS_KEY}}


def test_custom_group_scopes_the_schedule_grants(custom_synth):
    text = json.dumps(custom_synth.data)
    assert _schedules("team-a.cron") in text and _schedules(DEPLOYMENT) not in text


# --- The cdk-nag gate -----------------------------------------------------------------------


def test_each_wildcard_lives_alone_in_its_acknowledged_policy(synth):
    acknowledged = {
        logical_id: [r["id"] for r in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])]
        for logical_id, resource in synth.resources("AWS::IAM::Policy").items()
    }
    wildcard_acks = {logical_id: ids for logical_id, ids in acknowledged.items() if any("IAM5" in i for i in ids)}
    # Fire, reconcile and audit schedules, reconcile's and audit's ListSchedules: five justified statements.
    assert len(wildcard_acks) == 5, wildcard_acks
    for logical_id, ids in wildcard_acks.items():
        statements = synth.data["Resources"][logical_id]["Properties"]["PolicyDocument"]["Statement"]
        assert len(statements) == 1 and len(ids) == 1, logical_id
    # The functions' default policies carry no wildcard acknowledgement at all.
    assert not any("DefaultPolicy" in logical_id for logical_id in wildcard_acks)


def _with_wildcard_on_fire(app):
    from aws_cdk import aws_iam as iam
    from cron_adapter_infra import CronAdapterStack

    stack = CronAdapterStack(app, "Widened")
    stack.adapter.fire_function.add_to_role_policy(
        iam.PolicyStatement(actions=["s3:GetObject", "dynamodb:Scan"], resources=["*"])
    )
    return stack


def test_a_new_wildcard_statement_fails_the_nag_gate():
    # jsii surfaces CDK's ValidationFailed as a RuntimeError carrying the report.
    with pytest.raises(RuntimeError, match=r"ValidationFailed") as failed:
        synthesize(bundle=False, build=_with_wildcard_on_fire)
    assert "FireFunction/ServiceRole/DefaultPolicy" in str(failed.value)
    assert "AwsSolutions-IAM5[Resource::*]" in str(failed.value)


def test_a_justified_policy_refuses_a_second_statement():
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam
    from cron_adapter_infra import CronAdapter

    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    adapter = CronAdapter(cdk.Stack(app, "S"), "Cron")
    policy = adapter.node.find_child("ReconcileListSchedulesPolicy")
    assert isinstance(policy, iam.Policy) and policy.node.validate() == []
    policy.add_statements(iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"]))
    assert policy.node.validate() == [f"{policy.node.path} must hold exactly its one justified statement, not 2"]
