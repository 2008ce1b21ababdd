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

from pydantic import BaseModel, ConfigDict, Field

from cron_adapter.kinds import Delivery, Method, Overlap

SCHEDULED_TIME_PLACEHOLDER = "<aws.scheduler.scheduled-time>"
# The text EventBridge substitutes for it, e.g. 2026-11-23T03:00:00Z; run records are keyed by it.
SCHEDULED_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
ATTEMPT_PLACEHOLDER = "<aws.scheduler.attempt-number>"
INPUT_VERSION = 1
# EventBridge Scheduler's Target.Input limit (characters).
MAX_INPUT_CHARS = 8192


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


class FireTarget(BaseModel):
    """The HTTP call a fire makes (no secret: the fire Lambda adds it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    method: Method = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = None
    timeout: float = 30.0


class FireRetry(BaseModel):
    """HTTP retry inside one fire."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    attempts: int = 3
    backoff: float = 1.0
    max_backoff: float = 30.0


class FireJob(BaseModel):
    """Runtime settings of the job, carried in every delivery."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: FireTarget
    overlap: Overlap = "skip"
    delivery: Delivery = "at-least-once"
    max_runs: int | None = None
    end_at: datetime | None = None
    one_shot: bool = False
    retry: FireRetry = Field(default_factory=FireRetry)
    schedules: tuple[str, ...] = ()  # every schedule of this job (a split cron has two)


class FireInput(BaseModel):
    """What the fire Lambda receives from EventBridge Scheduler."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    v: int = INPUT_VERSION
    job_id: str = Field(min_length=1)
    scheduled_time: datetime
    attempt: int = Field(1, ge=1)
    schedule: str = Field(min_length=1)
    spec_hash: str = Field(min_length=1)
    job: FireJob
    run: str | None = Field(None, pattern=RUN_LABEL_PATTERN)  # a label: manual trigger or catch-up


def run_id(fire: FireInput) -> str:
    """The run's key: its scheduled time, plus ``~<label>`` for a trigger or catch-up run."""
    when = iso_utc(fire.scheduled_time)
    return f"{when}{RUN_LABEL_SEPARATOR}{fire.run}" if fire.run else when


def split_run_id(text: str) -> tuple[datetime, str | None]:
    """The scheduled time and label of a run key written by :func:`run_id`."""
    when, _, label = text.partition(RUN_LABEL_SEPARATOR)
    return datetime.strptime(when, SCHEDULED_TIME_FORMAT).replace(tzinfo=UTC), label or None
