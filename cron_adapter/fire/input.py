"""The contract between reconcile and fire: the JSON each schedule sends to the fire Lambda.

Reconcile writes it as the schedule's ``Target.Input`` with EventBridge Scheduler's context
attributes as placeholders; EventBridge substitutes them on every delivery. The execution id
changes per attempt, so a run is identified by (job_id, scheduled_time) only.

The job's runtime settings travel inside the input, so a fire needs no lookup of the job
(one conditional write to claim, one to record the outcome). ``spec_hash`` names the exact
schedule request that produced this input.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta, Struct

from cron_adapter import kinds as k
from cron_adapter.errors import FireInputRefused
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
CATCH_UP_LABEL = "catch-up"  # the audit's run of a missed time (see ops.catchup)


def iso_utc(moment: datetime) -> str:
    """``2026-11-23T03:00:00Z``, as EventBridge writes a scheduled time (naive = UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(SCHEDULED_TIME_FORMAT)


def _check_year(name: str, moment: datetime | None) -> None:
    if moment is not None and not k.MIN_YEAR <= moment.year <= k.MAX_YEAR:
        raise ValueError(f"{name}: year {moment.year} is outside {k.MIN_YEAR}..{k.MAX_YEAR}")


# msgspec Structs, not pydantic: the fire Lambda is cold-started, and importing pydantic and
# building these models cost most of a boto3 import (docs/decisions/fire-input-validation.md).
# Every field is bounded (kinds.py holds the bounds the jobs-file model shares): a malformed
# event is refused here, before anything is called. NaN and inf fail every numeric bound.
# Each Struct is frozen=True, forbid_unknown_fields=True, kw_only=True (spelled out: mypy
# reads the options per class).
_Url = Annotated[str, Meta(min_length=1, max_length=k.MAX_INPUT_CHARS)]
_Timeout = Annotated[float, Meta(ge=k.MIN_TARGET_TIMEOUT_SECONDS, le=k.MAX_TARGET_TIMEOUT_SECONDS)]
_Name = Annotated[str, Meta(min_length=1, max_length=64)]


def _check_body(body: Any) -> None:
    # A lone surrogate ("\ud800") or NaN cannot be sent as UTF-8 JSON: refuse it here, before the claim.
    try:
        json.dumps(body, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise ValueError("body: nested too deeply to send") from None
    except ValueError as exc:  # UnicodeEncodeError is a ValueError
        raise ValueError(f"body: cannot be sent as UTF-8 JSON ({type(exc).__name__})") from None


class FireTarget(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The HTTP call a fire makes (no secret: the fire Lambda adds it)."""

    url: _Url
    method: Method = k.DEFAULT_METHOD
    headers: dict[str, str] = {}
    body: Any = None
    timeout: _Timeout = k.DEFAULT_TIMEOUT_SECONDS
    auth: k.Auth = "secret"
    audience: Annotated[str, Meta(min_length=1, max_length=1024)] | None = None  # jwt: aud (default: the stack's)
    issuer: Annotated[str, Meta(max_length=1024)] | None = None  # jwt: iss (default: the stack's; "" = none)

    def __post_init__(self) -> None:
        _check_body(self.body)
        for name, value in self.headers.items():
            problem = header_problem(name, value)
            if problem:
                raise ValueError(f"headers: {problem}")


class FireRetry(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """HTTP retry inside one fire."""

    attempts: Annotated[int, Meta(ge=1, le=k.MAX_ATTEMPTS)] = k.DEFAULT_ATTEMPTS
    backoff: Annotated[float, Meta(ge=0, le=k.MAX_BACKOFF_SECONDS)] = k.DEFAULT_BACKOFF_SECONDS
    max_backoff: Annotated[float, Meta(ge=0, le=k.MAX_MAX_BACKOFF_SECONDS)] = k.DEFAULT_MAX_BACKOFF_SECONDS


class FireJob(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Runtime settings of the job, carried in every delivery."""

    target: FireTarget
    overlap: Overlap = k.DEFAULT_OVERLAP
    delivery: Delivery = k.DEFAULT_DELIVERY
    max_runs: Annotated[int, Meta(ge=1, le=k.MAX_RUNS_LIMIT)] | None = None
    end_at: datetime | None = None
    one_shot: bool = False
    retry: FireRetry = msgspec.field(default_factory=FireRetry)
    schedules: Annotated[tuple[str, ...], Meta(max_length=16)] = ()  # every schedule of this job (a split cron has two)

    def __post_init__(self) -> None:
        _check_year("end_at", self.end_at)


class FireInput(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """What the fire Lambda receives from EventBridge Scheduler."""

    v: int = INPUT_VERSION
    job_id: Annotated[str, Meta(min_length=1, max_length=k.MAX_JOB_ID_CHARS)]
    scheduled_time: datetime
    attempt: Annotated[int, Meta(ge=1, le=10_000)] = 1
    schedule: _Name
    spec_hash: _Name
    job: FireJob
    run: Annotated[str, Meta(pattern=RUN_LABEL_PATTERN)] | None = None  # a label: manual trigger or catch-up

    def __post_init__(self) -> None:
        _check_year("scheduled_time", self.scheduled_time)


_MAX_PROBLEM_CHARS = 200


def _refused(exc: msgspec.ValidationError) -> FireInputRefused:
    """One line naming the field and what is wrong, e.g. ``job.retry.attempts: Expected `int` <= 10``."""
    problem, _, where = str(exc).partition(" - at `$")
    path = [part for part in where.rstrip("`").split(".") if part]
    field, sep, rest = problem.partition(": ")
    if sep and field.isidentifier():  # a __post_init__ check above names its own field: "headers: ..."
        path, problem = [*path, field], rest
    # msgspec quotes the bad value: keep the line one line, and short (a 300 KB value was echoed whole).
    problem = problem.replace("\r", "\\r").replace("\n", "\\n")
    problem = problem if len(problem) <= _MAX_PROBLEM_CHARS else problem[:_MAX_PROBLEM_CHARS] + "..."
    return FireInputRefused("malformed", f"malformed fire input: {'.'.join(path) or 'the event'}: {problem}")


# msgspec builds a Struct's type information on its first use, and two threads doing so at
# once can crash the interpreter (SIGSEGV under `dev`'s delivery threads; the Lambda itself
# is single-threaded). The first conversion runs under a lock; after it, none is taken.
_first_use = threading.Lock()
_types_built = False


def _convert(event: Any) -> FireInput:
    global _types_built  # noqa: PLW0603 - set once, read without the lock afterwards
    # strict=False: EventBridge substitutes the attempt number as a string ("1").
    if _types_built:
        return msgspec.convert(event, FireInput, strict=False)
    with _first_use:
        try:
            return msgspec.convert(event, FireInput, strict=False)
        finally:
            _types_built = True  # convert builds every nested type's information before it reads


def parse_input(event: Any) -> FireInput:
    """The fire input in ``event`` (decoded JSON), or :class:`FireInputRefused` naming the bad field."""
    try:
        fire = _convert(event)
        msgspec.json.encode(event)  # every string must be UTF-8: it goes into DynamoDB keys and HTTP headers
        return fire
    except msgspec.ValidationError as exc:
        raise _refused(exc) from None
    except UnicodeEncodeError:  # a lone surrogate ("\ud800"), met by convert or by the encode above
        raise FireInputRefused("malformed", "malformed fire input: a string holds a lone surrogate") from None


def parse_input_json(text: str | bytes) -> FireInput:
    """The fire input in a JSON document, as :func:`parse_input` validates it."""
    try:
        return parse_input(msgspec.json.decode(text))
    except msgspec.DecodeError as exc:
        raise FireInputRefused("malformed", f"malformed fire input: not JSON ({exc})") from None


def input_dict(fire: FireInput) -> dict[str, Any]:
    """The fire input as JSON-ready builtins (times as RFC 3339 text), as :func:`parse_input` reads it."""
    return msgspec.to_builtins(fire)  # type: ignore[no-any-return]


def replace_input(fire: FireInput, **changes: Any) -> FireInput:
    """A copy of ``fire`` with ``changes`` (values already valid: they come from the fire path)."""
    return msgspec.structs.replace(fire, **changes)


def run_id(fire: FireInput) -> str:
    """The run's key: its scheduled time, plus ``~<label>`` for a trigger or catch-up run."""
    when = iso_utc(fire.scheduled_time)
    return f"{when}{RUN_LABEL_SEPARATOR}{fire.run}" if fire.run else when


def split_run_id(text: str) -> tuple[datetime, str | None]:
    """The scheduled time and label of a run key written by :func:`run_id`."""
    when, _, label = text.partition(RUN_LABEL_SEPARATOR)
    return datetime.strptime(when, SCHEDULED_TIME_FORMAT).replace(tzinfo=UTC), label or None
