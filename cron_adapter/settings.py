"""Typed settings, read once from the environment at the edge: the readers, and the fire Lambda's settings.

The core receives plain values. An empty value is an error, never a silent default; an
explicit argument (``from_env(environ)``) beats the process environment.

The fire Lambda cold-starts on most fires, so this module holds only what it reads: the
environment readers every settings class uses, and :class:`FireSettings`. The others build
on it: ``cron_adapter.reconcile_settings`` (the reconcile and audit Lambdas) and
``cron_adapter.cli.settings`` (the CLI and ``cron-adapter dev``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import msgspec

from cron_adapter import constants as c
from cron_adapter.errors import SettingsError
from cron_adapter.jobs.urls import Network, parse_cidrs


def required(env: Mapping[str, str], name: str) -> str:
    """A setting that must be given: SettingsError when unset or empty."""
    value = env.get(name)
    if value is None:
        raise SettingsError(name, "is not set")
    if not value.strip():
        raise SettingsError(name, "is empty")
    return value.strip()


def maybe(env: Mapping[str, str], name: str) -> str | None:
    """An optional setting with no default: None when unset, an error when set but empty."""
    value = env.get(name)
    if value is None:
        return None
    if not value.strip():
        raise SettingsError(name, "is empty; unset it or give it a value")
    return value.strip()


def optional(env: Mapping[str, str], name: str, default: str) -> str:
    """A setting with a default for when it is unset; an error when set but empty."""
    value = env.get(name)
    if value is None:
        return default
    if not value.strip():
        raise SettingsError(name, "is empty; unset it to use the default")
    return value.strip()


def number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    """A number in ``low..high``, ``default`` when unset."""
    raw = optional(env, name, str(default))
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(name, f"{raw!r} is not a number") from exc
    if not low <= value <= high:
        raise SettingsError(name, f"{value} is outside {low}..{high}")
    return value


def flag(env: Mapping[str, str], name: str) -> bool:
    """A boolean (true/false, 1/0, yes/no), false when unset."""
    raw = optional(env, name, "false").lower()
    if raw not in {"true", "false", "1", "0", "yes", "no"}:
        raise SettingsError(name, f"{raw!r} is not a boolean (true/false)")
    return raw in {"true", "1", "yes"}


def cidrs(env: Mapping[str, str], name: str) -> tuple[Network, ...]:
    """A comma-separated list of CIDR blocks, empty when unset."""
    try:
        return parse_cidrs(env.get(name) or "")
    except ValueError as exc:
        raise SettingsError(name, str(exc)) from None


def names(env: Mapping[str, str], name: str) -> tuple[str, ...] | None:
    """A comma-separated list of names (spaces and empty entries dropped); None when unset, an error when empty."""
    value = env.get(name)
    if value is None:
        return None
    entries = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    if not entries:
        raise SettingsError(name, "lists no names; unset it, or list them comma-separated")
    return entries


def choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    """One of ``allowed``, ``default`` when unset."""
    value = optional(env, name, default)
    if value not in allowed:
        raise SettingsError(name, f"{value!r} is not one of {', '.join(allowed)}")
    return value


class FireSettings(msgspec.Struct, frozen=True):
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
    jwt_audiences: tuple[str, ...] | None = None  # a job's own aud must be one of these (None: any)
    jwt_issuers: tuple[str, ...] | None = None  # a job's own iss must be one of these (None: any)
    input_key_id: str | None = None  # the input-signing key; None: the handler refuses every input

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> FireSettings:
        """Read the fire settings from ``env`` (default: the process environment)."""
        env = os.environ if env is None else env
        return cls(
            table=required(env, c.ENV_TABLE),
            secret_id=required(env, c.ENV_SECRET_ID),
            group=optional(env, c.ENV_GROUP, c.DEFAULT_GROUP),
            run_retention_days=int(number(env, c.ENV_RUN_RETENTION_DAYS, c.DEFAULT_RUN_RETENTION_DAYS, 1, 3650)),
            allow_http_loopback=flag(env, c.ENV_ALLOW_HTTP_LOOPBACK),
            hmac=flag(env, c.ENV_HMAC),
            allowed_cidrs=cidrs(env, c.ENV_ALLOWED_CIDRS),
            address_order=choice(env, c.ENV_ADDRESS_ORDER, c.DEFAULT_ADDRESS_ORDER, ("ipv4-first", "ipv6-first")),
            jwt_secret_id=env.get(c.ENV_JWT_SECRET_ID) or None,
            jwt_audience=env.get(c.ENV_JWT_AUDIENCE) or None,
            jwt_issuer=env.get(c.ENV_JWT_ISSUER),
            jwt_audiences=names(env, c.ENV_JWT_AUDIENCES),
            jwt_issuers=names(env, c.ENV_JWT_ISSUERS),
            input_key_id=maybe(env, c.ENV_INPUT_KEY_ID),
        )
