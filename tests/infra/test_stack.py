"""Template assertions for the cron-adapter stack (one session-scoped synth, see conftest)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cron_adapter import constants as c
from cron_adapter.reconcile_settings import ReconcileSettings
from cron_adapter.settings import FireSettings

pytestmark = pytest.mark.infra


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return policy["Properties"]["PolicyDocument"]["Statement"]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _role_policies(synth, role_id: str) -> list[dict[str, Any]]:
    """All statements of the AWS::IAM::Policy resources attached to ``role_id``."""
    statements = []
    for policy in synth.resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"].get("Roles", []):
            statements += _statements(policy)
    return statements


def _function(synth, part: str) -> tuple[str, dict[str, Any]]:
    return synth.one("AWS::Lambda::Function", part)


def _role_of(function: dict[str, Any]) -> str:
    return function["Properties"]["Role"]["Fn::GetAtt"][0]


def _env(function: dict[str, Any]) -> dict[str, Any]:
    return function["Properties"]["Environment"]["Variables"]


# --- Storage -------------------------------------------------------------------------


def test_jobs_bucket_is_versioned_encrypted_private_and_ssl_only(synth):
    bucket_id, bucket = synth.one("AWS::S3::Bucket")
    props = bucket["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"
    }
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    _, policy = synth.one("AWS::S3::BucketPolicy")
    deny = [s for s in _statements_of_doc(policy) if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in deny)
    assert bucket["DeletionPolicy"] == "Retain"


def _statements_of_doc(resource: dict[str, Any]) -> list[dict[str, Any]]:
    return resource["Properties"]["PolicyDocument"]["Statement"]


def test_upload_of_the_jobs_key_triggers_reconcile(synth):
    reconcile_id, _ = _function(synth, "Reconcile")
    _, notifications = synth.one("Custom::S3BucketNotifications")
    [config] = notifications["Properties"]["NotificationConfiguration"]["LambdaFunctionConfigurations"]
    assert config["LambdaFunctionArn"] == {"Fn::GetAtt": [reconcile_id, "Arn"]}
    assert config["Events"] == ["s3:ObjectCreated:*"]
    rules = {r["Name"]: r["Value"] for r in config["Filter"]["Key"]["FilterRules"]}
    assert rules == {"prefix": c.DEFAULT_JOBS_KEY, "suffix": c.DEFAULT_JOBS_KEY}
    synth.template.has_resource_properties(
        "AWS::Lambda::Permission",
        {
            "Action": "lambda:InvokeFunction",
            "Principal": "s3.amazonaws.com",
            "FunctionName": {"Fn::GetAtt": [reconcile_id, "Arn"]},
        },
    )


def test_table_follows_the_shared_definition(synth):
    _, table = synth.one("AWS::DynamoDB::Table")
    props = table["Properties"]
    assert props["KeySchema"] == c.TABLE_DEFINITION["KeySchema"]
    assert props["AttributeDefinitions"] == c.TABLE_DEFINITION["AttributeDefinitions"]
    assert props["BillingMode"] == c.TABLE_DEFINITION["BillingMode"] == "PAY_PER_REQUEST"
    assert props["TimeToLiveSpecification"] == {"AttributeName": c.TABLE_TTL_ATTRIBUTE, "Enabled": True}
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    # SSEEnabled=false means "AWS-owned key" (DynamoDB always encrypts at rest); no KMS charges.
    assert props.get("SSESpecification", {}).get("SSEEnabled") in (None, False)
    assert table["DeletionPolicy"] == "Retain"


def test_dead_letter_queue_is_encrypted_and_ssl_only(synth):
    _, queue = synth.one("AWS::SQS::Queue")
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    _, policy = synth.one("AWS::SQS::QueuePolicy")
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in _statements_of_doc(policy)
    )


# --- Secret ----------------------------------------------------------------------------


def test_secret_is_generated_long_and_never_in_the_template(synth):
    secret_id, secret = synth.one("AWS::SecretsManager::Secret", "TargetSecret")
    key_id, _ = synth.one("AWS::SecretsManager::Secret", "FireTokenKey")
    generator = secret["Properties"]["GenerateSecretString"]
    assert generator["PasswordLength"] >= c.MIN_SECRET_LENGTH
    assert generator["ExcludePunctuation"] is True
    assert "SecretString" not in secret["Properties"]
    text = json.dumps(synth.data)
    assert '"SecretString"' not in text
    assert "resolve:secretsmanager" not in text  # no dynamic reference leaks the value either
    fire_id, fire = _function(synth, "Fire")
    assert _env(fire)[c.ENV_SECRET_ID] == {"Ref": secret_id}
    reads = [
        s for s in _role_policies(synth, _role_of(fire)) if "secretsmanager:GetSecretValue" in _as_list(s["Action"])
    ]
    input_key_id, _ = synth.one("AWS::SecretsManager::Secret", "InputSigningKey")
    assert [sorted(r["Ref"] for r in s["Resource"]) for s in reads] == [sorted([secret_id, key_id, input_key_id])]
    reconcile_id, reconcile = _function(synth, "Reconcile")
    assert not any(  # reconcile reads the input key only, never the target secret
        secret_id in json.dumps(s["Resource"])
        for s in _role_policies(synth, _role_of(reconcile))
        if any("secretsmanager" in a for a in _as_list(s["Action"]))
    )


# --- Scheduler -------------------------------------------------------------------------


DEPLOYMENT = "CronAdapterTest"  # the stack's name: CronAdapterStack's deployment name


def test_schedule_group_is_named_after_the_deployment(synth):
    synth.template.has_resource_properties("AWS::Scheduler::ScheduleGroup", {"Name": DEPLOYMENT})
    assert synth.data["Outputs"]["ScheduleGroupName"]["Value"] == DEPLOYMENT


def test_scheduler_role_can_invoke_only_the_fire_function(synth):
    role_id, role = synth.one("AWS::IAM::Role", "SchedulerRole")
    [trust] = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert set(trust["Condition"]["StringEquals"]) == {"aws:SourceAccount", "aws:SourceArn"}
    assert "ManagedPolicyArns" not in role["Properties"]
    assert "Policies" not in role["Properties"]
    fire_id, _ = _function(synth, "Fire")
    queue_id, _ = synth.one("AWS::SQS::Queue")
    granted = {(a, json.dumps(s["Resource"])) for s in _role_policies(synth, role_id) for a in _as_list(s["Action"])}
    assert granted == {
        ("lambda:InvokeFunction", json.dumps({"Fn::GetAtt": [fire_id, "Arn"]})),
        ("sqs:SendMessage", json.dumps({"Fn::GetAtt": [queue_id, "Arn"]})),
    }


# --- Lambdas ---------------------------------------------------------------------------


def test_fire_function_shape(synth):
    queue_id, _ = synth.one("AWS::SQS::Queue")
    fire_id, fire = _function(synth, "Fire")
    props = fire["Properties"]
    assert props["Handler"] == c.FIRE_HANDLER
    assert props["Timeout"] == 900
    assert props["Architectures"] == ["arm64"]
    assert props["Runtime"] == "python3.13"
    assert "TracingConfig" not in props  # off by default (cost); see custom props
    assert "ReservedConcurrentExecutions" not in props
    synth.template.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {
            "FunctionName": {"Ref": fire_id},
            "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [queue_id, "Arn"]}}},
        },
    )


def test_reconcile_function_runs_one_at_a_time_with_a_long_timeout(synth):
    queue_id, _ = synth.one("AWS::SQS::Queue")
    reconcile_id, reconcile = _function(synth, "Reconcile")
    props = reconcile["Properties"]
    assert props["Handler"] == c.RECONCILE_HANDLER
    assert props["ReservedConcurrentExecutions"] == 1
    assert props["Timeout"] == 900
    synth.template.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {
            "FunctionName": {"Ref": reconcile_id},
            "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [queue_id, "Arn"]}}},
        },
    )


def test_both_functions_share_one_code_asset_and_have_log_retention(synth):
    codes = {
        json.dumps(f["Properties"]["Code"])
        for f in synth.resources("AWS::Lambda::Function").values()
        if "S3Key" in f["Properties"]["Code"]
    }
    assert len(codes) == 1
    for log_group in synth.resources("AWS::Logs::LogGroup").values():
        assert log_group["Properties"]["RetentionInDays"] == 30


def test_drift_repair_rule_invokes_reconcile_with_the_agreed_payload(synth):
    reconcile_id, _ = _function(synth, "Reconcile")
    queue_id, _ = synth.one("AWS::SQS::Queue")
    _, rule = synth.one("AWS::Events::Rule", "DriftRepair")
    assert rule["Properties"]["ScheduleExpression"] == "rate(1 hour)"
    [target] = rule["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [reconcile_id, "Arn"]}
    assert json.loads(target["Input"]) == {"cron-adapter": "drift-repair"}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [queue_id, "Arn"]}}


def test_drift_repair_payload_is_the_one_the_reconcile_handler_recognises():
    from cron_adapter_infra import DRIFT_REPAIR_INPUT

    from cron_adapter.reconcile.triggers import DRIFT_REPAIR

    assert DRIFT_REPAIR_INPUT == DRIFT_REPAIR


def test_drift_repair_payload_matches_the_sample_event(synth):
    from pathlib import Path

    _, rule = synth.one("AWS::Events::Rule", "DriftRepair")
    sample = Path(__file__).resolve().parents[2] / "events" / "drift-repair.json"
    assert json.loads(rule["Properties"]["Targets"][0]["Input"]) == json.loads(sample.read_text())


def test_drift_repair_is_not_a_schedule_in_the_owned_group(synth):
    # The reconcile deletes strangers in its group, so nothing else may live there.
    assert synth.resources("AWS::Scheduler::Schedule") == {}


# --- Environment: names and values match the handlers' settings -------------------------


class _Recording(dict):
    """A mapping that remembers which names the settings classes read."""

    def __init__(self, data: dict[str, str]) -> None:
        super().__init__(data)
        self.read: set[str] = set()

    def get(self, key, default=None):  # noqa: ANN001 - dict signature
        self.read.add(key)
        return super().get(key, default)


def _settings_env(function: dict[str, Any]) -> _Recording:
    # Tokens (Ref/GetAtt) become placeholder strings; literals are checked as deployed.
    return _Recording({k: v if isinstance(v, str) else f"resolved-{k}" for k, v in _env(function).items()})


@pytest.mark.parametrize(("part", "settings"), [("Fire", FireSettings), ("Reconcile", ReconcileSettings)])
def test_environment_matches_the_handlers_settings(synth, custom_synth, part, settings):
    for each in (synth, custom_synth):
        _, function = _function(each, part)
        env = _settings_env(function)
        settings.from_env(env)  # every required name is present and every value parses
        ours = {k for k in env if k.startswith("CRON_ADAPTER_")}
        assert ours <= env.read, f"{part} sets variables its settings never read: {ours - env.read}"
        assert env[c.ENV_POWERTOOLS_SERVICE] == DEPLOYMENT  # the metric scope of this deployment
        assert env[c.ENV_POWERTOOLS_NAMESPACE] == c.METRICS_NAMESPACE


def test_allowed_cidrs_reach_only_the_fire_lambda(synth, custom_synth):
    import ipaddress

    _, fire = _function(custom_synth, "Fire")
    settings = FireSettings.from_env(_settings_env(fire))
    assert settings.allowed_cidrs == (ipaddress.ip_network("10.1.0.0/16"), ipaddress.ip_network("fd12:3456::/48"))
    _, reconcile = _function(custom_synth, "Reconcile")
    assert c.ENV_ALLOWED_CIDRS not in _env(reconcile)  # validation is the same in every deployment
    _, default_fire = _function(synth, "Fire")
    assert c.ENV_ALLOWED_CIDRS not in _env(default_fire)  # none listed: every private address is refused


def test_reconcile_environment_points_at_the_right_resources(synth):
    fire_id, _ = _function(synth, "Fire")
    _, reconcile = _function(synth, "Reconcile")
    env = _env(reconcile)
    assert env[c.ENV_FIRE_ARN] == {"Fn::GetAtt": [fire_id, "Arn"]}
    assert env[c.ENV_SCHEDULER_ROLE_ARN]["Fn::GetAtt"][0] == synth.one("AWS::IAM::Role", "SchedulerRole")[0]
    assert env[c.ENV_DLQ_ARN] == {"Fn::GetAtt": [synth.one("AWS::SQS::Queue")[0], "Arn"]}
    assert env[c.ENV_BUCKET] == {"Ref": synth.one("AWS::S3::Bucket")[0]}
    assert env[c.ENV_TABLE] == {"Ref": synth.one("AWS::DynamoDB::Table")[0]}
    assert env[c.ENV_GROUP] == DEPLOYMENT
    assert env[c.ENV_JOBS_KEY] == c.DEFAULT_JOBS_KEY
    assert float(env[c.ENV_MAX_DELETE_SHARE]) == c.DEFAULT_MAX_DELETE_SHARE
    assert float(env[c.ENV_SCHEDULER_TPS]) == c.DEFAULT_SCHEDULER_TPS
    for optional in (c.ENV_STORE_FORMAT, c.ENV_STORE_TIMEZONE, c.ENV_BASE_URL):
        assert optional not in env


def test_custom_props_reach_the_template(custom_synth):
    _, fire = _function(custom_synth, "Fire")
    _, reconcile = _function(custom_synth, "Reconcile")
    assert fire["Properties"]["Architectures"] == ["x86_64"]
    assert fire["Properties"]["ReservedConcurrentExecutions"] == 20
    assert fire["Properties"]["MemorySize"] == 512
    assert fire["Properties"]["TracingConfig"] == {"Mode": "Active"}
    assert _env(fire)[c.ENV_HMAC] == "true"
    env = ReconcileSettings.from_env(_settings_env(reconcile))
    assert (env.group, env.jobs_key, env.store_format, env.store_timezone, env.base_url) == (
        "team-a.cron",
        "config/jobs.json",
        "hermes",
        "Europe/Berlin",
        "https://app.example.com",
    )
    custom_synth.template.has_resource_properties("AWS::Scheduler::ScheduleGroup", {"Name": "team-a.cron"})
    custom_synth.template.has_resource_properties("AWS::SecretsManager::Secret", {"Name": "team-a/cron-secret"})
    custom_synth.template.has_resource_properties("AWS::Events::Rule", {"ScheduleExpression": "rate(15 minutes)"})
    custom_synth.template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "oncall@example.com"}
    )
    _, bucket = custom_synth.one("AWS::S3::Bucket")
    assert bucket["DeletionPolicy"] == "Delete"
    text = json.dumps(custom_synth.data)
    assert "schedule/team-a.cron/*" in text and "schedule/cron-adapter/*" not in text


# --- Alarms, topic, dashboard --------------------------------------------------------------


def _alarms(synth) -> list[dict[str, Any]]:
    return [a["Properties"] for a in synth.resources("AWS::CloudWatch::Alarm").values()]


@pytest.mark.parametrize(
    "metric",
    [
        c.METRIC_CLAIM_ERROR,
        c.METRIC_TARGET_FAILED,
        c.METRIC_RECONCILE_REJECTED,
        c.METRIC_RECONCILE_FAILED,
        c.METRIC_MISSED_RUN,
        c.METRIC_AUDIT_INCOMPLETE,
        c.METRIC_LOST,
        c.METRIC_JOB_UNSCHEDULED,
        c.METRIC_INPUT_REFUSED,
    ],
)
def test_alarm_on_each_adapter_metric(synth, metric):
    [alarm] = [a for a in _alarms(synth) if a.get("MetricName") == metric]
    assert alarm["Namespace"] == c.METRICS_NAMESPACE
    assert alarm["Dimensions"] == [{"Name": "service", "Value": DEPLOYMENT}]
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold" and alarm["Threshold"] == 1


def test_alarms_on_dead_letters_and_lambda_errors_and_throttles(synth):
    alarms = _alarms(synth)
    queue_id, _ = synth.one("AWS::SQS::Queue")
    topic_id, _ = synth.one("AWS::SNS::Topic")
    on_queue = [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}]
    # Each new dead letter notifies: a count per period, so the alarm returns to OK between letters.
    [sent] = [a for a in alarms if a.get("MetricName") == "NumberOfMessagesSent"]
    assert (sent["Namespace"], sent["Dimensions"]) == ("AWS/SQS", on_queue)
    assert (sent["Statistic"], sent["Period"]) == ("Sum", 300)
    assert (sent["EvaluationPeriods"], sent["DatapointsToAlarm"]) == (1, 1)
    assert (sent["ComparisonOperator"], sent["Threshold"]) == ("GreaterThanOrEqualToThreshold", 1)
    assert sent["AlarmActions"] == sent["OKActions"] == [{"Ref": topic_id}]
    # A backlog is not forgotten: letters still visible in every hour of a day page once more.
    [waiting] = [a for a in alarms if a.get("MetricName") == "ApproximateNumberOfMessagesVisible"]
    assert (waiting["Namespace"], waiting["Dimensions"]) == ("AWS/SQS", on_queue)
    assert (waiting["Statistic"], waiting["Period"]) == ("Maximum", 3600)
    assert (waiting["EvaluationPeriods"], waiting["DatapointsToAlarm"]) == (24, 24)
    assert (waiting["ComparisonOperator"], waiting["Threshold"]) == ("GreaterThanOrEqualToThreshold", 1)
    assert waiting["AlarmActions"] == waiting["OKActions"] == [{"Ref": topic_id}]
    for part in ("Fire", "Reconcile"):
        function_id, _ = _function(synth, part)
        for metric in ("Errors", "Throttles"):
            matching = [
                a
                for a in alarms
                if a.get("MetricName") == metric
                and a["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function_id}}]
            ]
            assert len(matching) == 1, (part, metric)


def test_every_alarm_notifies_the_topic_and_ignores_missing_data(synth):
    topic_id, _ = synth.one("AWS::SNS::Topic")
    alarms = _alarms(synth)
    assert len(alarms) == 16
    for alarm in alarms:
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]
        assert alarm["TreatMissingData"] == "notBreaching"


def test_alarm_email_subscription_is_optional(synth):
    topic_id, _ = synth.one("AWS::SNS::Topic")
    assert synth.data["Parameters"]["AlarmEmail"]["Default"] == ""
    condition = synth.data["Conditions"]["HasAlarmEmail"]
    assert condition == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}
    _, subscription = synth.one("AWS::SNS::Subscription")
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"] == {
        "Protocol": "email",
        "Endpoint": {"Ref": "AlarmEmail"},
        "TopicArn": {"Ref": topic_id},
    }


def test_dashboard_shows_fires_targets_and_reconcile_actions(synth):
    _, dashboard = synth.one("AWS::CloudWatch::Dashboard")
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in (
        c.METRIC_CLAIMED,
        c.METRIC_DUPLICATE,
        c.METRIC_CLAIM_ERROR,
        c.METRIC_TARGET_LATENCY,
        c.METRIC_TARGET_FAILED,
        c.METRIC_RECONCILE_CREATED,
        c.METRIC_RECONCILE_UPDATED,
        c.METRIC_RECONCILE_DELETED,
        c.METRIC_DRIFT_REPAIRED,
    ):
        assert f'\\"{metric}\\"' in body, metric


def test_stack_outputs_what_the_cli_and_readme_need(synth):
    assert {"BucketName", "JobsKey", "TableName", "ScheduleGroupName", "SecretArn", "AlarmTopicArn"} <= set(
        synth.data["Outputs"]
    )


def test_fire_token_key_is_its_own_generated_secret(synth):
    key_id, key = synth.one("AWS::SecretsManager::Secret", "FireTokenKey")
    secret_id, _ = synth.one("AWS::SecretsManager::Secret", "TargetSecret")
    assert key["Properties"]["GenerateSecretString"]["PasswordLength"] >= c.MIN_SECRET_LENGTH
    _, fire = _function(synth, "Fire")
    assert _env(fire)[c.ENV_JWT_SECRET_ID] == {"Ref": key_id} and key_id != secret_id
