"""The local EventBridge Scheduler: reads the emulated schedules and fires them.

moto stores schedules but never fires them. Each tick this clock lists the schedule group
(GetSchedule only for new or modified schedules), asks the shared engine which fire times
fell due since the last tick on the simulated clock, and invokes the real fire handler with
exactly the input EventBridge would send: ``Target.Input`` with
``<aws.scheduler.scheduled-time>`` and ``<aws.scheduler.attempt-number>`` substituted.

Like EventBridge: a flexible window delays the invocation (not the scheduled time) by up
to ``MaximumWindowInMinutes``; ``ActionAfterCompletion: DELETE`` schedules are deleted once
done; disabled schedules stay silent and do not backfill when resumed. ``--chaos`` adds
what at-least-once delivery really does: duplicates and retries of the same scheduled time.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cron_adapter.fire.input import ATTEMPT_PLACEHOLDER, SCHEDULED_TIME_PLACEHOLDER, iso_utc
from cron_adapter.local.journal import DeliveryRecord, Journal
from cron_adapter.local.schedules_view import Tracked, read_group
from cron_adapter.local.simclock import SimClock

MAX_FIRES_PER_TICK = 500  # per schedule: bounds catch-up after a long pause
WORKERS = 8


@dataclass(frozen=True)
class Chaos:
    """At-least-once delivery, exaggerated: duplicates (attempt 1 twice) and retries (attempt 2)."""

    seed: int = 0
    duplicate_rate: float = 0.3
    retry_rate: float = 0.2


@dataclass(order=True)
class Pending:
    """One delivery waiting for its (simulated) moment."""

    due: datetime
    seq: int
    name: str = field(compare=False)
    job_id: str = field(compare=False)
    scheduled: datetime = field(compare=False)
    attempt: int = field(compare=False)
    kind: str = field(compare=False)
    input: str = field(compare=False)


def render_input(template: str, scheduled: datetime, attempt: int) -> dict[str, Any]:
    """Substitute EventBridge's context attributes into ``Target.Input`` and parse it."""
    text = template.replace(SCHEDULED_TIME_PLACEHOLDER, iso_utc(scheduled))
    return json.loads(text.replace(ATTEMPT_PLACEHOLDER, str(attempt)))


class LocalEventBridge:
    """Fires the emulated schedule group on a simulated clock."""

    def __init__(
        self,
        scheduler: Any,
        group: str,
        fire_arn: str,
        clock: SimClock,
        journal: Journal,
        invoke: Callable[[dict[str, Any]], Any],
        chaos: Chaos | None = None,
        seed: int = 0,
    ) -> None:
        self._scheduler = scheduler
        self._group = group
        self._fire_arn = fire_arn
        self._clock = clock
        self._journal = journal
        self._invoke = invoke
        self._chaos = chaos
        self._rng = random.Random(chaos.seed if chaos else seed)
        self._seq = itertools.count()
        self._pending: list[Pending] = []
        self._futures: set[Future[None]] = set()
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="fire")
        self.tracked: dict[str, Tracked] = {}

    def tick(self) -> None:
        """Refresh schedules, queue what fell due, and dispatch what is ready."""
        now = self._clock.now()
        self.tracked = read_group(self._scheduler, self._group, self.tracked, self._clock, self._journal)
        for tracked in list(self.tracked.values()):
            self._collect(tracked, now)
        self._dispatch(now)

    def upcoming(self, n: int = 10) -> list[tuple[datetime, Tracked]]:
        """The next fire of each enabled schedule, soonest first."""
        out = [
            (when, t)
            for t in list(self.tracked.values())
            if t.fires_here(self._fire_arn)
            for when in [t.peek()]
            if when is not None
        ]
        return sorted(out, key=lambda pair: pair[0])[:n]

    def paused(self) -> list[Tracked]:
        """The schedules aimed at the fire function that are DISABLED (paused jobs), by name."""
        return sorted(
            (t for t in list(self.tracked.values()) if t.state != "ENABLED" and t.target_arn == self._fire_arn),
            key=lambda t: t.name,
        )

    def drain(self, timeout: float) -> None:
        """Wait (bounded) for in-flight handler invocations."""
        wait(list(self._futures), timeout=timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Finish in-flight invocations and stop the worker pool."""
        self.drain(timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)

    # --- internals ---------------------------------------------------------------------

    def _collect(self, tracked: Tracked, now: datetime) -> None:
        if not tracked.fires_here(self._fire_arn):
            tracked.skip_to(now)
            return
        for scheduled in tracked.take_due(now, MAX_FIRES_PER_TICK):
            self._queue(tracked, scheduled)

    def _queue(self, tracked: Tracked, scheduled: datetime) -> None:
        delay = self._rng.uniform(0, tracked.window_minutes * 60) if tracked.window_minutes else 0.0
        due = scheduled + timedelta(seconds=delay)
        self._push(due, tracked, scheduled, 1, "fire")
        if self._chaos and self._rng.random() < self._chaos.duplicate_rate:
            self._push(due, tracked, scheduled, 1, "duplicate")  # same moment: races the claim
        if self._chaos and self._rng.random() < self._chaos.retry_rate:
            self._push(due + timedelta(seconds=self._rng.uniform(5, 90)), tracked, scheduled, 2, "retry")

    def _push(self, due: datetime, t: Tracked, scheduled: datetime, attempt: int, kind: str) -> None:
        item = Pending(due, next(self._seq), t.name, t.job_id, scheduled, attempt, kind, t.input)
        heapq.heappush(self._pending, item)

    def _dispatch(self, now: datetime) -> None:
        while self._pending and self._pending[0].due <= now:
            item = heapq.heappop(self._pending)
            future = self._pool.submit(self._deliver, item)
            self._futures.add(future)
            future.add_done_callback(self._futures.discard)

    def _deliver(self, item: Pending) -> None:
        started = self._clock.now()
        outcome, detail = "error", ""
        try:
            outcome, detail = _outcome(self._invoke(render_input(item.input, item.scheduled, item.attempt)))
        except Exception as exc:  # noqa: BLE001 - a handler crash is an outcome to show, like Lambda's
            detail = f"{type(exc).__name__}: {exc}"
        seconds = (self._clock.now() - started).total_seconds() / self._clock.speed
        self._journal.delivery(
            DeliveryRecord(
                item.name,
                item.job_id,
                iso_utc(item.scheduled),
                item.attempt,
                item.kind,
                started,
                outcome,
                detail,
                seconds,
            )
        )
        tracked = self.tracked.get(item.name)
        if item.kind == "fire" and tracked is not None and tracked.completed_after(item.scheduled):
            self._delete(tracked)

    def _delete(self, tracked: Tracked) -> None:
        """ActionAfterCompletion DELETE: EventBridge removes a finished schedule."""
        try:
            self._scheduler.delete_schedule(Name=tracked.name, GroupName=self._group)
        except self._scheduler.exceptions.ResourceNotFoundException:
            return
        self._journal.note(
            self._clock.now(), "schedule", f"deleted {tracked.name} (completed, ActionAfterCompletion=DELETE)"
        )


def _outcome(result: Any) -> tuple[str, str]:
    """The fire handler's status and a short detail, whatever shape it returns."""
    if isinstance(result, dict):
        status = result.get("status") or result.get("outcome") or "ok"
        detail = str(result.get("error") or result.get("reason") or result.get("detail") or "")
        http = result.get("http_status")
        if http and f"HTTP {http}" not in detail and status != "succeeded":
            detail = f"HTTP {http}" + (f": {detail}" if detail else "")
        tries = result.get("attempts")
        if status == "failed" and isinstance(tries, int) and tries > 1:
            detail = f"{detail or 'failed'} (after {tries} HTTP tries)"
        return str(status), detail
    return ("ok" if result is None else str(result)), ""
