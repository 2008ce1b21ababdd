"""The CLI's typed settings: its flags and the environment, read once (flags beat the environment).

Built on the readers in :mod:`cron_adapter.settings`. ``require`` names the flag or the
variable that fixes a missing setting.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cron_adapter import constants as c
from cron_adapter.errors import SettingsError
from cron_adapter.settings import maybe, number, optional


@dataclass(frozen=True)
class DevSettings:
    """What ``cron-adapter dev`` reads from the environment: an optional known shared secret."""

    secret: str | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DevSettings:
        """Read the dev settings from ``env`` (default: the process environment)."""
        env = os.environ if env is None else env
        secret = maybe(env, c.ENV_DEV_SECRET)
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
        for name, (pattern, what) in _ARNS.items():
            value = maybe(env, name)
            if value is not None and not pattern.match(value):
                raise SettingsError(name, f"{value!r} is not {what}")
        return cls(
            group=optional(env, c.ENV_GROUP, c.DEFAULT_GROUP),
            table=maybe(env, c.ENV_TABLE),
            fire_arn=maybe(env, c.ENV_FIRE_ARN),
            role_arn=maybe(env, c.ENV_SCHEDULER_ROLE_ARN),
            dlq_arn=maybe(env, c.ENV_DLQ_ARN),
            bucket=maybe(env, c.ENV_BUCKET),
            jobs_key=optional(env, c.ENV_JOBS_KEY, c.DEFAULT_JOBS_KEY),
            max_delete_share=number(env, c.ENV_MAX_DELETE_SHARE, c.DEFAULT_MAX_DELETE_SHARE, 0.0, 1.0),
            scheduler_tps=number(
                env, c.ENV_SCHEDULER_TPS, c.DEFAULT_SCHEDULER_TPS, c.MIN_SCHEDULER_TPS, c.MAX_SCHEDULER_TPS
            ),
            api_url=maybe(env, c.ENV_API_URL),
            input_key_id=maybe(env, c.ENV_INPUT_KEY_ID),
        )

    def require(self, name: str) -> str:
        """The value of the setting for environment variable ``name``; SettingsError naming the fix if unset."""
        return self.require_all(name)[0]

    def require_all(self, *names: str) -> tuple[str, ...]:
        """The values of every named setting; one SettingsError naming each one that is unset (not only the first)."""
        missing = [n for n in names if getattr(self, _FIELDS[n]) is None]
        if len(missing) == 1:
            raise SettingsError(missing[0], f"is not set{_hint(missing[0])}")
        if missing:
            fixes = ", ".join(f"{CLI_FLAGS[n]} / {n}" if n in CLI_FLAGS else n for n in missing)
            raise SettingsError(", ".join(missing), f"are not set; fix: pass or set each of {fixes}")
        return tuple(str(getattr(self, _FIELDS[n])) for n in names)


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


_PARTITION = r"^arn:aws(-[a-z]+)*:"
# A value that is not an ARN of the right service is refused where it is read, not at the first AWS call.
_ARNS = {
    c.ENV_FIRE_ARN: (
        re.compile(_PARTITION + r"lambda:[a-z0-9-]+:\d+:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$"),
        "a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)",
    ),
    c.ENV_SCHEDULER_ROLE_ARN: (
        re.compile(_PARTITION + r"iam::\d+:role/[\w+=,.@/-]+$"),
        "an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
    ),
    c.ENV_DLQ_ARN: (
        re.compile(_PARTITION + r"sqs:[a-z0-9-]+:\d+:[\w-]+(\.fifo)?$"),
        "an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME)",
    ),
}


def _hint(name: str) -> str:
    flag = CLI_FLAGS.get(name)
    return f"; fix: pass {flag} or set {name}" if flag else f"; fix: set {name} or unset it"
