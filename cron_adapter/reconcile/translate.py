"""Translate resolved jobs into exact EventBridge Scheduler ``CreateSchedule`` requests.

Pure: the output is the keyword arguments of ``scheduler.create_schedule`` (timestamps as
ISO-8601 UTC strings, which botocore accepts), plus the schedule name and a spec hash of
the request. The reconcile ledger stores the hash, so an unchanged job costs no write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import msgspec
from pydantic_core import to_json

from cron_adapter._gc import paused_gc
from cron_adapter.errors import InvalidJobsFile, Problem, ScheduleError
from cron_adapter.fire.input import MAX_INPUT_CHARS
from cron_adapter.fire.inputsig import InputKey
from cron_adapter.jobs.model import Job, JobSet
from cron_adapter.reconcile.fire_json import fire_input, fire_job_json, signed_input
from cron_adapter.reconcile.planner import KEY_SEPARATOR
from cron_adapter.reconcile.request_fields import Request, own_fields, spec_hash, template
from cron_adapter.schedule.grammar import parse_schedule
from cron_adapter.schedule.names import schedule_name
from cron_adapter.schedule.phase import rate_grid

OFFLINE_ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Wiring:
    """Where schedules live, what they invoke, and the key their inputs are signed with."""

    group: str
    fire_arn: str
    role_arn: str
    dlq_arn: str | None = None
    key: InputKey | None = field(default=None, repr=False)  # None: unsigned (offline plan, validate)

    @cached_property
    def templates(self) -> dict[tuple[Any, ...], Any]:
        """This wiring's request templates by shape (``request_fields.template`` fills it)."""
        return {}

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
    dataclasses). ``request`` is a read-only :class:`Request`, built from shared parts.
    """

    job_id: str
    name: str
    spec_hash: str
    request: Mapping[str, Any]
    late_ok: bool = False  # a one-shot whose time passed unfired still fires (hermes semantics)
    period: int = 0  # rate schedules: seconds between fires
    phase: int | None = None  # rate schedules: offset on the epoch grid (None: count from creation)
    fire_on_create: bool = False  # exempt from the grace period when created
    key_id: str = ""  # the input-signing key's id ("" = unsigned)

    @property
    def written_hash(self) -> str:
        """What the ledger records: the spec hash, plus the signing key's id (a new key rewrites all)."""
        return f"{self.spec_hash}{KEY_SEPARATOR}{self.key_id}" if self.key_id else self.spec_hash


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
    job_json = fire_job_json(job, schedule.one_shot, names)
    id_json = to_json(job.id).decode()
    key = wiring.key
    job_value = msgspec.json.decode(job_json) if key else {}  # what fire will parse, signed as it will see it
    late = schedule.one_shot and job.source == "hermes"
    start = job.start_at
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=ZoneInfo(job.timezone))
    period, offset = rate_grid(schedule, job.id, job.phase, start)
    # The phase offset (not the StartDate computed from it at plan time) is part of the spec.
    extra = () if offset is None else (f"phase:{offset}",)
    kid = key.key_id if key else ""
    out = []
    for part, name in zip(parts, names, strict=True):
        shared = template(wiring, part.expression, job.timezone, job.enabled, job.jitter, schedule.one_shot)
        own = own_fields(job, name, schedule.one_shot)
        digest = spec_hash(shared, own, (id_json, name, job_json, *extra))
        text = fire_input(id_json, name, job_json, digest)
        if key:
            text = signed_input(key, text, job.id, name, job_value, digest)
        if len(text) > MAX_INPUT_CHARS:
            raise ScheduleError(
                f"the schedule input is {len(text)} characters, over EventBridge's {MAX_INPUT_CHARS}",
                fix="shorten target.body or target.headers",
                field="target.body",
            )
        kwargs = Request(shared, own, text)
        out.append(ScheduleRequest(job.id, name, digest, kwargs, late, period, offset, job.fire_on_create, kid))
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
