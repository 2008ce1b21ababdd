"""Alarms: deployment-scoped metrics, one alarm factory, and the built-in alarm set.

Every metric is scoped to its deployment: the handlers publish with Powertools'
``service`` dimension set to the deployment name (``POWERTOOLS_SERVICE_NAME``), and the
alarms match on it, so two deployments in one account never set off each other's alarms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from cron_adapter import constants as c

if TYPE_CHECKING:
    from cron_adapter_infra.construct import CronAdapter

FIVE_MINUTES = Duration.minutes(5)
DLQ_BACKLOG_HOURS = 24  # dead letters still queued this long page again
DLQ_RETENTION_DAYS = c.DLQ_RETENTION_SECONDS // 86_400

# metric name -> (construct label, description): an alarm at >= 1 in one 5-minute period.
ADAPTER_METRIC_ALARMS: dict[str, tuple[str, str]] = {
    c.METRIC_CLAIM_ERROR: ("ClaimError", "A fire could not claim its run (DynamoDB error)"),
    c.METRIC_TARGET_FAILED: ("TargetFailed", "A job's target failed after retries"),
    c.METRIC_MISSED_RUN: ("MissedRun", "An expected fire has no run record"),
    # Published by every audit that leaves jobs unaudited (its value: how many), so a file too
    # large for one audit, or an AWS error that ends it, is not mistaken for "nothing missed".
    c.METRIC_AUDIT_INCOMPLETE: (
        "AuditIncomplete",
        "An audit did not get through every job: missed runs of the jobs it left are not detected yet",
    ),
    c.METRIC_LOST: ("RunLost", "An at-most-once run was lost: its claimer crashed and it was not retried"),
    c.METRIC_RECONCILE_REJECTED: ("ReconcileRejected", "An uploaded jobs.json was refused; nothing was applied"),
    c.METRIC_RECONCILE_FAILED: ("ReconcileFailed", "A reconcile failed while applying its plan"),
    c.METRIC_INPUT_REFUSED: (
        "InputRefused",
        "The fire Lambda refused an unsigned or altered input: something other than the schedules invoked it",
    ),
    c.METRIC_JOB_UNSCHEDULED: ("JobUnscheduled", "A hermes job was left unscheduled: EventBridge cannot express it"),
}


def scoped_metric(deployment: str, name: str, statistic: str = "Sum", period: Duration | None = None) -> cw.Metric:
    """A cron-adapter EMF metric of one deployment, as Powertools publishes it."""
    return cw.Metric(
        namespace=c.METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": deployment},
        statistic=statistic,
        period=period or FIVE_MINUTES,
    )


def make_alarm(
    scope: Construct,
    construct_id: str,
    topic: sns.ITopic,
    metric: cw.IMetric,
    description: str,
    *,
    threshold: float = 1,
    periods: int = 1,
) -> cw.Alarm:
    """``metric >= threshold`` in each of ``periods`` periods, to ``topic`` (alarm and OK)."""
    alarm = cw.Alarm(
        scope,
        construct_id,
        metric=metric,
        alarm_description=description,
        threshold=threshold,
        evaluation_periods=periods,
        datapoints_to_alarm=periods,  # every evaluated period must breach
        comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
    )
    alarm.add_alarm_action(cw_actions.SnsAction(topic))
    alarm.add_ok_action(cw_actions.SnsAction(topic))
    return alarm


def add_builtin_alarms(adapter: CronAdapter) -> None:
    """The adapter's own alarms: its metrics, dead letters, each Lambda's errors, fire/reconcile throttles."""
    for metric_name, (label, description) in ADAPTER_METRIC_ALARMS.items():
        adapter.add_alarm(label, adapter.metric(metric_name), description)
    add_dead_letter_alarms(adapter)
    fire, reconcile = adapter.fire_function, adapter.reconcile_function
    adapter.add_alarm("FireErrors", fire.metric_errors(period=FIVE_MINUTES), "The fire Lambda raised")
    adapter.add_alarm("ReconcileErrors", reconcile.metric_errors(period=FIVE_MINUTES), "The reconcile Lambda raised")
    # An audit that raises finds no missed run and sends nothing: without this alarm the
    # MissedRun alarm would fall silent exactly when the watcher itself is broken.
    adapter.add_alarm(
        "AuditErrors",
        adapter.audit_function.metric_errors(period=FIVE_MINUTES),
        "The audit Lambda raised: missed runs are not being detected",
    )
    adapter.add_alarm("FireThrottles", fire.metric_throttles(period=FIVE_MINUTES), "The fire Lambda was throttled")
    # Reserved concurrency 1 throttles an upload that races a drift repair; Lambda
    # retries those, so only sustained throttling (3 of 3 periods) is worth a page.
    adapter.add_alarm(
        "ReconcileThrottles",
        reconcile.metric_throttles(period=FIVE_MINUTES),
        "The reconcile Lambda is persistently throttled",
        periods=3,
    )


def add_dead_letter_alarms(adapter: CronAdapter) -> None:
    """One alarm per new dead letter, and one for letters left waiting a day."""
    # A count, not the queue depth: the depth stays >= 1 until someone drains the queue
    # (it keeps letters DLQ_RETENTION_DAYS), so a depth alarm stays in ALARM and, since
    # CloudWatch notifies only on a change of state, every later failure is silent.
    # NumberOfMessagesSent counts SendMessage calls, which is how every producer here
    # delivers (Lambda on-failure destinations, the schedules' and the rules' DLQs); it
    # leaves out only messages SQS itself redrives, and no queue redrives into this one.
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
    adapter.add_alarm(
        "DeadLetters",
        adapter.dlq.metric_number_of_messages_sent(statistic="Sum", period=FIVE_MINUTES),
        "A delivery or async invocation failed after every retry and was dead-lettered",
    )
    # The reminder that letters are still queued, handled or not: visible in every hour of a
    # day. Depth rather than ApproximateAgeOfOldestMessage, which leaves out a message that
    # was received three times and never deleted: exactly a letter someone read and forgot.
    adapter.add_alarm(
        "DeadLettersWaiting",
        adapter.dlq.metric_approximate_number_of_messages_visible(statistic="Maximum", period=Duration.hours(1)),
        f"Dead letters have waited {DLQ_BACKLOG_HOURS} h; SQS deletes each {DLQ_RETENTION_DAYS} days after it arrived",
        periods=DLQ_BACKLOG_HOURS,
    )


def alarm_topic(scope: Construct, existing: sns.ITopic | None) -> sns.ITopic:
    """The topic alarms notify: the user's own, or an SSL-only one CloudWatch may publish to."""
    topic = existing or sns.Topic(scope, "AlarmTopic", display_name="cron-adapter alarms", enforce_ssl=True)
    # A topic policy replaces SNS's default policy, and enforce_ssl's is Deny-only: without
    # this Allow no alarm could publish. Scoped to this account's alarms. (An imported topic
    # keeps its own policy: add_to_resource_policy is a no-op there, see docs/deploy.md.)
    stack = Stack.of(scope)
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchAlarms",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions={
                "StringEquals": {"aws:SourceAccount": stack.account},
                "ArnLike": {
                    "aws:SourceArn": stack.format_arn(
                        service="cloudwatch",
                        resource="alarm",
                        resource_name="*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                },
            },
        )
    )
    return topic
