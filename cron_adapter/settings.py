"""Typed settings, read once from the environment at the edge (handlers, CLI).

The core receives plain values. An empty value is an error, never a silent default; an
explicit argument (``from_env(environ)``) beats the process environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from cron_adapter import constants as c
from cron_adapter.errors import SettingsError
from cron_adapter.jobs.urls import Network, parse_cidrs


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name)
    if value is None:
        raise SettingsError(name, "is not set")
    if not value.strip():
        raise SettingsError(name, "is empty")
    return value.strip()


def _maybe(env: Mapping[str, str], name: str) -> str | None:
    """An optional setting with no default: None when unset, an error when set but empty."""
    value = env.get(name)
    if value is None:
        return None
    if not value.strip():
        raise SettingsError(name, "is empty; unset it or give it a value")
    return value.strip()


def _optional(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name)
    if value is None:
        return default
    if not value.strip():
        raise SettingsError(name, "is empty; unset it to use the default")
    return value.strip()


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = _optional(env, name, str(default))
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(name, f"{raw!r} is not a number") from exc
    if not low <= value <= high:
        raise SettingsError(name, f"{value} is outside {low}..{high}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = _optional(env, name, "false").lower()
    if raw not in {"true", "false", "1", "0", "yes", "no"}:
        raise SettingsError(name, f"{raw!r} is not a boolean (true/false)")
    return raw in {"true", "1", "yes"}


def _cidrs(env: Mapping[str, str], name: str) -> tuple[Network, ...]:
    try:
        return parse_cidrs(env.get(name) or "")
    except ValueError as exc:
        raise SettingsError(name, str(exc)) from None


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = _optional(env, name, default)
    if value not in allowed:
        raise SettingsError(name, f"{value!r} is not one of {', '.join(allowed)}")
    return value


@dataclass(frozen=True)
class FireSettings:
    """What the fire Lambda needs."""

    table: str
    secret_id: str
    group: str
    run_retention_days: int
    allow_http_loopback: bool
    hmac: bool
    allowed_cidrs: tuple[Network, ...] = ()
    address_order: str = c.DEFAULT_ADDRESS_ORDER
    jwt_secret_id: str | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None  # "" = tokens carry no iss
    input_key_id: str | None = None  # the input-signing key; None: the handler refuses every input

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> FireSettings:
        """Read the fire settings from ``env`` (default: the process environment)."""
        env = os.environ if env is None else env
        return cls(
            table=_required(env, c.ENV_TABLE),
            secret_id=_required(env, c.ENV_SECRET_ID),
            group=_optional(env, c.ENV_GROUP, c.DEFAULT_GROUP),
            run_retention_days=int(_number(env, c.ENV_RUN_RETENTION_DAYS, c.DEFAULT_RUN_RETENTION_DAYS, 1, 3650)),
            allow_http_loopback=_flag(env, c.ENV_ALLOW_HTTP_LOOPBACK),
            hmac=_flag(env, c.ENV_HMAC),
            allowed_cidrs=_cidrs(env, c.ENV_ALLOWED_CIDRS),
            address_order=_choice(env, c.ENV_ADDRESS_ORDER, c.DEFAULT_ADDRESS_ORDER, ("ipv4-first", "ipv6-first")),
            jwt_secret_id=env.get(c.ENV_JWT_SECRET_ID) or None,
            jwt_audience=env.get(c.ENV_JWT_AUDIENCE) or None,
            jwt_issuer=env.get(c.ENV_JWT_ISSUER),
            input_key_id=_maybe(env, c.ENV_INPUT_KEY_ID),
        )


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
            table=_required(env, c.ENV_TABLE),
            bucket=_required(env, c.ENV_BUCKET),
            jobs_key=_optional(env, c.ENV_JOBS_KEY, c.DEFAULT_JOBS_KEY),
            group=_optional(env, c.ENV_GROUP, c.DEFAULT_GROUP),
            fire_arn=_required(env, c.ENV_FIRE_ARN),
            role_arn=_required(env, c.ENV_SCHEDULER_ROLE_ARN),
            dlq_arn=_maybe(env, c.ENV_DLQ_ARN),
            max_delete_share=_number(env, c.ENV_MAX_DELETE_SHARE, c.DEFAULT_MAX_DELETE_SHARE, 0.0, 1.0),
            scheduler_tps=_number(env, c.ENV_SCHEDULER_TPS, c.DEFAULT_SCHEDULER_TPS, 0.1, 10000),
            store_format=_maybe(env, c.ENV_STORE_FORMAT),
            store_timezone=_optional(env, c.ENV_STORE_TIMEZONE, "UTC"),
            base_url=_maybe(env, c.ENV_BASE_URL),
            create_grace_seconds=_number(
                env, c.ENV_CREATE_GRACE_SECONDS, c.DEFAULT_CREATE_GRACE_SECONDS, 0.0, 7 * 86400.0
            ),
            input_key_id=_required(env, c.ENV_INPUT_KEY_ID),
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
            alarm_topic_arn=_maybe(env, c.ENV_ALARM_TOPIC_ARN),
            lookback_minutes=int(
                _number(env, c.ENV_AUDIT_LOOKBACK_MINUTES, c.DEFAULT_AUDIT_LOOKBACK_MINUTES, 15, 1440)
            ),
            grace_minutes=int(_number(env, c.ENV_AUDIT_GRACE_MINUTES, c.DEFAULT_AUDIT_GRACE_MINUTES, 1, 240)),
        )


@dataclass(frozen=True)
class DevSettings:
    """What ``cron-adapter dev`` reads from the environment: an optional known shared secret."""

    secret: str | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DevSettings:
        """Read the dev settings from ``env`` (default: the process environment)."""
        env = os.environ if env is None else env
        secret = _maybe(env, c.ENV_DEV_SECRET)
        if secret is not None and len(secret) < c.MIN_SECRET_LENGTH:
            raise SettingsError(c.ENV_DEV_SECRET, f"is shorter than {c.MIN_SECRET_LENGTH} characters")
        return cls(secret)


# The CLI flag that stands for each setting (flags beat the environment).
CLI_FLAGS: dict[str, str] = {
    c.ENV_GROUP: "--group",
    c.ENV_TABLE: "--table",
    c.ENV_FIRE_ARN: "--fire-arn",
    c.ENV_SCHEDULER_ROLE_ARN: "--role-arn",
    c.ENV_DLQ_ARN: "--dlq-arn",
    c.ENV_BUCKET: "--bucket",
    c.ENV_JOBS_KEY: "--key",
    c.ENV_SCHEDULER_TPS: "--tps",
    c.ENV_API_URL: "--base-url",
    c.ENV_INPUT_KEY_ID: "--input-key-id",
}


@dataclass(frozen=True)
class CliSettings:
    """What the CLI reads from its flags and the environment; ``require`` names the fix when one is missing."""

    group: str
    table: str | None
    fire_arn: str | None
    role_arn: str | None
    dlq_arn: str | None
    bucket: str | None
    jobs_key: str
    max_delete_share: float
    scheduler_tps: float
    api_url: str | None
    input_key_id: str | None = None

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, flags: Mapping[str, object | None] | None = None
    ) -> CliSettings:
        """Read the settings; ``flags`` (env name -> flag value, None when not given) beat ``env``."""
        merged = dict(os.environ if env is None else env)
        for name, value in (flags or {}).items():
            if value is not None:
                merged[name] = str(value)
        try:
            return cls._read(merged)
        except SettingsError as exc:
            raise SettingsError(exc.name, f"{exc.detail}{_hint(exc.name)}") from None

    @classmethod
    def _read(cls, env: Mapping[str, str]) -> CliSettings:
        return cls(
            group=_optional(env, c.ENV_GROUP, c.DEFAULT_GROUP),
            table=_maybe(env, c.ENV_TABLE),
            fire_arn=_maybe(env, c.ENV_FIRE_ARN),
            role_arn=_maybe(env, c.ENV_SCHEDULER_ROLE_ARN),
            dlq_arn=_maybe(env, c.ENV_DLQ_ARN),
            bucket=_maybe(env, c.ENV_BUCKET),
            jobs_key=_optional(env, c.ENV_JOBS_KEY, c.DEFAULT_JOBS_KEY),
            max_delete_share=_number(env, c.ENV_MAX_DELETE_SHARE, c.DEFAULT_MAX_DELETE_SHARE, 0.0, 1.0),
            scheduler_tps=_number(env, c.ENV_SCHEDULER_TPS, c.DEFAULT_SCHEDULER_TPS, 0.1, 10000),
            api_url=_maybe(env, c.ENV_API_URL),
            input_key_id=_maybe(env, c.ENV_INPUT_KEY_ID),
        )

    def require(self, name: str) -> str:
        """The value of the setting for environment variable ``name``; SettingsError naming the fix if unset."""
        value = getattr(self, _FIELDS[name])
        if value is None:
            raise SettingsError(name, f"is not set{_hint(name)}")
        return str(value)


_FIELDS = {
    c.ENV_GROUP: "group",
    c.ENV_TABLE: "table",
    c.ENV_FIRE_ARN: "fire_arn",
    c.ENV_SCHEDULER_ROLE_ARN: "role_arn",
    c.ENV_DLQ_ARN: "dlq_arn",
    c.ENV_BUCKET: "bucket",
    c.ENV_JOBS_KEY: "jobs_key",
    c.ENV_INPUT_KEY_ID: "input_key_id",
}


def _hint(name: str) -> str:
    flag = CLI_FLAGS.get(name)
    return f"; fix: pass {flag} or set {name}" if flag else f"; fix: set {name} or unset it"
