"""The ``-c key=value`` context of the CDK app, parsed into :class:`CronAdapterProps`.

Each key of ours maps onto one prop (``stackName`` onto the stack itself) through a parser
that names what a bad value must be and gives an example. Every bad value is reported at
once, one line each, as a :class:`ContextError`; props' own checks come through with the
context keys they came from. Other keys are CDK's (feature flags), but one differing from
ours only in case, ``_``, ``-`` or ``.`` gets a warning.
"""

from __future__ import annotations

import json
import math
import re
import sys
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import aws_cdk as cdk

from cron_adapter import constants as c
from cron_adapter_infra.bundling import PIP_PLATFORMS
from cron_adapter_infra.props import PYTHON_VERSIONS, CronAdapterProps

_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")  # CloudFormation's grammar


class ContextError(ValueError):
    """Context values the app cannot use; one line per problem, each naming the key, the value and the fix."""


class _Bad(Exception):
    """Raised by a parser with (what the value must be, an example value)."""


Parser = Callable[[Any], Any]


def _text(example: str) -> Parser:
    def parse(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _Bad("must be a string", example)
        return str(value)

    return parse


def _choice(options: Mapping[str, Any], example: str) -> Parser:
    def parse(value: Any) -> Any:
        if not isinstance(value, str) or value.lower() not in options:
            raise _Bad(f"must be one of {', '.join(options)}", example)
        return options[value.lower()]

    return parse


def _flag(value: Any) -> bool:
    text = str(value).strip().lower() if isinstance(value, bool | str) else ""
    if text not in ("true", "false"):
        raise _Bad("must be true or false", "true")
    return text == "true"


def _number(value: Any, whole: bool) -> float:
    """A finite int/float, or a string holding one; ``whole``: an integer. TypeError otherwise."""
    if isinstance(value, str):
        try:
            value = int(value.strip()) if whole else float(value.strip())
        except ValueError:
            raise TypeError from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TypeError
    if whole and value != int(value):
        raise TypeError
    return int(value) if whole else float(value)


def _amount(what: str, example: str, low: float | None = None, high: float | None = None, whole: bool = True) -> Parser:
    """A number of ``what`` (whole unless ``whole=False``), within ``low..high`` when given."""

    def parse(value: Any) -> float:
        try:
            number = _number(value, whole)
        except TypeError:
            raise _Bad(f"must be a {'whole ' if whole else ''}number {what}", example) from None
        if (low is not None and number < low) or (high is not None and number > high):
            raise _Bad(f"must be within {low:g}..{high:g}", example)
        return number

    return parse


def _names(example: str) -> Parser:
    """A list: a JSON list of strings (cdk.json, or a string starting with ``[``) or comma-separated."""

    def parse(value: Any) -> tuple[str, ...]:
        if isinstance(value, str) and value.strip().startswith("["):
            try:
                value = json.loads(value)
            except ValueError:
                value = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        raise _Bad("must be a comma-separated list or a JSON list of strings", example)

    return parse


def _url(value: Any) -> str:
    try:
        parts = urlsplit(value) if isinstance(value, str) and not re.search(r"[\s\\]", value) else None
    except ValueError:  # e.g. an unclosed IPv6 bracket: https://[::1
        parts = None
    if not parts or parts.scheme != "https" or not parts.hostname or "@" in parts.netloc:
        raise _Bad("must be an https:// URL with a host and no credentials", "https://agent.example.com")
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise _Bad("must have no ?query or #fragment (each job's path is appended to it)", "https://agent.example.com")
    return value


def _zone(value: Any) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):  # OSError: a name too long for a path
        raise _Bad("must be an IANA time zone name", "Europe/Berlin") from None
    return value


def _stack_name(value: Any) -> str:
    if not isinstance(value, str) or not _STACK_NAME.match(value):
        raise _Bad("must start with a letter and hold only letters, digits and '-' (at most 128)", "CronAdapter")
    return value


_POLICIES = {"retain": cdk.RemovalPolicy.RETAIN, "destroy": cdk.RemovalPolicy.DESTROY}
_TPS = (c.MIN_SCHEDULER_TPS, c.MAX_SCHEDULER_TPS)
_FORMATS = {"auto": None, "native": "native", "hermes": "hermes", "sidecar": "sidecar"}  # auto: detect
# context key -> (CronAdapterProps field, or None for the stack's own settings; parser)
KEYS: dict[str, tuple[str | None, Parser]] = {
    "stackName": (None, _stack_name),
    "groupName": ("group_name", _text("team-a")),
    "jobsKey": ("jobs_key", _text("config/jobs.json")),
    "architecture": ("architecture", _choice({p: p for p in sorted(PIP_PLATFORMS)}, "x86_64")),
    "pythonVersion": ("python_version", _choice({v: v for v in PYTHON_VERSIONS}, PYTHON_VERSIONS[-1])),
    "hmac": ("hmac", _flag),
    "tracing": ("tracing", _flag),
    "dashboard": ("dashboard", _flag),
    "removalPolicy": ("removal_policy", _choice(_POLICIES, "destroy")),
    "driftRepairMinutes": ("drift_repair_minutes", _amount("of minutes", "15")),
    "runRetentionDays": ("run_retention_days", _amount("of days", "90")),
    "schedulerTps": ("scheduler_tps", _amount("of calls per second", "20", *_TPS, whole=False)),
    "maxDeleteShare": ("max_delete_share", _amount("(a share of the schedules, 0..1)", "0.25", whole=False)),
    "fireMemoryMb": ("fire_memory_mb", _amount("of MB", "512", 128, 10240)),
    "fireReservedConcurrency": ("fire_reserved_concurrency", _amount("of concurrent fires", "20")),
    "baseUrl": ("base_url", _url),
    "storeFormat": ("store_format", _choice(_FORMATS, "hermes")),
    "storeTimezone": ("store_timezone", _zone),
    "jwtAudience": ("jwt_audience", _text("agent:prod")),
    "jwtIssuer": ("jwt_issuer", _text("https://cron.example.com")),
    "jwtAllowedAudiences": ("jwt_allowed_audiences", _names("agent:staging,agent:dev")),
    "jwtAllowedIssuers": ("jwt_allowed_issuers", _names("https://cron.example.com")),
    "allowedCidrs": ("allowed_cidrs", _names("10.1.0.0/16,10.2.0.0/16")),
}
EMPTY_MEANS_EMPTY = frozenset({"jwtIssuer", "jwtAllowedAudiences", "jwtAllowedIssuers", "allowedCidrs"})


def typo_warnings(keys: Iterable[str]) -> list[str]:
    """A warning per context key that differs from one of ours only in case, ``_``, ``-`` or ``.``."""
    ours = {re.sub(r"[_.-]", "", k).lower(): k for k in KEYS}
    return [
        f"cron-adapter: warning: context {key!r} is not a key of this app (keys are case-sensitive); "
        f"did you mean -c {ours[folded]}=...?"
        for key in keys
        if key not in KEYS and (folded := re.sub(r"[_.-]", "", key).lower()) in ours
    ]


def parse_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """Context key -> parsed value for every key of ours that is set; one ContextError for every bad one."""
    parsed, problems = {}, []
    for key, (_, parse) in KEYS.items():
        raw = context.get(key)
        if raw is None or (raw == "" and key not in EMPTY_MEANS_EMPTY):
            continue
        try:
            parsed[key] = parse(raw)
        except _Bad as bad:
            must, example = bad.args
            problems.append(f"context {key}={raw!r} {must}, e.g. -c {key}={example}")
    if problems:
        raise ContextError("\n".join(problems))
    return parsed


def props_from_context(app: cdk.App) -> CronAdapterProps:
    """Build props from ``-c`` context values; absent values keep the defaults. Raises ContextError."""
    context = app.node.get_all_context()
    for warning in typo_warnings(context):
        print(warning, file=sys.stderr)
    parsed = parse_context(context)
    fields = {KEYS[key][0]: value for key, value in parsed.items() if KEYS[key][0]}
    try:
        return CronAdapterProps(**fields)
    except ValueError as exc:  # props' own checks (ranges, grammar, CIDRs, jwt lists)
        named = ", ".join(f"{k}={context[k]!r}" for k, v in KEYS.items() if k in parsed and v[0] and v[0] in str(exc))
        raise ContextError(f"{exc}" + (f" (from context {named})" if named else "")) from None
