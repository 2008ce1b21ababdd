"""The construct as an L3 for other apps: bring your own bucket/topic, grants, outputs, tags."""

from __future__ import annotations

import json

import pytest

from cron_adapter import constants as c

pytestmark = pytest.mark.infra


def _role_actions(synth, role_part: str) -> dict[str, list]:
    role_id, _ = synth.one("AWS::IAM::Role", role_part)
    granted: dict[str, list] = {}
    for policy in synth.resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                for action in statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]:
                    granted[action] = statement["Resource"]
    return granted


def test_existing_bucket_and_topic_are_used_not_created(embedded_synth):
    assert embedded_synth.resources("AWS::S3::Bucket") == {}
    assert embedded_synth.resources("AWS::SNS::Topic") == {}
    _, reconcile = embedded_synth.one("AWS::Lambda::Function", "Reconcile")
    assert reconcile["Properties"]["Environment"]["Variables"][c.ENV_BUCKET] == "platform-config"
    for alarm in embedded_synth.resources("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == ["arn:aws:sns:us-east-1:123456789012:oncall"]
    # The upload still triggers the reconcile (CDK's notification resource on the imported bucket).
    _, notifications = embedded_synth.one("Custom::S3BucketNotifications")
    assert notifications["Properties"]["BucketName"] == "platform-config"


def test_grants_are_exact_and_pass_the_nag_gate(embedded_synth):
    deployer = _role_actions(embedded_synth, "Deployer")
    assert set(deployer) == {
        "s3:PutObject",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:DescribeTable",
    }
    assert json.dumps(deployer["s3:PutObject"]).endswith('platform-config/cron/jobs.json"]]}')
    app_role = _role_actions(embedded_synth, "AppRole")
    secret_id, _ = embedded_synth.one("AWS::SecretsManager::Secret", "TargetSecret")
    assert app_role == {"secretsmanager:GetSecretValue": {"Ref": secret_id}}


def test_lambda_props_override_the_defaults(embedded_synth):
    for function_id, function in embedded_synth.resources("AWS::Lambda::Function").items():
        if function_id.startswith("Cron"):
            assert function["Properties"]["MemorySize"] == 1024, function_id


def test_tags_reach_the_resources(embedded_synth):
    _, table = embedded_synth.one("AWS::DynamoDB::Table")
    tags = {t["Key"]: t["Value"] for t in table["Properties"]["Tags"]}
    assert tags == {"team": "platform", "cron-adapter:deployment": "Platform-Cron"}


def test_construct_outputs_include_the_log_groups(embedded_synth):
    outputs = embedded_synth.data["Outputs"]
    names = {key for key in outputs}
    for wanted in ("BucketName", "TableName", "ScheduleGroupName", "FireLogGroupName", "ReconcileLogGroupName"):
        assert any(wanted in name for name in names), (wanted, names)
    [fire_logs] = [v for k, v in outputs.items() if "FireLogGroupName" in k]
    log_group_id, _ = embedded_synth.one("AWS::Logs::LogGroup", "FireLogs")
    assert fire_logs["Value"] == {"Ref": log_group_id}


def test_props_refuse_to_override_the_wiring():
    from cron_adapter_infra import CronAdapterProps

    with pytest.raises(ValueError, match=r"lambda_function_props may not set \['handler'\]"):
        CronAdapterProps(lambda_function_props={"handler": "x.y"})
