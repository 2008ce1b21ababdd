"""Typed, validated props of the :class:`~cron_adapter_infra.construct.CronAdapter` construct."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns

from cron_adapter import constants as c
from cron_adapter_infra.bundling import DEFAULT_PYTHON_VERSION, PIP_PLATFORMS, SOURCE_ROOT

_GROUP_NAME = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")
# Lambda Python runtimes this construct knows how to bundle for.
PYTHON_VERSIONS = ("3.12", "3.13", "3.14")  # 3.11 on Lambda is deprecated since 2026-06-30
# Function settings the construct owns: overriding them would break the wiring.
PROTECTED_FUNCTION_SETTINGS = frozenset({"code", "handler", "environment", "tracing", "runtime", "architecture"})


@dataclass(frozen=True)
class CronAdapterProps:
    """Everything a deployment may tune; every field has a production-sane default."""

    name: str | None = None
    """Deployment name: the metrics' ``service`` dimension and the default group name.
    None: derived from the stack name and the construct path (unique per account and region)."""
    group_name: str | None = None
    """EventBridge Scheduler group the adapter owns (reconcile deletes strangers in it).
    None: the deployment name, so two deployments never share a group."""
    jobs_key: str = c.DEFAULT_JOBS_KEY
    """S3 key of jobs.json; an upload of exactly this key triggers a reconcile."""
    alarm_email: str | None = None
    """Static e-mail subscription for the alarm topic (the stack uses a CfnParameter instead)."""
    run_retention_days: int = c.DEFAULT_RUN_RETENTION_DAYS
    """TTL of run rows in DynamoDB (passed to the fire Lambda)."""
    architecture: str = "arm64"
    """Lambda architecture, "arm64" (Graviton, ~20% cheaper per GB-s) or "x86_64"."""
    python_version: str = DEFAULT_PYTHON_VERSION
    """Lambda Python runtime; wheels are fetched for exactly this version (why 3.13: docs/deploy.md)."""
    fire_memory_mb: int = 256
    reconcile_memory_mb: int = 512
    fire_reserved_concurrency: int | None = None
    """Cap on concurrent fires (None: unreserved). The reconcile is always capped at 1."""
    drift_repair_minutes: int = 60
    """How often a drift-repair reconcile runs even without an upload."""
    hmac: bool = False
    """Sign target requests with an HMAC signature in addition to the bearer token."""
    max_delete_share: float = c.DEFAULT_MAX_DELETE_SHARE
    scheduler_tps: float = c.DEFAULT_SCHEDULER_TPS
    store_format: str | None = None
    """Force the jobs store format (None: auto-detect)."""
    store_timezone: str | None = None
    """Store-wide timezone for stores without per-job timezones (hermes)."""
    base_url: str | None = None
    """Target base URL for stores that carry only paths."""
    secret_name: str | None = None
    """Name of the generated secret (None: a CDK-generated, collision-free name)."""
    jwt_audience: str | None = None
    """Default ``aud`` of fire tokens (hermes: ``cron.chronos.expected_audience``)."""
    jwt_issuer: str | None = None
    """Default ``iss`` of fire tokens (hermes: ``cron.chronos.portal_url``; "" = no iss)."""
    jwt_allowed_audiences: Sequence[str] | None = None
    """The ``aud`` values a job's own ``target.audience`` may name, besides ``jwt_audience``
    (always allowed). ``()``: only ``jwt_audience``. None: any (signed for whatever jobs.json
    names; ``cron-adapter validate`` warns about each job that names one)."""
    jwt_allowed_issuers: Sequence[str] | None = None
    """Likewise for a job's own ``target.issuer``, besides ``jwt_issuer`` and "" (no iss)."""
    allowed_cidrs: tuple[str, ...] = ()
    """Private ranges (inside 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) the fire Lambda
    may call, e.g. ``("10.1.0.0/16",)``; every other private address is refused. Only useful
    with a ``vpc`` in ``lambda_function_props``: a Lambda outside a VPC cannot reach them."""
    secret_length: int = 64
    tracing: bool = False
    """Active X-Ray tracing. Off by default: at ~$5 per million traced fires it would cost
    more than EventBridge Scheduler itself; logs + EMF metrics already cover each run."""
    dashboard: bool = True
    """Create the CloudWatch dashboard ($3/month beyond an account's 3 free dashboards)."""
    log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH
    removal_policy: RemovalPolicy = RemovalPolicy.RETAIN
    """For the bucket, table, secret and log groups. Schedules are derived state and always go."""
    lambda_function_props: Mapping[str, Any] = field(default_factory=dict)
    """Extra ``aws_lambda.Function`` settings for every function (``vpc``, ``memory_size``,
    ``log_format``, ...), as aws-solutions-constructs' ``lambda_function_props``; they win
    over the defaults. The wiring is refused: see ``PROTECTED_FUNCTION_SETTINGS``."""
    existing_bucket_obj: s3.IBucket | None = None
    """Bring your own jobs bucket (None: a versioned, private, SSL-only one is created)."""
    existing_topic_obj: sns.ITopic | None = None
    """Bring your own alarm topic (None: one is created). Its policy must let
    ``cloudwatch.amazonaws.com`` publish; an imported topic's policy is not changed."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable resource of the construct (plus ``cron-adapter:deployment``)."""
    source_root: Path = field(default=SOURCE_ROOT)
    """Directory holding the ``cron_adapter/`` and ``handlers/`` packages the Lambdas run
    (default: where they are installed, site-packages or an editable checkout)."""

    def __post_init__(self) -> None:
        problems = []
        for label, value in (("name", self.name), ("group_name", self.group_name)):
            if value is not None and not _GROUP_NAME.match(value):
                problems.append(f"{label} {value!r} must match [0-9A-Za-z_.-]{{1,64}}")
        if not self.jobs_key or self.jobs_key.startswith("/"):
            problems.append(f"jobs_key {self.jobs_key!r} must be a non-empty S3 key without a leading '/'")
        if self.architecture not in PIP_PLATFORMS:
            problems.append(f"architecture must be one of {sorted(PIP_PLATFORMS)}")
        if self.python_version not in PYTHON_VERSIONS:
            problems.append(f"python_version must be one of {PYTHON_VERSIONS}")
        if self.secret_length < c.MIN_SECRET_LENGTH:
            problems.append(f"secret_length must be >= {c.MIN_SECRET_LENGTH}")
        if not 1 <= self.run_retention_days <= 3650:
            problems.append("run_retention_days must be within 1..3650")
        if not 0.0 <= self.max_delete_share <= 1.0:
            problems.append("max_delete_share must be within 0..1")
        if self.drift_repair_minutes < 1:
            problems.append("drift_repair_minutes must be >= 1")
        if self.fire_reserved_concurrency is not None and self.fire_reserved_concurrency < 1:
            problems.append("fire_reserved_concurrency must be >= 1 or None")
        problems += _cidr_problems(self.allowed_cidrs)
        problems += _allowed_problems("jwt_allowed_audiences", self.jwt_allowed_audiences, self.jwt_audience)
        problems += _allowed_problems("jwt_allowed_issuers", self.jwt_allowed_issuers, self.jwt_issuer)
        protected = sorted(PROTECTED_FUNCTION_SETTINGS & set(self.lambda_function_props))
        if protected:
            problems.append(
                f"lambda_function_props may not set {protected}: use python_version, architecture, tracing "
                "or the construct's environment instead"
            )
        if problems:
            raise ValueError("invalid CronAdapterProps: " + "; ".join(problems))


def _cidr_problems(cidrs: tuple[str, ...]) -> list[str]:
    """One problem per entry of ``allowed_cidrs`` that is not a CIDR block."""
    if isinstance(cidrs, str):
        return [f"allowed_cidrs must be a tuple of CIDR blocks such as ('10.1.0.0/16',), not the string {cidrs!r}"]
    problems = []
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            problems.append(f"allowed_cidrs entry {cidr!r} is not a CIDR block such as 10.1.0.0/16")
    return problems


def _allowed_problems(label: str, names: Sequence[str] | None, own: str | None) -> list[str]:
    """Problems of a ``jwt_allowed_*`` list: a bare string, an empty or comma entry, or nothing to allow."""
    if names is None:
        return []
    if isinstance(names, str):
        return [f"{label} must be a list of names such as ['agent:staging'], not the string {names!r}"]
    problems = [f"{label} entry {n!r} must be non-empty and hold no comma" for n in names if not n.strip() or "," in n]
    if not names and not own:
        own_label = label.replace("_allowed", "").removesuffix("s")
        problems.append(f"{label} is empty and {own_label} is unset or empty: set {own_label}, or list the names")
    return problems


def allowed_names(names: Sequence[str] | None, own: str | None) -> str | None:
    """The fire Lambda's ``CRON_ADAPTER_JWT_AUDIENCES`` / ``_ISSUERS`` value (None: unset, any allowed)."""
    if names is None:
        return None
    return ",".join(dict.fromkeys(n.strip() for n in [*names, *([own] if own else [])]))
