"""A clean first day and a clean teardown: topic policy, unique names, metric scope, removal."""

from __future__ import annotations

import pytest

from cron_adapter import constants as c

pytestmark = pytest.mark.infra


def _topic_statements(synth) -> list[dict]:
    _, policy = synth.one("AWS::SNS::TopicPolicy")
    return policy["Properties"]["PolicyDocument"]["Statement"]


def test_cloudwatch_may_publish_to_the_ssl_only_alarm_topic(synth):
    topic_id, _ = synth.one("AWS::SNS::Topic")
    statements = _topic_statements(synth)
    [allow] = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert allow["Action"] == "sns:Publish"
    assert allow["Resource"] == {"Ref": topic_id}
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    [arn] = allow["Condition"]["ArnLike"].values()
    assert ":cloudwatch:" in str(arn) and ":alarm:*" in str(arn)  # this account's alarms only
    assert any(s["Effect"] == "Deny" and "aws:SecureTransport" in str(s["Condition"]) for s in statements)


def test_retained_data_has_deletion_protection_and_no_auto_delete(synth):
    _, table = synth.one("AWS::DynamoDB::Table")
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert synth.resources("Custom::S3AutoDeleteObjects") == {}


def test_destroy_policy_empties_and_deletes_the_bucket(custom_synth):
    bucket_id, bucket = custom_synth.one("AWS::S3::Bucket")
    assert bucket["DeletionPolicy"] == "Delete"
    _, auto_delete = custom_synth.one("Custom::S3AutoDeleteObjects")
    assert auto_delete["Properties"]["BucketName"] == {"Ref": bucket_id}
    _, table = custom_synth.one("AWS::DynamoDB::Table")
    assert table["DeletionPolicy"] == "Delete"
    assert table["Properties"].get("DeletionProtectionEnabled") in (None, False)


def test_two_constructs_in_one_stack_get_unique_names(two_synth):
    groups = sorted(g["Properties"]["Name"] for g in two_synth.resources("AWS::Scheduler::ScheduleGroup").values())
    assert groups == ["Platform-Billing", "Platform-Reports"]
    for part in ("Billing", "Reports"):
        _, fire = two_synth.one("AWS::Lambda::Function", f"{part}Fire")
        env = fire["Properties"]["Environment"]["Variables"]
        assert env[c.ENV_GROUP] == f"Platform-{part}"
        assert env[c.ENV_POWERTOOLS_SERVICE] == f"Platform-{part}"


def test_two_deployments_alarm_only_on_their_own_metrics(two_synth):
    scopes: dict[str, set[str]] = {}
    for logical_id, alarm in two_synth.resources("AWS::CloudWatch::Alarm").items():
        props = alarm["Properties"]
        if props.get("Namespace") != c.METRICS_NAMESPACE:
            continue
        [dimension] = props["Dimensions"]
        assert dimension["Name"] == "service"
        owner = "Billing" if logical_id.startswith("Billing") else "Reports"
        scopes.setdefault(owner, set()).add(dimension["Value"])
    assert scopes == {"Billing": {"Platform-Billing"}, "Reports": {"Platform-Reports"}}


def test_deployment_names_are_valid_group_names():
    from cron_adapter_infra.names import sanitize

    assert sanitize("Stack-Nested/Cron adapter") == "Stack-Nested-Cron-adapter"
    long = sanitize("S" * 100)
    assert len(long) == 64 and long != sanitize("S" * 99)
