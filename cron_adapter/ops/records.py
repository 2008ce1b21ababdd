"""Run records and job markers as the operations code sees them (plain values, no boto3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cron_adapter.fire.input import split_run_id

# A record with one of these statuses means the fire path handled the time (even if it
# failed, was skipped by the overlap policy or is running): the audit does not flag it.
HANDLED = frozenset({"succeeded", "accepted", "failed", "gone", "skipped", "queued", "lost", "missed"})
FAILED = "failed"
# Statuses that end a failure streak: the target answered, or accepted the run.
SUCCESS = frozenset({"succeeded", "accepted"})
PAUSE_REASON = "paused_after_failures"


@dataclass(frozen=True)
class RunRecord:
    """One ``RUN#`` item: ``run`` is its key (a scheduled time, or ``<time>~<label>``)."""

    job_id: str
    run: str
    status: str
    attempts: int = 0
    http_status: int | None = None
    duration_ms: int | None = None
    error: str | None = None
    finished_at: str | None = None
    holder: str | None = None
    lease_until: float | None = None
    spec_hash: str | None = None
    catch_up_at: float | None = None

    @property
    def scheduled(self) -> datetime:
        """The scheduled time (UTC) the run belongs to."""
        return split_run_id(self.run)[0]

    @property
    def label(self) -> str | None:
        """``trigger-…`` or ``catch-up`` for runs not delivered by EventBridge, else None."""
        return split_run_id(self.run)[1]

    def stale(self, now: float) -> bool:
        """A claim whose lease has expired with no outcome: the claimer crashed."""
        return self.status == "claimed" and self.lease_until is not None and self.lease_until < now


@dataclass(frozen=True)
class Marker:
    """An ``EXHAUSTED`` item: the job stopped on purpose (max_runs, end_at, one-shot, paused)."""

    job_id: str
    reason: str
    at: str = ""
    spec_hash: str = ""

    @property
    def paused(self) -> bool:
        """True for a pause after a failure streak (``resume`` lifts it)."""
        return self.reason == PAUSE_REASON


@dataclass(frozen=True)
class JobState:
    """The parts of the job's ``STATE`` item operations read."""

    runs: int = 0
    streak_from: str | None = None  # run key: failures at or before it no longer count
    last_run: str | None = None
    last_status: str | None = None


def current_marker(marker: Marker | None, spec_hashes: frozenset[str]) -> Marker | None:
    """``marker`` if it still applies: it names one of the job's current specs (or none known).

    An edit re-arms a finished or paused job (reconcile plans it again), but leaves the old
    marker in the table; judged by it, the audit would expect no fires and never pause.
    """
    if marker is None or not marker.spec_hash or not spec_hashes or marker.spec_hash in spec_hashes:
        return marker
    return None
