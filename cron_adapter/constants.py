"""Names shared by the handlers, the CLI, the local emulator and ``infra/``.

This module is pure data: ``infra/`` imports it (and nothing else from the runtime), so
the stack, the handlers' settings and ``cron-adapter dev`` can never disagree on an
environment variable, a key attribute or a metric name.
"""

from __future__ import annotations

from typing import Final

# --- Environment variables (read once, at the edge, by the settings modules) -----------
ENV_TABLE: Final = "CRON_ADAPTER_TABLE"
ENV_BUCKET: Final = "CRON_ADAPTER_BUCKET"
ENV_JOBS_KEY: Final = "CRON_ADAPTER_JOBS_KEY"
ENV_GROUP: Final = "CRON_ADAPTER_SCHEDULE_GROUP"
ENV_FIRE_ARN: Final = "CRON_ADAPTER_FIRE_FUNCTION_ARN"
ENV_SCHEDULER_ROLE_ARN: Final = "CRON_ADAPTER_SCHEDULER_ROLE_ARN"
ENV_DLQ_ARN: Final = "CRON_ADAPTER_DLQ_ARN"
ENV_SECRET_ID: Final = "CRON_ADAPTER_SECRET_ID"
ENV_RUN_RETENTION_DAYS: Final = "CRON_ADAPTER_RUN_RETENTION_DAYS"
ENV_ALLOW_HTTP_LOOPBACK: Final = "CRON_ADAPTER_ALLOW_HTTP_LOOPBACK"
ENV_MAX_DELETE_SHARE: Final = "CRON_ADAPTER_MAX_DELETE_SHARE"
ENV_CREATE_GRACE_SECONDS: Final = "CRON_ADAPTER_CREATE_GRACE_SECONDS"
ENV_SCHEDULER_TPS: Final = "CRON_ADAPTER_SCHEDULER_TPS"
ENV_STORE_FORMAT: Final = "CRON_ADAPTER_STORE_FORMAT"
ENV_STORE_TIMEZONE: Final = "CRON_ADAPTER_STORE_TIMEZONE"
ENV_BASE_URL: Final = "CRON_ADAPTER_BASE_URL"
ENV_HMAC: Final = "CRON_ADAPTER_HMAC"
# The input-signing key: reconcile signs every schedule's input with it, fire refuses any other.
ENV_INPUT_KEY_ID: Final = "CRON_ADAPTER_INPUT_KEY_ID"
# Fire tokens (targets with auth: jwt): the key's own secret, and the default aud / iss claims.
ENV_JWT_SECRET_ID: Final = "CRON_ADAPTER_JWT_SECRET_ID"
ENV_JWT_AUDIENCE: Final = "CRON_ADAPTER_JWT_AUDIENCE"
ENV_JWT_ISSUER: Final = "CRON_ADAPTER_JWT_ISSUER"
# Comma-separated aud / iss values a job's own target.audience / target.issuer may use (unset: any).
ENV_JWT_AUDIENCES: Final = "CRON_ADAPTER_JWT_AUDIENCES"
ENV_JWT_ISSUERS: Final = "CRON_ADAPTER_JWT_ISSUERS"
ENV_ALARM_TOPIC_ARN: Final = "CRON_ADAPTER_ALARM_TOPIC_ARN"
ENV_AUDIT_LOOKBACK_MINUTES: Final = "CRON_ADAPTER_AUDIT_LOOKBACK_MINUTES"
ENV_AUDIT_GRACE_MINUTES: Final = "CRON_ADAPTER_AUDIT_GRACE_MINUTES"
# Private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) the fire Lambda may call, comma-separated CIDRs.
ENV_ALLOWED_CIDRS: Final = "CRON_ADAPTER_ALLOWED_CIDRS"
# Which address family the target caller tries first: ipv4-first (default) or ipv6-first.
ENV_ADDRESS_ORDER: Final = "CRON_ADAPTER_ADDRESS_ORDER"
# A known shared secret for `cron-adapter dev` (else it makes a random one per session).
ENV_DEV_SECRET: Final = "CRON_ADAPTER_DEV_SECRET"
# Base URL of hermes/sidecar targets for the CLI (as hermes-agent names it).
ENV_API_URL: Final = "API_URL"

# Powertools' own standard variables, set by the stack.
ENV_POWERTOOLS_SERVICE: Final = "POWERTOOLS_SERVICE_NAME"
ENV_POWERTOOLS_NAMESPACE: Final = "POWERTOOLS_METRICS_NAMESPACE"

# --- Defaults ---------------------------------------------------------------------------
DEFAULT_JOBS_KEY: Final = "jobs.json"
DEFAULT_GROUP: Final = "cron-adapter"
DEFAULT_SECRET_NAME: Final = "cron-adapter/target-secret"
DEFAULT_INPUT_KEY_NAME: Final = "cron-adapter/input-signing-key"  # cron-adapter dev's emulated one
DEFAULT_RUN_RETENTION_DAYS: Final = 30
DEFAULT_ADDRESS_ORDER: Final = "ipv4-first"  # a Lambda outside a VPC has no IPv6 egress
DEFAULT_MAX_DELETE_SHARE: Final = 0.5
# A schedule created by a reconcile does not fire sooner than this (unless fire_on_create).
DEFAULT_CREATE_GRACE_SECONDS: Final = 60.0
DEFAULT_SCHEDULER_TPS: Final = 50.0
MIN_SCHEDULER_TPS, MAX_SCHEDULER_TPS = 0.1, 10000.0  # the range CRON_ADAPTER_SCHEDULER_TPS and --tps accept
MIN_SECRET_LENGTH: Final = 32
SERVICE_NAME: Final = "cron-adapter"
METRICS_NAMESPACE: Final = "CronAdapter"
# The hermes-agent inbound fire webhook, appended to the base URL of a hermes store.
HERMES_FIRE_PATH: Final = "/api/cron/fire"
# S3 user metadata of the jobs object naming the store's timezone (x-amz-meta-store-timezone);
# the hermes plugin sets it from hermes's own zone, reconcile prefers it to the stack default.
JOBS_TIMEZONE_METADATA: Final = "store-timezone"

# --- The DynamoDB table (one table; every item key is in cron_adapter.tablekeys) --------
TABLE_PARTITION_KEY: Final = "pk"
TABLE_SORT_KEY: Final = "sk"
TABLE_TTL_ATTRIBUTE: Final = "ttl"
STATUS_TTL_SECONDS: Final = 7 * 86400  # a reconcile's status item (read by push --wait) expires after a week

# --- Metric names (EMF). Alarms in infra/ refer to these exact names. -------------------
METRIC_CLAIMED: Final = "Claimed"
METRIC_DUPLICATE: Final = "DuplicateDelivery"
METRIC_CLAIM_ERROR: Final = "ClaimError"
METRIC_CLAIM_RELEASED: Final = "ClaimReleased"  # a won claim given back untried, for redelivery
METRIC_TARGET_SUCCEEDED: Final = "TargetSucceeded"
METRIC_TARGET_FAILED: Final = "TargetFailed"
METRIC_INPUT_MALFORMED: Final = "MalformedInput"  # a fire event refused before any call
METRIC_INPUT_REFUSED: Final = "InputRefused"  # a fire event unsigned or altered: refused, nothing called
METRIC_TARGET_ACCEPTED: Final = "TargetAccepted"  # 202: the target took the work to do later
METRIC_TARGET_LATENCY: Final = "TargetLatency"
METRIC_SKIPPED_OVERLAP: Final = "SkippedOverlap"
METRIC_QUEUED: Final = "Queued"
METRIC_GONE: Final = "TargetGone"
METRIC_LOST: Final = "RunLost"
METRIC_EXHAUSTED: Final = "JobExhausted"
METRIC_RECONCILE_CREATED: Final = "SchedulesCreated"
METRIC_RECONCILE_UPDATED: Final = "SchedulesUpdated"
METRIC_RECONCILE_DELETED: Final = "SchedulesDeleted"
METRIC_DRIFT_REPAIRED: Final = "DriftRepaired"
METRIC_RECONCILE_REJECTED: Final = "ReconcileRejected"
METRIC_RECONCILE_FAILED: Final = "ReconcileFailed"
METRIC_RECONCILE_CONTENDED: Final = "ReconcileLockContended"
METRIC_MISSED_RUN: Final = "MissedRun"
METRIC_AUDIT_INCOMPLETE: Final = "AuditIncomplete"  # jobs an audit did not get through (deadline, AWS error)
METRIC_JOB_PAUSED: Final = "JobPaused"
METRIC_JOB_UNSCHEDULED: Final = "JobUnscheduled"  # a hermes job EventBridge cannot express

# --- Resource definitions shared by the CDK stack and `cron-adapter dev` ----------------
# Both provision from these, so the emulator cannot drift from the stack.
TABLE_DEFINITION: Final = {
    "KeySchema": [
        {"AttributeName": TABLE_PARTITION_KEY, "KeyType": "HASH"},
        {"AttributeName": TABLE_SORT_KEY, "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": TABLE_PARTITION_KEY, "AttributeType": "S"},
        {"AttributeName": TABLE_SORT_KEY, "AttributeType": "S"},
    ],
    "BillingMode": "PAY_PER_REQUEST",
}
FIRE_HANDLER: Final = "handlers.fire.handler"
RECONCILE_HANDLER: Final = "handlers.reconcile.handler"
AUDIT_HANDLER: Final = "handlers.audit.handler"
# The auditor runs this often; its window (lookback) overlaps several runs, so one failed
# audit loses nothing.
AUDIT_INTERVAL_MINUTES: Final = 15
AUDIT_TIMEOUT_SECONDS: Final = 600  # the audit Lambda's timeout (infra) and what `dev` gives each audit
DEFAULT_AUDIT_LOOKBACK_MINUTES: Final = 120
DEFAULT_AUDIT_GRACE_MINUTES: Final = 10

# --- Provisioning details shared by the stack and `cron-adapter dev` ---------------------
# The embedded emulator (cron_adapter/local/emulator.py) provisions from these too.
BUCKET_VERSIONED: Final = True  # every upload of jobs.json is kept, so a bad push can be rolled back
JOBS_UPLOAD_EVENT: Final = "s3:ObjectCreated:*"  # the S3 event that triggers a reconcile
DLQ_RETENTION_SECONDS: Final = 1_209_600  # 14 days, SQS's maximum: time to inspect dead letters
# How long EventBridge Scheduler retries delivering a fire to the fire Lambda (each schedule's
# RetryPolicy.MaximumEventAgeInSeconds): a run not delivered by then is reported missed.
# https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-retry-policy.html
DELIVERY_MAX_EVENT_AGE_SECONDS: Final = 3600
# How long Lambda keeps an asynchronous fire event it could not yet run (throttled): the fire
# function's MaximumEventAgeInSeconds, infra's FIRE_MAX_EVENT_AGE (a test holds the two equal).
FIRE_MAX_EVENT_AGE_SECONDS: Final = 3600
