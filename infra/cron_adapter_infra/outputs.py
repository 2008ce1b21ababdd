"""CloudFormation outputs: what the CLI, the docs and an operator need to find the deployment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import CfnOutput
from constructs import Construct

if TYPE_CHECKING:
    from cron_adapter_infra.construct import CronAdapter


def add_outputs(adapter: CronAdapter, scope: Construct) -> dict[str, CfnOutput]:
    """One output per name below, in ``scope`` (the stack: stable names; the construct: unique)."""
    values = {
        "BucketName": (adapter.bucket.bucket_name, "Upload jobs.json here"),
        "JobsKey": (adapter.props.jobs_key, "Key whose upload triggers a reconcile"),
        "TableName": (adapter.table.table_name, "Claims, runs, ledger and locks"),
        "ScheduleGroupName": (adapter.group_name, "EventBridge Scheduler group owned by the adapter"),
        "DeploymentName": (adapter.deployment_name, "Metric scope: the service dimension in the CronAdapter namespace"),
        "SecretArn": (adapter.secret.secret_arn, "Shared secret targets must verify"),
        "FireTokenKeyArn": (adapter.token_key.secret_arn, "Fire-token key: cron-adapter keys public --secret-id"),
        "InputKeyArn": (adapter.input_key.secret_arn, "Input-signing key: cron-adapter plan/apply --input-key-id"),
        "FireFunctionName": (adapter.fire_function.function_name, "Fire Lambda"),
        "ReconcileFunctionName": (adapter.reconcile_function.function_name, "Reconcile Lambda"),
        "FireLogGroupName": (adapter.fire_function.log_group.log_group_name, "aws logs tail <this> --follow"),
        "ReconcileLogGroupName": (adapter.reconcile_function.log_group.log_group_name, "aws logs tail <this> --follow"),
        "DeadLetterQueueUrl": (adapter.dlq.queue_url, "Failed deliveries"),
        "AlarmTopicArn": (adapter.alarm_topic.topic_arn, "Alarm notifications"),
    }
    if adapter.dashboard is not None:
        values["DashboardName"] = (adapter.dashboard.dashboard_name, "CloudWatch dashboard")
    return {
        name: CfnOutput(scope, name, value=value, description=description)
        for name, (value, description) in values.items()
    }
