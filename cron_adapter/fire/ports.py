"""Ports of the fire path and the values that cross them. Pure: no boto3, no HTTP library.

The fire service (:mod:`cron_adapter.fire.service`) talks only to these Protocols; adapters implement
them for DynamoDB, Secrets Manager, EventBridge Scheduler and HTTP, and the tests implement
them in memory with the same conditional semantics.
"""

from __future__ import annotations

from typing import Literal, Protocol

import msgspec

from cron_adapter.fire.input import CATCH_UP_LABEL, RUN_LABEL_SEPARATOR
from cron_adapter.kinds import Overlap
from cron_adapter.redacted import Redacted
from cron_adapter.tablekeys import job_pk, run_sk

DROPPED_ERROR = "queued run dropped: no time left or job exhausted"  # the error of a dropped queued run

RunStatus = Literal["claimed", "succeeded", "accepted", "failed", "skipped", "queued", "lost", "gone", "missed"]


class RunKey(msgspec.Struct, frozen=True):
    """Identifies one run: (job id, scheduled time as UTC ISO ``2026-11-23T03:00:00Z``)."""

    job_id: str
    scheduled_time: str

    @property
    def pk(self) -> str:
        return job_pk(self.job_id)

    @property
    def sk(self) -> str:
        return run_sk(self.scheduled_time)

    @property
    def catch_up(self) -> RunKey:
        """The key the catch-up of this scheduled time is claimed under (``<time>~catch-up``)."""
        return RunKey(self.job_id, f"{self.scheduled_time}{RUN_LABEL_SEPARATOR}{CATCH_UP_LABEL}")

    @property
    def caught_up(self) -> RunKey | None:
        """For a catch-up's key, the key of the scheduled time it catches up; else None."""
        when, _, label = self.scheduled_time.partition(RUN_LABEL_SEPARATOR)
        return RunKey(self.job_id, when) if label == CATCH_UP_LABEL else None


class JobState(msgspec.Struct, frozen=True):
    """The per-job row (``sk=STATE``): the run holding the job's slot, the queued run, the run count.

    Kept only where the job's policy needs it: the slot for overlap ``skip`` and ``queue``,
    the run count for ``queue`` and ``max_runs``. A job with ``allow`` and no ``max_runs``
    has no state row at all.
    """

    running: str | None = None
    running_holder: str | None = None
    running_lease: float | None = None
    queued: str | None = None
    runs: int = 0

    def slot_free(self, now: float) -> bool:
        """True when no run holds the slot, or its lease has expired."""
        return self.running is None or (self.running_lease or 0) < now


class Claim(msgspec.Struct, frozen=True):
    """A conditional claim of one run. ``previous_holder`` set = take over an expired lease.

    ``holder`` names one delivery attempt (the Lambda request id): two attempts running at
    once never share it. A store that finds this very claim (holder and lease) already
    written counts it as won: the first attempt's answer was lost and the write retried.

    ``over_missed`` set = a late delivery takes over the ``missed`` row the audit wrote for
    this time, only while that row has no catch-up planned (no ``catch_up_at``) and no
    catch-up row (``<time>~catch-up``) exists; otherwise it is a ``ClaimConflict``. Either
    way a catch-up and a late delivery never both call the target. See docs/reliability.md.
    A claim under a catch-up key is refused in turn once its scheduled time's own row is
    anything but ``missed`` or ``lost`` (a late delivery took it).
    """

    key: RunKey
    holder: str
    delivery_attempt: int
    now: float
    lease_until: float
    ttl: int
    overlap: Overlap
    max_runs: int | None
    spec_hash: str
    previous_holder: str | None = None
    over_missed: bool = False


class Finish(msgspec.Struct, frozen=True):
    """Record a run's outcome and release the job's slot (one write, or one transaction).

    ``exhausted`` writes the EXHAUSTED marker in the same transaction. ``promote`` starts the
    queued run (it becomes ``claimed`` by the same holder); ``drop_queued`` records it skipped.
    ``release`` is False when another run already holds the job's slot.
    """

    key: RunKey
    holder: str
    status: RunStatus
    attempts: int
    http_status: int | None
    duration_ms: int
    error: str | None
    now: float
    overlap: Overlap
    max_runs: int | None
    spec_hash: str
    ttl: int
    exhausted: str | None = None
    promote: Claim | None = None
    drop_queued: str | None = None
    release: bool = True


class Secret(Redacted, frozen=True):
    """The shared secret: the current value and, during rotation, the previous one (neither in ``repr``)."""

    HIDDEN = frozenset({"current", "previous"})
    current: str
    previous: str | None = None


class TargetRequest(Redacted, frozen=True):
    """One HTTP call. Headers carry the secret, so they are hidden from ``repr``."""

    HIDDEN = frozenset({"headers", "body"})
    method: str
    url: str
    headers: dict[str, str]
    body: bytes


class TargetResponse(msgspec.Struct, frozen=True):
    """A 2xx answer (non-2xx answers are raised as ``TargetHTTPError``)."""

    status: int
    body: bytes = b""


class ClaimStore(Protocol):
    """Conditional run records and per-job state (DynamoDB in production)."""

    def claim(self, claim: Claim) -> JobState | None:
        """Claim a run: None on success; the JobState when the job's slot or run limit refuses.

        Raises ``ClaimConflict`` (status, holder, lease_until) when the run already exists.
        """

    def enqueue(self, claim: Claim) -> JobState | None:
        """Record the run ``queued`` behind a running one: None on success, else the JobState."""

    def finish(self, finish: Finish) -> JobState | None:
        """Commit the outcome: None on success; the JobState when its condition refused (nothing written)."""

    def record(
        self,
        key: RunKey,
        status: RunStatus,
        error: str,
        now: float,
        ttl: int,
        spec_hash: str,
        over_missed: bool = False,
    ) -> None:
        """Write a terminal row for a run that never claimed (raises ``ClaimConflict`` if it exists).

        ``over_missed``: write it over the run's ``missed`` row, on the terms of ``Claim.over_missed``.
        """

    def close_stale(self, key: RunKey, previous_holder: str, now: float, status: RunStatus, error: str) -> None:
        """Close a ``claimed`` run whose lease expired (e.g. as ``lost``); ``ClaimConflict`` if it moved on."""

    def release(self, claim: Claim) -> None:
        """Give back a won ``claim`` never tried: as if never claimed; ``ClaimConflict`` if it moved on.

        A fresh claim's row is deleted (and uncounted); a takeover's row goes back to the
        earlier holder with its expired lease; a claim ``over_missed`` puts the ``missed`` row back.
        """

    def mark_exhausted(self, job_id: str, spec_hash: str, reason: str, now: float) -> None:
        """Write the EXHAUSTED marker so reconcile does not recreate the job."""


class TargetCaller(Protocol):
    """Makes one HTTP attempt; raises TargetRefused/Timeout/Unreachable/HTTPError."""

    def call(self, request: TargetRequest, timeout: float) -> TargetResponse:
        """Send ``request``; return a 2xx response or raise a ``TargetError``."""


class SecretSource(Protocol):
    """Returns the shared secret (cached; refuses secrets shorter than 32 characters)."""

    def get(self) -> Secret:
        """Return the current (and previous) secret."""


class Clock(Protocol):
    """Wall clock and sleep, injected so tests control time."""

    def now(self) -> float:
        """Epoch seconds."""

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""


class ScheduleControl(Protocol):
    """Stops an exhausted job's schedules."""

    def stop(self, job_id: str, schedules: tuple[str, ...]) -> None:
        """Disable or delete ``schedules``; already-gone schedules are fine."""


class MetricSink(Protocol):
    """Powertools ``Metrics`` satisfies this."""

    def add_metric(self, name: str, unit: str, value: float) -> None:
        """Add one EMF data point."""
