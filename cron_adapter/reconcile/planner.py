"""The pure reconcile planner: (desired, listed, ledger, now) -> Plan.

No boto3, no clock. Change detection needs no per-schedule read, because ListSchedules
returns no expression but does return ``LastModificationDate``::

    desired spec hash  != ledger spec hash          -> update  (spec changed / paused / resumed)
    listed LastModDate != ledger last_modified      -> update  (changed outside the adapter)
    ledger entry, schedule not listed               -> create  (deleted outside the adapter)
    listed, not desired                             -> delete  (orphan)
    listed, no ledger entry or unconfirmed entry    -> update  (adopt / crash recovery)

An upload is planned against the ledger alone (:func:`plan_from_ledger`): the entries stand
in for ListSchedules, so its scheduler calls grow with the changes, not with the group.
What only a listing can see (drift, schedules the ledger does not know) is the periodic
drift repair's work, which plans with :func:`plan` on a full ListSchedules pass.

A one-shot (``ActionAfterCompletion: DELETE``) whose ``at()`` time has passed is deleted
by EventBridge after it fires: its absence is not drift, and a new one is never created
in the past (a warning instead), unless its job fires late ones (``late_ok``: hermes), which
is then created for the next minute. A passed StartDate of a rate moves forward on its
grid. A job the fire path marked exhausted with its current spec hash is not recreated: its
schedules are deleted (deletes the mass-delete guard does not count) and its entries forgotten.
A job the audit paused after failures with its current spec hash is left alone (no write, no
forget): the audit disabled its schedules, ``resume`` enables them, an edit resumes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from cron_adapter.errors import MassDeleteRefused
from cron_adapter.reconcile.dates import dated, passed
from cron_adapter.reconcile.model import Action, Create, Delete, LedgerEntry, ListedSchedule, Plan, Update

if TYPE_CHECKING:  # translate imports the schedule engine; the planner needs only the shape
    from cron_adapter.reconcile.translate import ScheduleRequest

NEW_JOB = "new job"
SPEC_CHANGED = "spec changed"
PAUSED = "paused"
RESUMED = "resumed"
DRIFT_CHANGED = "changed outside the adapter"
DRIFT_DELETED = "deleted outside the adapter"
ORPHAN = "orphan"
EXHAUSTED = "job finished (exhausted)"
UNKNOWN = "not in the ledger"
UNCONFIRMED = "unconfirmed write"
OVERDUE = "overdue one-shot, fires now"
KEY_CHANGED = "input signing key changed"
# A ledger entry's hash is ``<spec hash>.<signing key id>``: the spec hash (the job's identity,
# named by exhausted and pause markers) leaves the key out, so a key rotation rewrites every
# schedule without bringing a finished job back.
KEY_SEPARATOR = "."
OVERDUE_DELAY_SECONDS = 60  # EventBridge resolves at() to the minute: the next one that surely lies ahead
DRIFT_REASONS = frozenset({DRIFT_CHANGED, DRIFT_DELETED})


def _overdue(want: ScheduleRequest, now: datetime) -> Create:
    """A late one-shot that must still run (hermes fires one however late): at the next minute."""
    zone = ZoneInfo(str(want.request.get("ScheduleExpressionTimezone") or "UTC"))
    when = (now + timedelta(seconds=OVERDUE_DELAY_SECONDS)).astimezone(zone)
    request = {**want.request, "ScheduleExpression": f"at({when.strftime('%Y-%m-%dT%H:%M:%S')})"}
    return Create(want.job_id, want.name, want.written_hash, request, OVERDUE)


def _changed_reason(want: ScheduleRequest, seen: ListedSchedule, entry: LedgerEntry) -> str:
    if entry.spec_hash.partition(KEY_SEPARATOR)[0] == want.spec_hash:
        return KEY_CHANGED  # the same spec, signed with another key (or, after an upgrade, unsigned)
    state = want.request.get("State")
    if seen.state != state and state == "DISABLED":
        return PAUSED
    if seen.state != state and seen.state == "DISABLED":
        return RESUMED
    return SPEC_CHANGED


def _missing(
    want: ScheduleRequest, entry: LedgerEntry | None, now: datetime, grace: float
) -> tuple[Action | None, str | None]:
    """A desired schedule that is not listed: create it, or explain why not."""
    if passed(want.request, now):
        if entry is None and want.late_ok:
            return _overdue(want, now), None
        if entry is None:
            return (
                None,
                f"job {want.job_id!r}: one-shot time {want.request['ScheduleExpression']} has passed; not created",
            )
        return None, None  # fired and deleted by EventBridge (ActionAfterCompletion DELETE)
    request, warning = dated(want, now, grace)
    if request is None:
        return None, warning
    reason = NEW_JOB if entry is None else (UNCONFIRMED if entry.last_modified is None else DRIFT_DELETED)
    return Create(want.job_id, want.name, want.written_hash, request, reason), None


def _present(
    want: ScheduleRequest, seen: ListedSchedule, entry: LedgerEntry | None, now: datetime, trusted: bool = False
) -> tuple[Action | None, str | None]:
    """A desired schedule that is listed (or, ``trusted``, in the ledger): update it if anything says it differs."""
    if trusted and passed(want.request, now):
        return None, None  # a one-shot in the ledger whose time passed: fired and deleted by EventBridge
    if entry is None:
        reason = UNKNOWN
    elif entry.last_modified is None:
        reason = UNCONFIRMED
    elif entry.spec_hash != want.written_hash:
        reason = _changed_reason(want, seen, entry)
    elif entry.last_modified != seen.last_modified:
        reason = DRIFT_CHANGED
    else:
        return None, None
    request, warning = dated(want, now)
    if request is None:
        return None, warning
    return Update(want.job_id, want.name, want.written_hash, request, reason), None


def _finished_jobs(desired: Sequence[ScheduleRequest], exhausted: Mapping[str, str]) -> set[str]:
    """Jobs whose exhausted marker names the current spec of any of their schedules.

    Exhaustion belongs to the job: a split cron (``0 9 1 * MON``) or ``daily 07:00,13:30`` has
    one schedule per part, and the marker holds the spec hash of the part that fired last.
    """
    return {r.job_id for r in desired if exhausted.get(r.job_id) == r.spec_hash}


def _written_with_another_spec(want: ScheduleRequest, entry: LedgerEntry | None) -> bool:
    """The ledger shows ``want``'s schedule last written with another spec (a delete intent shows none)."""
    spec = entry.spec_hash.partition(KEY_SEPARATOR)[0] if entry else ""
    return bool(spec) and spec != want.spec_hash


def _paused_jobs(
    desired: Sequence[ScheduleRequest], paused: Mapping[str, str], ledger: Mapping[str, LedgerEntry]
) -> set[str]:
    """Jobs the audit paused after failures, by the same rule as :func:`_finished_jobs`: left alone.

    Not when one of their schedules was written with another spec since the pause: an edit
    resumed the job, and an edit back to the paused spec must be written, not left undone.
    """
    named = {r.job_id for r in desired if paused.get(r.job_id) == r.spec_hash}
    lifted = {r.job_id for r in desired if r.job_id in named and _written_with_another_spec(r, ledger.get(r.name))}
    return named - lifted


def _orphans(names: set[str], ledger: Mapping[str, LedgerEntry], group: str) -> list[Delete]:
    """Delete every listed schedule no job wants, in name order."""
    deletes = []
    for name in sorted(names):
        entry = ledger.get(name)
        deletes.append(Delete(entry.job_id if entry else None, name, {"Name": name, "GroupName": group}, ORPHAN))
    return deletes


def _wanted(
    want: ScheduleRequest,
    seen: ListedSchedule | None,
    entry: LedgerEntry | None,
    now: datetime,
    grace: float,
    trusted: bool,
) -> tuple[Action | None, str | None]:
    """The action (or warning) for one desired schedule of a job that neither finished nor is paused."""
    return _missing(want, entry, now, grace) if seen is None else _present(want, seen, entry, now, trusted)


def plan(
    desired: Sequence[ScheduleRequest],
    actual: Sequence[ListedSchedule],
    ledger: Mapping[str, LedgerEntry],
    now: datetime,
    *,
    exhausted: Mapping[str, str] | None = None,
    paused: Mapping[str, str] | None = None,
    group: str = "",
    grace: float = 0.0,
    trusted: bool = False,
) -> Plan:
    """Plan the create/update/delete actions that make ``actual`` match ``desired``.

    ``trusted``: ``actual`` was made from the ledger (see :func:`plan_from_ledger`).
    """
    listed = {s.name: s for s in actual}
    wanted = {r.name: r for r in desired}
    actions: list[Action] = []
    warnings: list[str] = []
    finished = _finished_jobs(desired, exhausted or {})
    held = _paused_jobs(desired, paused or {}, ledger) - finished
    gone: set[str] = set()  # a finished job's schedules: the entries of those not listed are forgotten
    for want in desired:
        if want.job_id in finished:  # finished on purpose (max_runs / gone / end_at / one-shot): never recreate
            if want.name in listed:  # the fire path could not delete it (or, from the ledger, may have): do it
                actions.append(Delete(want.job_id, want.name, {"Name": want.name, "GroupName": group}, EXHAUSTED))
            gone.add(want.name)
            continue
        if want.job_id in held:  # paused after failures: the audit disabled it, ``resume`` lifts the pause
            continue
        action, warning = _wanted(want, listed.get(want.name), ledger.get(want.name), now, grace, trusted)
        warnings.extend([warning] if warning else [])
        actions.extend([action] if action else [])
    actions.extend(_orphans(listed.keys() - wanted.keys(), ledger, group))
    forget = tuple(sorted(n for n in ledger if n not in listed and (n not in wanted or n in gone)))
    return Plan(tuple(actions), tuple(warnings), forget, len(actual))


def plan_from_ledger(
    desired: Sequence[ScheduleRequest],
    ledger: Mapping[str, LedgerEntry],
    now: datetime,
    *,
    exhausted: Mapping[str, str] | None = None,
    paused: Mapping[str, str] | None = None,
    group: str = "",
    grace: float = 0.0,
) -> Plan:
    """Plan against what reconcile last applied (no ListSchedules): an upload's plan.

    Each entry stands for its schedule as written, in the State it recorded. An unconfirmed
    entry (an intent, or a write not yet confirmed) vouches for nothing and is re-applied.
    A finished job's entry is deleted (a schedule EventBridge already removed is deleted all
    the same: the delete is idempotent), which forgets it.
    """
    actual = [ListedSchedule(e.name, e.state, e.last_modified or "") for e in ledger.values()]
    return plan(
        desired, actual, ledger, now, exhausted=exhausted, paused=paused, group=group, grace=grace, trusted=True
    )


def check_guard(result: Plan, max_share: float, allowed: bool) -> None:
    """Raise MassDeleteRefused when ``result`` deletes more than ``max_share`` of the group.

    A finished job's delete counts neither as a delete nor in the group: the fire path's marker
    decided it, not the file, and its schedule is usually gone already (EventBridge deletes a
    fired one-shot; the fire path deletes an exhausted job's schedule).
    """
    deletes = result.of(Delete)
    finished = sum(a.reason == EXHAUSTED for a in deletes)
    doomed, total = len(deletes) - finished, result.total - finished
    if doomed and not allowed and doomed > max_share * total:
        raise MassDeleteRefused(doomed, total, max_share)
