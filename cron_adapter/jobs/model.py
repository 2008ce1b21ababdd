"""The job model: the native jobs.json file (as written) and the normalized ``Job``.

Pure: imports pydantic only. ``JobsFile`` is what a user writes (and what the published
JSON Schema describes); ``Job`` is the resolved form every other part consumes, with the
file's ``defaults`` applied and the target URL made absolute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cron_adapter import kinds as k
from cron_adapter.errors import Problem

# Re-exported: the kinds live apart so the fire path can skip this module.
from cron_adapter.kinds import MAX_TARGET_TIMEOUT_SECONDS, CatchUp, Delivery, Method, Overlap, Source  # noqa: F401

CATCH_UP_TEXT = (
    "What the auditor does with a missed run: none (default), latest (fire the most recent missed time once), "
    "all (every missed time in catch_up_window), spread (those, spaced evenly over catch_up_window)."
)
CATCH_UP_WINDOW_TEXT = "Minutes: how far back catch-up reaches, and what spread spaces runs over (default 60)."
# Long enough for any real schedule; its errors quote it, so it must stay printable.
MAX_SCHEDULE_CHARS = 1024


class _In(BaseModel):
    """Input models refuse unknown fields, so a typo is an error, not a silent default.

    Numbers and switches are strict: ``"30"`` is not a timeout and ``"yes"`` is not true.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class TargetIn(_In):
    """Where and how to call the job's HTTP endpoint."""

    url: str | None = Field(None, description="Absolute https URL. Overrides base_url + path.")
    base_url: str | None = Field(None, description="Base URL; joined with path.")
    path: str | None = Field(None, description="Path (and query) appended to base_url.")
    method: Method | None = Field(None, description="HTTP method (default POST).")
    headers: dict[str, str] | None = Field(None, description="Non-secret headers. Authorization is set by the adapter.")
    body: Any = Field(None, description='JSON body. Default: {"job_id", "fire_at"}.')
    timeout: float | None = Field(
        None,
        ge=k.MIN_TARGET_TIMEOUT_SECONDS,
        strict=True,
        description="Seconds to wait for the response (default 30, at least 0.1, at most 840).",
    )
    auth: k.Auth | None = Field(
        None, description="secret (default): Bearer <shared secret>; jwt: a signed ES256 token."
    )
    audience: str | None = Field(None, min_length=1, description="jwt: the aud claim (default: the stack's).")
    issuer: str | None = Field(None, description="jwt: the iss claim (default: the stack's; empty = none).")


class RetryIn(_In):
    """Retries of the HTTP call inside one fire (408, 429, 5xx and timeouts)."""

    attempts: int | None = Field(
        None,
        ge=1,
        le=k.MAX_ATTEMPTS,
        strict=True,
        description=f"Total attempts including the first (default {k.DEFAULT_ATTEMPTS}).",
    )
    backoff: float | None = Field(
        None,
        ge=0,
        le=k.MAX_BACKOFF_SECONDS,
        strict=True,
        description="First backoff in seconds; doubles each retry (default 1).",
    )
    max_backoff: float | None = Field(
        None, ge=0, le=k.MAX_MAX_BACKOFF_SECONDS, strict=True, description="Largest backoff in seconds (default 30)."
    )


class DefaultsIn(_In):
    """Values every job inherits unless it sets its own."""

    timezone: str | None = Field(None, description="IANA timezone, e.g. Europe/Berlin (default UTC).")
    target: TargetIn | None = None
    overlap: Overlap | None = None
    delivery: Delivery | None = None
    catch_up: CatchUp | None = None
    catch_up_window: int | None = Field(None, ge=1, le=1440, strict=True, description=CATCH_UP_WINDOW_TEXT)
    retry: RetryIn | None = None
    jitter: int | None = Field(
        None, ge=0, le=k.MAX_JITTER_MINUTES, strict=True, description="Flexible window in minutes (0 = exact)."
    )


class JobIn(_In):
    """One job as written in jobs.json."""

    id: str = Field(
        min_length=1, max_length=k.MAX_JOB_ID_CHARS, description="Stable job id; schedule names derive from it."
    )
    schedule: str = Field(
        min_length=1,
        max_length=MAX_SCHEDULE_CHARS,
        description="every 15m | daily 03:00 | 5-field cron | at 2026-12-01T10:00 | rate()/cron()/at().",
    )
    description: str | None = None
    timezone: str | None = None
    enabled: bool = Field(True, strict=True)
    start_at: datetime | None = Field(None, description="No fire before this time (naive = job timezone).")
    end_at: datetime | None = Field(None, description="No fire after this time (naive = job timezone).")
    max_runs: int | None = Field(None, ge=1, le=k.MAX_RUNS_LIMIT, strict=True, description="Stop after this many runs.")
    jitter: int | None = Field(None, ge=0, le=k.MAX_JITTER_MINUTES, strict=True)
    overlap: Overlap | None = None
    delivery: Delivery | None = None
    catch_up: CatchUp | None = Field(None, description=CATCH_UP_TEXT)
    catch_up_window: int | None = Field(None, ge=1, le=1440, strict=True, description=CATCH_UP_WINDOW_TEXT)
    pause_after_failures: int | None = Field(
        None, ge=1, le=1000, description="Disable the job's schedules after this many consecutive failed runs."
    )
    retry: RetryIn | None = None
    target: TargetIn | None = None
    phase: int | str | None = Field(
        None,
        description='Offset of an every/rate schedule within its period, e.g. "7m"; 0 counts from creation. '
        "Default: spread by a hash of the job id.",
    )
    fire_on_create: bool = Field(
        False, strict=True, description="Let a newly created schedule fire within the reconcile's grace period."
    )


class JobsFile(_In):
    """The native jobs.json: the desired state of every schedule."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="cron-adapter jobs.json")

    schema_: str | None = Field(None, alias="$schema", description="Optional path or URL of this schema, for editors.")
    version: Literal[1] = Field(description="Format version; always 1.")
    defaults: DefaultsIn = Field(default_factory=DefaultsIn)
    allow_mass_delete: bool = Field(
        False, strict=True, description="Let this upload delete more than the guard's share of schedules."
    )
    jobs: list[JobIn]

    @field_validator("version", mode="before")
    @classmethod
    def _integer_one(cls, value: Any) -> Any:
        # Literal[1] alone also takes true and 1.0 (they compare equal to 1).
        if type(value) is not int:
            raise ValueError("must be the integer 1")
        return value


# --- Resolved form -------------------------------------------------------------------
# Plain immutable values: every value in them was validated by the input models above, and
# building 100k pydantic models a second time costs more than the rest of a load. Job and
# Target, built once per job, are NamedTuples: a frozen dataclass sets each field through
# object.__setattr__, which made building them a quarter of a 100k-job load (measured).
# Their dicts (headers, body) are shared and read-only by convention; change a job with
# ``job._replace(...)``.


class Target(NamedTuple):
    """A resolved HTTP target (absolute URL, all defaults applied)."""

    url: str
    method: Method = k.DEFAULT_METHOD
    headers: dict[str, str] = {}  # noqa: RUF012 - never mutated: read-only by convention
    body: Any = None
    timeout: float = k.DEFAULT_TIMEOUT_SECONDS
    auth: k.Auth = "secret"
    audience: str | None = None
    issuer: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """Resolved HTTP retry policy for one fire."""

    attempts: int = k.DEFAULT_ATTEMPTS
    backoff: float = k.DEFAULT_BACKOFF_SECONDS
    max_backoff: float = k.DEFAULT_MAX_BACKOFF_SECONDS


class Job(NamedTuple):
    """A job with every default resolved; what translation, fire and audit consume."""

    id: str
    schedule: str
    target: Target
    timezone: str = "UTC"
    enabled: bool = True
    start_at: datetime | None = None
    end_at: datetime | None = None
    max_runs: int | None = None
    jitter: int = 0
    overlap: Overlap = k.DEFAULT_OVERLAP
    delivery: Delivery = k.DEFAULT_DELIVERY
    catch_up: CatchUp = "none"
    catch_up_window: int = 60  # minutes
    pause_after_failures: int | None = None
    retry: RetryPolicy = RetryPolicy()
    source: Source = "native"
    description: str | None = None
    done: bool = False  # hermes state "completed": keep no schedule for it
    phase: int | str = "auto"  # rate schedules: seconds within the period, "auto" or "creation"
    fire_on_create: bool = False  # exempt from the grace period after a reconcile creates it


@dataclass(frozen=True, slots=True, kw_only=True)
class JobSet:
    """A validated jobs file: the jobs plus file-level switches and warnings."""

    jobs: tuple[Job, ...]
    format: Source
    allow_mass_delete: bool = False
    warnings: tuple[str, ...] = ()
    # hermes jobs left out of the plan (hermes accepts them, EventBridge cannot express them)
    unscheduled: tuple[Problem, ...] = ()
