"""The reconcile and audit Lambdas' typed settings, read once from the environment at the edge.

Built on the readers in :mod:`cron_adapter.settings`; kept apart from :class:`FireSettings`
so the cold-started fire Lambda does not import them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from cron_adapter import constants as c
from cron_adapter.settings import FireSettings, maybe, number, optional, required


@dataclass(frozen=True)
class ReconcileSettings:
    """What the reconcile Lambda (and the live CLI) needs."""

    table: str
    bucket: str
    jobs_key: str
    group: str
    fire_arn: str
    role_arn: str
    dlq_arn: str | None
    max_delete_share: float
    scheduler_tps: float
    store_format: str | None
    store_timezone: str
    base_url: str | None
    create_grace_seconds: float = c.DEFAULT_CREATE_GRACE_SECONDS
    input_key_id: str | None = None  # the input-signing key; None: inputs unsigned (the fire Lambda refuses them)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ReconcileSettings:
        """Read the reconcile settings from ``env`` (default: the process environment)."""
        env = os.environ if env is None else env
        return cls(
            table=required(env, c.ENV_TABLE),
            bucket=required(env, c.ENV_BUCKET),
            jobs_key=optional(env, c.ENV_JOBS_KEY, c.DEFAULT_JOBS_KEY),
            group=optional(env, c.ENV_GROUP, c.DEFAULT_GROUP),
            fire_arn=required(env, c.ENV_FIRE_ARN),
            role_arn=required(env, c.ENV_SCHEDULER_ROLE_ARN),
            dlq_arn=maybe(env, c.ENV_DLQ_ARN),
            max_delete_share=number(env, c.ENV_MAX_DELETE_SHARE, c.DEFAULT_MAX_DELETE_SHARE, 0.0, 1.0),
            scheduler_tps=number(
                env, c.ENV_SCHEDULER_TPS, c.DEFAULT_SCHEDULER_TPS, c.MIN_SCHEDULER_TPS, c.MAX_SCHEDULER_TPS
            ),
            store_format=maybe(env, c.ENV_STORE_FORMAT),
            store_timezone=optional(env, c.ENV_STORE_TIMEZONE, "UTC"),
            base_url=maybe(env, c.ENV_BASE_URL),
            create_grace_seconds=number(
                env, c.ENV_CREATE_GRACE_SECONDS, c.DEFAULT_CREATE_GRACE_SECONDS, 0.0, 7 * 86400.0
            ),
            input_key_id=required(env, c.ENV_INPUT_KEY_ID),
        )


@dataclass(frozen=True)
class AuditSettings:
    """What the audit Lambda needs: the jobs file and wiring (as reconcile), the fire path, the topic."""

    reconcile: ReconcileSettings
    fire: FireSettings
    alarm_topic_arn: str | None
    lookback_minutes: int
    grace_minutes: int

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AuditSettings:
        """Read the audit settings from ``env`` (default: the process environment)."""
        env = os.environ if env is None else env
        return cls(
            reconcile=ReconcileSettings.from_env(env),
            fire=FireSettings.from_env(env),
            alarm_topic_arn=maybe(env, c.ENV_ALARM_TOPIC_ARN),
            lookback_minutes=int(number(env, c.ENV_AUDIT_LOOKBACK_MINUTES, c.DEFAULT_AUDIT_LOOKBACK_MINUTES, 15, 1440)),
            grace_minutes=int(number(env, c.ENV_AUDIT_GRACE_MINUTES, c.DEFAULT_AUDIT_GRACE_MINUTES, 1, 240)),
        )
