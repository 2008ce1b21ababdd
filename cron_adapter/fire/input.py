"""The contract between reconcile and fire: the JSON each schedule sends to the fire Lambda.

Reconcile writes it as the schedule's ``Target.Input`` with EventBridge Scheduler's context
attributes as placeholders; EventBridge substitutes them on every delivery. The execution id
changes per attempt, so a run is identified by (job_id, scheduled_time) only.

The job's runtime settings travel inside the input, so a fire needs no lookup of the job
(one conditional write to claim, one to record the outcome). ``spec_hash`` names the exact
schedule request that produced this input.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cron_adapter import kinds as k
from cron_adapter.jobs.urls import header_problem
from cron_adapter.kinds import Delivery, Method, Overlap

SCHEDULED_TIME_PLACEHOLDER = "<aws.scheduler.scheduled-time>"
# The text EventBridge substitutes for it, e.g. 2026-11-23T03:00:00Z; run records are keyed by it.
SCHEDULED_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
ATTEMPT_PLACEHOLDER = "<aws.scheduler.attempt-number>"
INPUT_VERSION = 1
MAX_INPUT_CHARS = k.MAX_INPUT_CHARS


# A run that is not EventBridge's own delivery of a scheduled time (``trigger``, catch-up) is
# keyed ``<time>~<label>``: "~" never occurs in a scheduled time, so the keys cannot collide,
# and the record still sorts beside its time.
RUN_LABEL_SEPARATOR = "~"
RUN_LABEL_PATTERN = r"^[a-z0-9-]{1,48}$"


def iso_utc(moment: datetime) -> str:
    """``2026-11-23T03:00:00Z``, as EventBridge writes a scheduled time (naive = UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(SCHEDULED_TIME_FORMAT)


def _in_years(moment: datetime | None) -> datetime | None:
    if moment is not None and not k.MIN_YEAR <= moment.year <= k.MAX_YEAR:
        raise ValueError(f"year {moment.year} is outside {k.MIN_YEAR}..{k.MAX_YEAR}")
    return moment


class _Value(BaseModel):
    # Bounded on every field: a malformed event is refused here, before anything is called.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class FireTarget(_Value):
    """The HTTP call a fire makes (no secret: the fire Lambda adds it)."""

    url: str = Field(min_length=1, max_length=k.MAX_INPUT_CHARS)
    method: Method = k.DEFAULT_METHOD
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = None
    timeout: float = Field(k.DEFAULT_TIMEOUT_SECONDS, gt=0, le=k.MAX_TARGET_TIMEOUT_SECONDS)
    auth: k.Auth = "secret"
    audience: str | None = Field(None, min_length=1, max_length=1024)  # jwt: aud (default: the stack's)
    issuer: str | None = Field(None, max_length=1024)  # jwt: iss (default: the stack's; "" = none)

    @field_validator("headers")
    @classmethod
    def _sendable(cls, headers: dict[str, str]) -> dict[str, str]:
        for name, value in headers.items():
            problem = header_problem(name, value)
            if problem:
                raise ValueError(problem)
        return headers


class FireRetry(_Value):
    """HTTP retry inside one fire."""

    attempts: int = Field(k.DEFAULT_ATTEMPTS, ge=1, le=k.MAX_ATTEMPTS)
    backoff: float = Field(k.DEFAULT_BACKOFF_SECONDS, ge=0, le=k.MAX_BACKOFF_SECONDS)
    max_backoff: float = Field(k.DEFAULT_MAX_BACKOFF_SECONDS, ge=0, le=k.MAX_MAX_BACKOFF_SECONDS)


class FireJob(_Value):
    """Runtime settings of the job, carried in every delivery."""

    target: FireTarget
    overlap: Overlap = k.DEFAULT_OVERLAP
    delivery: Delivery = k.DEFAULT_DELIVERY
    max_runs: int | None = Field(None, ge=1, le=k.MAX_RUNS_LIMIT)
    end_at: datetime | None = None
    one_shot: bool = False
    retry: FireRetry = Field(default_factory=FireRetry)
    schedules: tuple[str, ...] = Field((), max_length=16)  # every schedule of this job (a split cron has two)

    _years = field_validator("end_at")(_in_years)


class FireInput(_Value):
    """What the fire Lambda receives from EventBridge Scheduler."""

    v: int = INPUT_VERSION
    job_id: str = Field(min_length=1, max_length=k.MAX_JOB_ID_CHARS)
    scheduled_time: datetime
    attempt: int = Field(1, ge=1, le=10_000)
    schedule: str = Field(min_length=1, max_length=64)
    spec_hash: str = Field(min_length=1, max_length=64)
    job: FireJob
    run: str | None = Field(None, pattern=RUN_LABEL_PATTERN)  # a label: manual trigger or catch-up

    _years = field_validator("scheduled_time")(_in_years)


def run_id(fire: FireInput) -> str:
    """The run's key: its scheduled time, plus ``~<label>`` for a trigger or catch-up run."""
    when = iso_utc(fire.scheduled_time)
    return f"{when}{RUN_LABEL_SEPARATOR}{fire.run}" if fire.run else when


def split_run_id(text: str) -> tuple[datetime, str | None]:
    """The scheduled time and label of a run key written by :func:`run_id`."""
    when, _, label = text.partition(RUN_LABEL_SEPARATOR)
    return datetime.strptime(when, SCHEDULED_TIME_FORMAT).replace(tzinfo=UTC), label or None
