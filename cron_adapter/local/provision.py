"""What the embedded emulator provisions: the stack's resources, from the shared constants.

The bucket (versioned), the table (``TABLE_DEFINITION`` + TTL), the schedule group, the
secret and the queues, created through boto3 clients pinned to the emulator's endpoint.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from cron_adapter import constants as c
from cron_adapter.reconcile.translate import Wiring

REGION = "us-east-1"
BUCKET = "cron-adapter-local-jobs"
TABLE = "cron-adapter-local"
UPLOAD_QUEUE = "cron-adapter-local-uploads"
DLQ = "cron-adapter-local-dlq"
FIRE_TOKEN_KEY = "cron-adapter-local-fire-token-key"
# The same placeholder ARNs as `plan --offline`: nothing in the emulator is invoked by ARN.
_WIRING = Wiring.offline(region=REGION)
# Only dev has an upload queue (the stack notifies the reconcile Lambda directly, which moto
# cannot do); a received notification stays invisible while the reconcile runs.
UPLOAD_QUEUE_VISIBILITY_SECONDS = 900


@dataclass(frozen=True)
class Resources:
    """What the emulator provisioned, and where."""

    endpoint: str
    region: str
    bucket: str
    jobs_key: str
    table: str
    group: str
    secret_id: str
    secret: str
    upload_queue_url: str
    input_key_id: str
    dlq_arn: str
    fire_arn: str
    role_arn: str

    def handler_env(self) -> dict[str, str]:
        """The environment the stack gives the reconcile and fire Lambdas."""
        return {
            c.ENV_TABLE: self.table,
            c.ENV_BUCKET: self.bucket,
            c.ENV_JOBS_KEY: self.jobs_key,
            c.ENV_GROUP: self.group,
            c.ENV_FIRE_ARN: self.fire_arn,
            c.ENV_SCHEDULER_ROLE_ARN: self.role_arn,
            c.ENV_DLQ_ARN: self.dlq_arn,
            c.ENV_SECRET_ID: self.secret_id,
            c.ENV_INPUT_KEY_ID: self.input_key_id,
            c.ENV_ALLOW_HTTP_LOOPBACK: "true",  # local targets are http://127.0.0.1
        }


def client(service: str, endpoint: str, region: str = REGION) -> Any:
    """A boto3 client pinned to the emulator, so dev can never reach a real account."""
    import boto3

    return boto3.session.Session().client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def provision(
    endpoint: str, region: str = REGION, secret: str | None = None, input_key: str | None = None
) -> Resources:
    """Create the stack's bucket, table, group, secrets and queues in the emulator."""
    sqs = client("sqs", endpoint, region)
    dlq_url = sqs.create_queue(QueueName=DLQ, Attributes={"MessageRetentionPeriod": str(c.DLQ_RETENTION_SECONDS)})[
        "QueueUrl"
    ]
    upload_url = sqs.create_queue(
        QueueName=UPLOAD_QUEUE, Attributes={"VisibilityTimeout": str(UPLOAD_QUEUE_VISIBILITY_SECONDS)}
    )["QueueUrl"]
    _create_bucket(endpoint, region, _queue_arn(sqs, upload_url))
    _create_table(endpoint, region)
    scheduler = client("scheduler", endpoint, region)
    # CreateScheduleGroup on an existing name wipes its schedules in moto: create once.
    if not any(g["Name"] == c.DEFAULT_GROUP for g in scheduler.list_schedule_groups()["ScheduleGroups"]):
        scheduler.create_schedule_group(Name=c.DEFAULT_GROUP)
    secret = secret or new_secret()
    # The handlers get the secret's name, not its ARN: moto's ARN suffix changes per session.
    sm = client("secretsmanager", endpoint, region)
    sm.create_secret(Name=c.DEFAULT_SECRET_NAME, SecretString=secret)
    # The dev input-signing key: the real reconcile signs with it, the real fire handler verifies.
    sm.create_secret(Name=c.DEFAULT_INPUT_KEY_NAME, SecretString=input_key or new_secret())
    return Resources(
        endpoint=endpoint,
        region=region,
        bucket=BUCKET,
        jobs_key=c.DEFAULT_JOBS_KEY,
        table=TABLE,
        group=c.DEFAULT_GROUP,
        secret_id=c.DEFAULT_SECRET_NAME,
        secret=secret,
        upload_queue_url=upload_url,
        input_key_id=c.DEFAULT_INPUT_KEY_NAME,
        dlq_arn=_queue_arn(sqs, dlq_url),
        fire_arn=_WIRING.fire_arn,
        role_arn=_WIRING.role_arn,
    )


def provision_fire_token_key(
    endpoint: str, key: str, audience: str | None, issuer: str | None, region: str = REGION
) -> dict[str, str]:
    """Store the fire-token key as the stack does (a secret) and return the fire Lambda's settings for it."""
    sm = client("secretsmanager", endpoint, region)
    try:
        sm.create_secret(Name=FIRE_TOKEN_KEY, SecretString=key)
    except sm.exceptions.ResourceExistsException:  # a second session in one process
        sm.put_secret_value(SecretId=FIRE_TOKEN_KEY, SecretString=key)
    env = {c.ENV_JWT_SECRET_ID: FIRE_TOKEN_KEY, c.ENV_JWT_ISSUER: issuer or ""}
    if audience:
        env[c.ENV_JWT_AUDIENCE] = audience
    return env


def new_secret() -> str:
    """A random shared secret, longer than the 32-character minimum (43 characters)."""
    return secrets.token_urlsafe(max(c.MIN_SECRET_LENGTH, 32))


def _queue_arn(sqs: Any, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _create_bucket(endpoint: str, region: str, upload_queue_arn: str) -> None:
    s3 = client("s3", endpoint, region)
    s3.create_bucket(Bucket=BUCKET)
    if c.BUCKET_VERSIONED:
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    # moto cannot invoke Lambdas from S3, but it can notify SQS: the session polls the queue
    # and hands each notification to the real reconcile handler as an SQS event.
    # prefix = suffix = the key: exactly the jobs key, as the stack's notification filter.
    key_filter = {
        "Key": {
            "FilterRules": [
                {"Name": "prefix", "Value": c.DEFAULT_JOBS_KEY},
                {"Name": "suffix", "Value": c.DEFAULT_JOBS_KEY},
            ]
        }
    }
    s3.put_bucket_notification_configuration(
        Bucket=BUCKET,
        NotificationConfiguration={
            "QueueConfigurations": [
                {"QueueArn": upload_queue_arn, "Events": [c.JOBS_UPLOAD_EVENT], "Filter": key_filter},
            ]
        },
    )


def _create_table(endpoint: str, region: str) -> None:
    ddb = client("dynamodb", endpoint, region)
    ddb.create_table(TableName=TABLE, **c.TABLE_DEFINITION)
    ddb.update_time_to_live(
        TableName=TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": c.TABLE_TTL_ATTRIBUTE}
    )
