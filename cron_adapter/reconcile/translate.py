"""Translate resolved jobs into exact EventBridge Scheduler ``CreateSchedule`` requests.

Pure: the output is the keyword arguments of ``scheduler.create_schedule`` (timestamps as
ISO-8601 UTC strings, which botocore accepts), plus the schedule name and a spec hash of
the request. The reconcile ledger stores the hash, so an unchanged job costs no write.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import msgspec
from pydantic_core import to_json

from cron_adapter._gc import paused_gc
from cron_adapter.errors import InvalidJobsFile, Problem, ScheduleError
from cron_adapter.fire.input import (
    ATTEMPT_PLACEHOLDER,
    INPUT_VERSION,
    MAX_INPUT_CHARS,
    SCHEDULED_TIME_PLACEHOLDER,
    iso_utc,
)
from cron_adapter.fire.inputsig import SIG_FIELD, InputKey
from cron_adapter.jobs.model import Job, JobSet
from cron_adapter.reconcile.planner import KEY_SEPARATOR
from cron_adapter.schedule.grammar import Schedule, parse_schedule
from cron_adapter.schedule.names import schedule_name
from cron_adapter.schedule.phase import rate_grid

# EventBridge retries delivery to the fire Lambda for at most an hour: a run delivered
# later than that is reported as missed rather than fired hours late.
# https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-retry-policy.html
DELIVERY_MAX_EVENT_AGE_SECONDS = 3600
DELIVERY_MAX_RETRY_ATTEMPTS = 20
HASH_CHARS = 16
OFFLINE_ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Wiring:
    """Where schedules live, what they invoke, and the key their inputs are signed with."""

    group: str
    fire_arn: str
    role_arn: str
    dlq_arn: str | None = None
    key: InputKey | None = field(default=None, repr=False)  # None: unsigned (offline plan, validate)

    @classmethod
    def offline(cls, group: str = "cron-adapter", region: str = "us-east-1") -> Wiring:
        """Placeholder ARNs for ``plan --offline``."""
        prefix = f"arn:aws:{{}}:{region}:{OFFLINE_ACCOUNT}:"
        return cls(
            group=group,
            fire_arn=prefix.format("lambda") + "function:cron-adapter-fire",
            role_arn=f"arn:aws:iam::{OFFLINE_ACCOUNT}:role/cron-adapter-scheduler",
            dlq_arn=prefix.format("sqs") + "cron-adapter-dlq",
        )


class ScheduleRequest(NamedTuple):
    """One desired schedule: its name, owning job, spec hash and CreateSchedule kwargs.

    Immutable (a NamedTuple: 100k of them build several times faster than frozen
    dataclasses). ``request`` is read-only: schedules of one shape share its nested dicts.
    """

    job_id: str
    name: str
    spec_hash: str
    request: dict[str, Any]
    late_ok: bool = False  # a one-shot whose time passed unfired still fires (hermes semantics)
    period: int = 0  # rate schedules: seconds between fires
    phase: int | None = None  # rate schedules: offset on the epoch grid (None: count from creation)
    fire_on_create: bool = False  # exempt from the grace period when created
    key_id: str = ""  # the input-signing key's id ("" = unsigned)

    @property
    def written_hash(self) -> str:
        """What the ledger records: the spec hash, plus the signing key's id (a new key rewrites all)."""
        return f"{self.spec_hash}{KEY_SEPARATOR}{self.key_id}" if self.key_id else self.spec_hash


def _iso_utc(value: datetime, timezone: str) -> str:
    """A job time in UTC; a naive one is wall time in the job's timezone."""
    return iso_utc(value if value.tzinfo else value.replace(tzinfo=ZoneInfo(timezone)))


def _fire_job_json(job: Job, schedule: Schedule, names: tuple[str, ...]) -> str:
    """The ``job`` part of the fire input (a FireJob), serialized once per job."""
    t, r = job.target, job.retry
    target: dict[str, Any] = {"url": t.url, "method": t.method, "timeout": t.timeout}
    if t.headers:
        target["headers"] = t.headers
    if t.body is not None:
        target["body"] = t.body
    if t.auth != "secret":  # the default is left out, so existing spec hashes stay the same
        target["auth"] = t.auth
        if t.audience:
            target["audience"] = t.audience
        if t.issuer is not None:
            target["issuer"] = t.issuer
    fire: dict[str, Any] = {"target": target, "overlap": job.overlap, "delivery": job.delivery}
    if job.max_runs is not None:
        fire["max_runs"] = job.max_runs
    if job.end_at is not None:
        fire["end_at"] = _iso_utc(job.end_at, job.timezone)
    fire["one_shot"] = schedule.one_shot
    fire["retry"] = {"attempts": r.attempts, "backoff": r.backoff, "max_backoff": r.max_backoff}
    fire["schedules"] = list(names)
    # pydantic-core's serializer: compact, key order kept, ~5x faster than json.dumps here.
    return to_json(fire).decode()


def _input(id_json: str, name: str, job_json: str, digest: str) -> str:
    """The FireInput JSON with EventBridge's placeholders (keys in a fixed order)."""
    return (
        f'{{"v":{INPUT_VERSION},"job_id":{id_json},"scheduled_time":"{SCHEDULED_TIME_PLACEHOLDER}",'
        f'"attempt":"{ATTEMPT_PLACEHOLDER}","schedule":"{name}","spec_hash":"{digest}","job":{job_json}}}'
    )


def _signed(key: InputKey, fire_input: str, job_id: str, name: str, job: dict[str, Any], digest: str) -> str:
    """``fire_input`` with its ``sig`` appended (the body signed is the input's own fields)."""
    body = {"v": INPUT_VERSION, "job_id": job_id, "schedule": name, "spec_hash": digest, "job": job}
    return f'{fire_input[:-1]},"{SIG_FIELD}":"{key.sign(body)}"}}'


@lru_cache(maxsize=4096)
def _template(wiring: Wiring, expression: str, timezone: str, enabled: bool, jitter: int, one_shot: bool) -> _Template:
    """The request fields many schedules share, with their JSON hashed once."""
    target: dict[str, Any] = {
        "Arn": wiring.fire_arn,
        "RoleArn": wiring.role_arn,
        "RetryPolicy": {
            "MaximumEventAgeInSeconds": DELIVERY_MAX_EVENT_AGE_SECONDS,
            "MaximumRetryAttempts": DELIVERY_MAX_RETRY_ATTEMPTS,
        },
    }
    if wiring.dlq_arn:
        target["DeadLetterConfig"] = {"Arn": wiring.dlq_arn}
    fields: dict[str, Any] = {
        "GroupName": wiring.group,
        "ScheduleExpression": expression,
        "ScheduleExpressionTimezone": timezone,
        "State": "ENABLED" if enabled else "DISABLED",
        "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": jitter} if jitter else {"Mode": "OFF"},
        "ActionAfterCompletion": "DELETE" if one_shot else "NONE",
        "Target": target,
    }
    return _Template(fields, hashlib.sha256(to_json(fields)))


@dataclass(frozen=True)
class _Template:
    fields: dict[str, Any]
    digest: Any  # a hashlib object holding the shared fields; copied per schedule


def _own_fields(job: Job, name: str, one_shot: bool) -> dict[str, Any]:
    """The request fields that belong to this one schedule."""
    label = f"{job.id} ({job.description})" if job.description else job.id
    own: dict[str, Any] = {"Name": name, "Description": f"cron-adapter job {label}: {job.schedule}"[:512]}
    # StartDate/EndDate are ignored for at(); the fire path enforces end_at too.
    if not one_shot:
        if job.start_at:
            own["StartDate"] = _iso_utc(job.start_at, job.timezone)
        if job.end_at:
            own["EndDate"] = _iso_utc(job.end_at, job.timezone)
    return own


def spec_hash(template: _Template, own: dict[str, Any], input_parts: tuple[str, ...]) -> str:
    """A stable hash of everything in a request: shared fields, own fields, and its Input's parts.

    The request is exactly ``template.fields`` plus ``own`` plus ``Target.Input``, and the
    Input is made only of ``input_parts`` and this hash, so the hash covers every field. The
    JSON is canonical: keys are always built in the same order, so no sorting is needed.
    """
    digest = template.digest.copy()
    digest.update(to_json(own))
    # One update of the joined parts hashes the same bytes as one update per part, for less work.
    digest.update(("\x1f" + "\x1f".join(input_parts)).encode("utf-8"))
    return digest.hexdigest()[:HASH_CHARS]


def translate(job: Job, wiring: Wiring) -> tuple[ScheduleRequest, ...]:
    """The schedules that implement ``job`` (none for a finished hermes job)."""
    if job.done:
        return ()
    schedule = parse_schedule(job.schedule, timezone=job.timezone)
    parts = schedule.eventbridge()
    names = (
        (schedule_name(job.id, parts[0].suffix),)
        if len(parts) == 1
        else tuple(schedule_name(job.id, part.suffix) for part in parts)
    )
    job_json = _fire_job_json(job, schedule, names)
    id_json = to_json(job.id).decode()
    key = wiring.key
    job_value = msgspec.json.decode(job_json) if key else {}  # what fire will parse, signed as it will see it
    late = schedule.one_shot and job.source == "hermes"
    start = job.start_at
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=ZoneInfo(job.timezone))
    period, offset = rate_grid(schedule, job.id, job.phase, start)
    out = []
    for part, name in zip(parts, names, strict=True):
        template = _template(wiring, part.expression, job.timezone, job.enabled, job.jitter, schedule.one_shot)
        own = _own_fields(job, name, schedule.one_shot)
        # The phase offset (not the StartDate computed from it at plan time) is part of the spec.
        extra = () if offset is None else (f"phase:{offset}",)
        digest = spec_hash(template, own, (id_json, name, job_json, *extra))
        fire_input = _input(id_json, name, job_json, digest)
        if key:
            fire_input = _signed(key, fire_input, job.id, name, job_value, digest)
        if len(fire_input) > MAX_INPUT_CHARS:
            raise ScheduleError(
                f"the schedule input is {len(fire_input)} characters, over EventBridge's {MAX_INPUT_CHARS}",
                fix="shorten target.body or target.headers",
                field="target.body",
            )
        request = {"Name": name, **template.fields, **own, "Target": {**template.fields["Target"], "Input": fire_input}}
        kid = key.key_id if key else ""
        out.append(ScheduleRequest(job.id, name, digest, request, late, period, offset, job.fire_on_create, kid))
    return tuple(out)


def translate_all(jobs: JobSet, wiring: Wiring) -> tuple[ScheduleRequest, ...]:
    """Translate every job; refuse the whole set on any problem or name collision."""
    with paused_gc():
        return _translate_all(jobs, wiring)


def _translate_all(jobs: JobSet, wiring: Wiring) -> tuple[ScheduleRequest, ...]:
    problems: list[Problem] = []
    out: list[ScheduleRequest] = []
    owners: dict[str, str] = {}
    for job in jobs.jobs:
        try:
            requests = translate(job, wiring)
        except ScheduleError as exc:
            problems.append(Problem(job.id, exc.field, exc.message, exc.fix))
            continue
        for req in requests:
            other = owners.setdefault(req.name, job.id)
            if other != job.id:
                problems.append(
                    Problem(
                        job.id,
                        "id",
                        f"schedule name {req.name!r} collides with job {other!r}",
                        "rename one of the two jobs",
                    )
                )
        out.extend(requests)
    if problems:
        raise InvalidJobsFile(problems)
    return tuple(out)
