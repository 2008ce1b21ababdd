"""What the two main Lambdas are: handler, sizing and environment (the construct builds them from these)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration

from cron_adapter import constants as c
from cron_adapter_infra.functions import FIRE_MAX_EVENT_AGE, FunctionSpec
from cron_adapter_infra.props import allowed_names

if TYPE_CHECKING:
    from cron_adapter_infra.construct import CronAdapter
    from cron_adapter_infra.props import CronAdapterProps

FIRE_TIMEOUT = Duration.seconds(900)  # target timeouts are capped at 840 s inside
RECONCILE_TIMEOUT = Duration.minutes(15)


def fire_spec(adapter: CronAdapter) -> FunctionSpec:
    """The fire Lambda: claim, call, record."""
    props = adapter.props
    return FunctionSpec(
        label="Fire",
        description="cron-adapter: claim a scheduled fire once, call its target, record the run",
        handler=c.FIRE_HANDLER,
        memory_mb=props.fire_memory_mb,
        timeout=FIRE_TIMEOUT,
        reserved=props.fire_reserved_concurrency,
        max_event_age=FIRE_MAX_EVENT_AGE,
        environment={
            c.ENV_SECRET_ID: adapter.secret.secret_arn,
            c.ENV_INPUT_KEY_ID: adapter.input_key.secret_arn,
            c.ENV_GROUP: adapter.group_name,
            c.ENV_RUN_RETENTION_DAYS: str(props.run_retention_days),
            c.ENV_HMAC: "true" if props.hmac else "false",
            c.ENV_JWT_SECRET_ID: adapter.token_key.secret_arn,
            **({c.ENV_JWT_AUDIENCE: props.jwt_audience} if props.jwt_audience else {}),
            **({c.ENV_JWT_ISSUER: props.jwt_issuer} if props.jwt_issuer is not None else {}),
            **({c.ENV_ALLOWED_CIDRS: ",".join(props.allowed_cidrs)} if props.allowed_cidrs else {}),
            **_allow_lists(props),
        },
    )


def reconcile_spec(adapter: CronAdapter) -> FunctionSpec:
    """The reconcile Lambda: converge the schedule group onto jobs.json, one run at a time."""
    props = adapter.props
    environment = {
        c.ENV_BUCKET: adapter.bucket.bucket_name,
        c.ENV_JOBS_KEY: props.jobs_key,
        c.ENV_GROUP: adapter.group_name,
        c.ENV_FIRE_ARN: adapter.fire_function.function_arn,
        c.ENV_SCHEDULER_ROLE_ARN: adapter.scheduler_role.role_arn,
        c.ENV_DLQ_ARN: adapter.dlq.queue_arn,
        c.ENV_MAX_DELETE_SHARE: str(props.max_delete_share),
        c.ENV_SCHEDULER_TPS: str(props.scheduler_tps),
        c.ENV_INPUT_KEY_ID: adapter.input_key.secret_arn,
    }
    optional = {
        c.ENV_STORE_FORMAT: props.store_format,
        c.ENV_STORE_TIMEZONE: props.store_timezone,
        c.ENV_BASE_URL: props.base_url,
    }
    environment.update({name: value for name, value in optional.items() if value is not None})
    return FunctionSpec(
        label="Reconcile",
        description="cron-adapter: converge the schedule group onto jobs.json",
        handler=c.RECONCILE_HANDLER,
        memory_mb=props.reconcile_memory_mb,
        timeout=RECONCILE_TIMEOUT,
        reserved=1,  # one reconcile at a time
        environment=environment,
    )


def _allow_lists(props: CronAdapterProps) -> dict[str, str]:
    """The aud / iss a job's own target may name (set only when the props list them)."""
    pairs = (
        (c.ENV_JWT_AUDIENCES, allowed_names(props.jwt_allowed_audiences, props.jwt_audience)),
        (c.ENV_JWT_ISSUERS, allowed_names(props.jwt_allowed_issuers, props.jwt_issuer)),
    )
    return {name: value for name, value in pairs if value is not None}
