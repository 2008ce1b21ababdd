"""The fields of a ``CreateSchedule`` request, and the spec hash that stands for all of them.

Pure. The fields most schedules share (group, target ARNs, retry policy, expression, zone,
state, window) are built once per distinct shape as a template whose JSON is hashed once;
each schedule adds only its own name, description and dates, and its input.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic_core import to_json

from cron_adapter import constants as c
from cron_adapter.jobs.model import Job
from cron_adapter.reconcile.fire_json import iso_job_time

if TYPE_CHECKING:  # translate imports this module; the template needs only the wiring's shape
    from cron_adapter.reconcile.translate import Wiring

# EventBridge retries delivery to the fire Lambda for at most an hour: a run delivered
# later than that is reported as missed rather than fired hours late. Defined in constants,
# which the fire path's time window (fire/time_window.py) reads too.
DELIVERY_MAX_EVENT_AGE_SECONDS = c.DELIVERY_MAX_EVENT_AGE_SECONDS
DELIVERY_MAX_RETRY_ATTEMPTS = 20
HASH_CHARS = 16
MAX_TEMPLATES = 4096  # distinct shapes kept per wiring (a long dev session reuses one)


@dataclass(frozen=True)
class Template:
    """Request fields many schedules share, and a hash object already fed their JSON."""

    fields: dict[str, Any]
    digest: Any  # a hashlib object holding the shared fields; copied per schedule


def template(wiring: Wiring, expression: str, timezone: str, enabled: bool, jitter: int, one_shot: bool) -> Template:
    """The request fields many schedules share, with their JSON hashed once (cached on the wiring)."""
    shape = (expression, timezone, enabled, jitter, one_shot)
    found = wiring.templates.get(shape)
    if found is None:
        if len(wiring.templates) >= MAX_TEMPLATES:
            wiring.templates.clear()
        found = wiring.templates[shape] = _template(wiring, *shape)
    return found


def _template(wiring: Wiring, expression: str, timezone: str, enabled: bool, jitter: int, one_shot: bool) -> Template:
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
    return Template(fields, hashlib.sha256(to_json(fields)))


def own_fields(job: Job, name: str, one_shot: bool) -> dict[str, Any]:
    """The request fields that belong to this one schedule."""
    label = f"{job.id} ({job.description})" if job.description else job.id
    own: dict[str, Any] = {"Name": name, "Description": f"cron-adapter job {label}: {job.schedule}"[:512]}
    # StartDate/EndDate are ignored for at(); the fire path enforces end_at too.
    if not one_shot:
        if job.start_at:
            own["StartDate"] = iso_job_time(job.start_at, job.timezone)
        if job.end_at:
            own["EndDate"] = iso_job_time(job.end_at, job.timezone)
    return own


def spec_hash(shared: Template, own: dict[str, Any], input_parts: tuple[str, ...]) -> str:
    """A stable hash of everything in a request: shared fields, own fields, and its Input's parts.

    The request is exactly ``shared.fields`` plus ``own`` plus ``Target.Input``, and the
    Input is made only of ``input_parts`` and this hash, so the hash covers every field. The
    JSON is canonical: keys are always built in the same order, so no sorting is needed.
    """
    digest = shared.digest.copy()
    digest.update(to_json(own))
    # One update of the joined parts hashes the same bytes as one update per part, for less work.
    digest.update(("\x1f" + "\x1f".join(input_parts)).encode("utf-8"))
    return digest.hexdigest()[:HASH_CHARS]


class Request(Mapping[str, Any]):
    """The ``CreateSchedule`` keyword arguments of one schedule, read-only.

    Translation makes one per schedule (100,000 for a large store), and most are only
    compared by spec hash, never sent. So it keeps its parts (the shared fields, its own
    fields, its input) instead of copying them into two new dicts: a field is read from its
    part, and ``Target`` (the shared target plus this input) is built when first read. It
    iterates in the order the request is written: ``Name``, the shared fields, the rest of
    its own. ``dict(request)`` is a plain dict; botocore takes it as ``**request``.
    """

    __slots__ = ("_input", "_own", "_shared", "_target")

    def __init__(self, shared: Template, own: dict[str, Any], fire_input: str) -> None:
        self._shared, self._own, self._input = shared.fields, own, fire_input
        self._target: dict[str, Any] | None = None

    def __getitem__(self, key: str) -> Any:
        if key == "Target":
            if self._target is None:
                self._target = {**self._shared["Target"], "Input": self._input}
            return self._target
        own = self._own.get(key, _ABSENT)
        return self._shared[key] if own is _ABSENT else own

    def __iter__(self) -> Iterator[str]:
        yield "Name"
        yield from self._shared
        yield from (key for key in self._own if key != "Name")

    def __len__(self) -> int:
        return len(self._shared) + len(self._own)

    def __repr__(self) -> str:
        return repr(dict(self))


_ABSENT = object()
