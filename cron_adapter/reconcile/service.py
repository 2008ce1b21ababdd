"""The reconcile service: make one EventBridge Scheduler group match a JobSet.

    load -> translate_all -> peek lock -> [list +] ledger + markers -> plan -> guard
         -> (nothing to do: return, zero writes) -> lock -> apply -> confirm -> release

With ``Options(from_ledger=True)`` (uploads) the plan is made against the ledger alone, so
an upload's scheduler calls grow with its changes; the periodic drift repair lists the
group to find what only a listing shows (drift, schedules the ledger does not know).

Planning happens before the lock so a no-op costs no write at all; the lock is then taken
only if no other reconcile applied since the peek (the lock's ``generation``), else the
run plans again. Apply is rate-limited by the scheduler adapter and concurrent within
that rate; an intent goes to the ledger before each write (batched), and one confirm pass
at the end records the LastModificationDate that ListSchedules will show (see
``reconcile.apply``). Every write is idempotent, so a crash anywhere is repaired by the
next run: an unconfirmed entry is re-applied ("unconfirmed write"), a schedule without
an entry is adopted by the drift repair ("not in the ledger"), a deleted schedule's
leftover entry is forgotten. Near the Lambda deadline the run stops submitting, confirms what it wrote and
reports ``partial``; the next invocation continues from the ledger.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from cron_adapter.errors import CronAdapterError, InjectedCrash, LockHeld, LockMoved
from cron_adapter.jobs.model import JobSet
from cron_adapter.reconcile.apply import (
    Applier,
    CrashHook,
    Options,
    Result,
    counts_of,
)
from cron_adapter.reconcile.model import Action, LedgerEntry, ListedSchedule, Plan
from cron_adapter.reconcile.planner import check_guard, plan, plan_from_ledger
from cron_adapter.reconcile.ports import LedgerPort, SchedulerPort
from cron_adapter.reconcile.translate import ScheduleRequest, Wiring, translate_all

DEFAULT_OPTIONS = Options()
__all__ = ["Observed", "Options", "Reconciler", "Result"]


@dataclass(frozen=True)
class Observed:
    """Everything a plan was computed from (read-only; what ``cron-adapter plan`` shows)."""

    desired: tuple[ScheduleRequest, ...]
    listed: tuple[ListedSchedule, ...]
    ledger: dict[str, LedgerEntry]
    plan: Plan
    allow_mass_delete: bool = False


def _merge(before: Result | None, after: Result) -> Result:
    """Fold a later round into the earlier one (counts and done add up)."""
    if before is None:
        return after
    done = before.done + after.done
    return replace(after, done=done, failed=before.failed + after.failed, counts=counts_of(done))


class Reconciler:
    """Plans and applies; the scheduler and ledger ports are injected."""

    def __init__(
        self,
        scheduler: SchedulerPort,
        ledger: LedgerPort,
        wiring: Wiring,
        *,
        options: Options = DEFAULT_OPTIONS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        remaining: Callable[[], float] | None = None,
        holder: str | None = None,
        crash: CrashHook | None = None,
        progress: Callable[[Action, bool], None] | None = None,
    ) -> None:
        self.scheduler, self.ledger, self.wiring, self.options = scheduler, ledger, wiring, options
        self.clock, self.remaining = clock, remaining
        self.holder = holder or f"reconcile-{uuid.uuid4().hex[:12]}"
        self._applier = Applier(scheduler, ledger, options, remaining=remaining, crash=crash, progress=progress)

    def observe(self, jobset: JobSet) -> Observed:
        """Translate, read the ledger (and list the group, unless planning from the ledger), and plan."""
        desired = translate_all(jobset, self.wiring)  # an untranslatable file fails before any read
        with ThreadPoolExecutor(max_workers=3) as pool:  # independent reads, overlapped
            listing = None if self.options.from_ledger else pool.submit(self.scheduler.list_schedules)
            entries = pool.submit(self.ledger.entries)
            marked = pool.submit(self.ledger.markers)  # one Query: finished and paused jobs
            ledger, markers = entries.result(), marked.result()
            common: dict[str, Any] = {
                "exhausted": markers.finished,
                "paused": markers.paused,
                "group": self.wiring.group,
                "grace": self.options.create_grace_seconds,
            }
            if listing is None:
                listed: tuple[ListedSchedule, ...] = ()
                result = plan_from_ledger(desired, ledger, self.clock(), **common)
            else:
                listed = tuple(listing.result())
                result = plan(desired, listed, ledger, self.clock(), **common)
        result = replace(result, warnings=tuple(jobset.warnings) + result.warnings)
        return Observed(desired, listed, ledger, result, jobset.allow_mass_delete)

    def run(self, load: Callable[[], JobSet], rounds: int = 3) -> Result:
        """Reconcile the JobSet ``load`` returns; LockHeld if another run holds the lock."""
        last: Result | None = None
        for _ in range(rounds):
            jobset = load()  # an invalid file raises here, before any AWS call
            state = self.ledger.peek_lock()
            if state.held_by_other(self.holder, self.clock().timestamp()):
                raise LockHeld(state.holder or "?", datetime.fromtimestamp(state.expires_at, UTC).isoformat())
            observed = self.observe(jobset)
            check_guard(
                observed.plan,
                self.options.max_delete_share,
                self.options.allow_mass_delete or observed.allow_mass_delete,
            )
            if observed.plan.empty:
                return last or Result("no-op", observed.plan, counts=counts_of(()))
            if not self._try_lock(state.generation):
                continue
            last = _merge(last, self._apply_locked(observed))
            if last.status != "applied" or self._unchanged(observed, load):
                return last
        return last or Result("no-op", Plan())

    def _try_lock(self, generation: int) -> bool:
        lease = self.options.lease_seconds if self.remaining is None else self.remaining() + 60
        try:
            self.ledger.acquire(self.holder, self.clock().timestamp(), lease, generation)
        except LockMoved:
            return False
        return True

    def _unchanged(self, observed: Observed, load: Callable[[], JobSet]) -> bool:
        """Did the jobs file stay the same while we applied? (else: another round)."""
        try:
            again = translate_all(load(), self.wiring)
        except CronAdapterError:
            return True  # the newer file is invalid: its own event reports it, nothing more to apply
        return {r.name: r.spec_hash for r in again} == {r.name: r.spec_hash for r in observed.desired}

    def _apply_locked(self, observed: Observed) -> Result:
        try:
            result = self.apply(observed.plan)
        except InjectedCrash:
            raise  # a simulated crash leaves the lease to expire, as a real one would
        except Exception:
            self.ledger.release(self.holder, applied=True)
            raise
        self.ledger.release(self.holder, applied=True)
        return result

    def apply(self, todo: Plan) -> Result:
        """Apply ``todo`` (the caller holds the lock): writes, ledger, confirm pass."""
        return self._applier.apply(todo)
