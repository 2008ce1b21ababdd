"""The planner's values: what it reads (listed schedules, ledger entries) and the ``Plan`` it returns.

Pure: frozen dataclasses only. The planner (:mod:`cron_adapter.reconcile.planner`) decides;
the apply shell, the renderer and the adapters speak in these values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ListedSchedule:
    """One schedule as ListSchedules shows it (no expression, no input)."""

    name: str
    state: str | None
    last_modified: str


@dataclass(frozen=True)
class LedgerEntry:
    """What the adapter last wrote: spec hash, and LastModificationDate seen after it."""

    name: str
    job_id: str
    spec_hash: str  # ScheduleRequest.written_hash: the spec hash and the signing key's id
    last_modified: str | None  # None: an intent, or written but not yet confirmed by a read
    state: str | None = None  # the State written (ENABLED/DISABLED); None: unknown (an older entry)


@dataclass(frozen=True)
class JobMarkers:
    """The ``EXHAUSTED`` partition as reconcile reads it: job id -> the spec hash each marker names."""

    finished: Mapping[str, str] = field(default_factory=dict)  # the fire path: max_runs, end_at, one-shot, gone
    paused: Mapping[str, str] = field(default_factory=dict)  # the audit: paused_after_failures


@dataclass(frozen=True)
class _Write:
    """What a create and an update carry: the full request, and why it is written."""

    job_id: str
    name: str
    spec_hash: str
    request: Mapping[str, Any]
    reason: str


@dataclass(frozen=True)
class Create(_Write):
    """Create a schedule (CreateSchedule)."""

    action: str = "create"


@dataclass(frozen=True)
class Update(_Write):
    """Replace a schedule (UpdateSchedule takes the full request)."""

    action: str = "update"


@dataclass(frozen=True)
class Delete:
    """Delete a schedule of the group."""

    job_id: str | None
    name: str
    request: Mapping[str, Any]
    reason: str
    action: str = "delete"


Action = Create | Update | Delete


@dataclass(frozen=True)
class Plan:
    """The actions that converge the group, ledger-only clean-ups, and warnings."""

    actions: tuple[Action, ...] = ()
    warnings: tuple[str, ...] = ()
    forget: tuple[str, ...] = field(default=())  # ledger entries of schedules gone for good
    total: int = 0  # schedules listed in the group

    def of(self, kind: type) -> tuple[Action, ...]:
        """The actions of one kind (Create, Update or Delete)."""
        return tuple(a for a in self.actions if isinstance(a, kind))

    @property
    def empty(self) -> bool:
        """True when nothing, not even the ledger, needs a write."""
        return not self.actions and not self.forget

    def summary(self) -> str:
        """``Plan: N to create, M to update, K to delete.``"""
        n, m, k = (len(self.of(t)) for t in (Create, Update, Delete))
        return f"Plan: {n} to create, {m} to update, {k} to delete."
