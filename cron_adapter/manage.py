"""Manage jobs from Python: the operations of ``cron-adapter jobs``, for platforms.

The job store in S3 stays the only desired state: every call reads it, changes exactly
one job, validates the result as ``push`` would and writes it back with an S3
conditional write (``If-Match`` on the ETag), retrying lost races against the fresh
store. The reconcile Lambda then applies the new version as after any upload::

    from cron_adapter.manage import JobsClient

    jobs = JobsClient("my-cron-adapter-jobs")          # key jobs.json, group cron-adapter
    jobs.add({"id": "nightly", "schedule": "daily 03:00",
              "target": {"url": "https://app.example.com/nightly"}})
    change = jobs.pause("nightly")                     # the live schedules stop at once too
    print(change.etag, [s.after for s in change.live])
    jobs.resume("nightly"); jobs.remove("nightly")

With ``table=`` (the deployment's table), ``resume`` also lifts a pause the auditor made
after a failure streak (``pause_after_failures``), through :func:`lift_failure_pause`, the
code ``cron-adapter resume`` runs too.

Refusals raise (nothing is written): ``UnknownJob``, ``DuplicateJob``, ``InvalidJobsFile``
(an invalid field, naming job and field), ``StoreNotEditable`` (a hermes store, a pause in
a sidecar list) and ``EditConflict`` (every retry lost the race), all ``JobEditError``
or ``CronAdapterError`` from ``cron_adapter.errors``. Clients are created lazily from the
standard AWS environment, or passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from cron_adapter import constants as c
from cron_adapter.adapters.jobs_object import S3JobsObject
from cron_adapter.adapters.runs import DynamoRunStore
from cron_adapter.adapters.schedule_state import LiveState, set_state
from cron_adapter.adapters.scheduler import SchedulerAdapter
from cron_adapter.errors import UnknownJob
from cron_adapter.jobs import edit
from cron_adapter.jobs.commit import DEFAULT_ATTEMPTS, Committed, commit
from cron_adapter.jobs.edit import Edited, StoreOptions
from cron_adapter.jobs.model import Job, JobSet
from cron_adapter.ops.status import schedule_names

__all__ = ["Change", "JobsClient", "LiveState", "Snapshot", "StoreOptions", "lift_failure_pause"]


@dataclass(frozen=True)
class Snapshot:
    """The store as read: its validated jobs, each job as written, and its ETag."""

    jobset: JobSet
    written: dict[str, Any]
    etag: str
    source: str = "the store"

    def job(self, job_id: str) -> Job:
        """The resolved job ``job_id``; UnknownJob if the store has none."""
        found = next((j for j in self.jobset.jobs if j.id == job_id), None)
        if found is None:
            raise UnknownJob(job_id, self.source)
        return found


@dataclass(frozen=True)
class Change:
    """One committed edit: what was done, the store's new ETag/version, the live schedules."""

    action: str  # added | removed | paused | resumed
    job_id: str
    committed: Committed
    live: tuple[LiveState, ...] = ()
    failure_pause_lifted: bool = False  # resume: the auditor's pause after failures was lifted

    @property
    def etag(self) -> str:
        """The store's ETag after the edit (the reconcile's status is keyed by it)."""
        return self.committed.etag

    @property
    def version_id(self) -> str | None:
        """The new object version (None when the bucket is unversioned or nothing changed)."""
        return self.committed.version_id

    @property
    def changed(self) -> bool:
        """False when the store already said so and nothing was written."""
        return self.committed.changed


class JobsClient:
    """The jobs of one store (bucket + key) and the schedule group they run in."""

    def __init__(
        self,
        bucket: str,
        key: str = c.DEFAULT_JOBS_KEY,
        *,
        group: str = c.DEFAULT_GROUP,
        options: StoreOptions | None = None,
        s3: Any = None,
        scheduler: Any = None,
        attempts: int = DEFAULT_ATTEMPTS,
        table: str | None = None,
        dynamodb: Any = None,
    ) -> None:
        self.store = S3JobsObject(bucket, key, s3)
        self.schedules = SchedulerAdapter(group, scheduler)
        self.runs = DynamoRunStore(table, dynamodb) if table else None  # where the auditor's pauses live
        self.options = options or StoreOptions(source=f"s3://{bucket}/{key}")
        self.attempts = attempts

    def read(self) -> Snapshot:
        """The store's current jobs (InvalidJobsFile if the store is invalid)."""
        got = self.store.fetch()
        jobset = self._options(got.timezone).load(got.data)
        return Snapshot(jobset, edit.as_written(got.data, jobset.format), got.etag, self.options.source)

    def list(self) -> tuple[Job, ...]:
        """Every job of the store, resolved."""
        return self.read().jobset.jobs

    def get(self, job_id: str) -> Job:
        """One job, resolved; UnknownJob if absent."""
        return self.read().job(job_id)

    def add(self, job: dict[str, Any]) -> Change:
        """Add a job given as native jobs.json fields; creates the store if the key is absent."""
        job_id = str(job.get("id") or "")
        return self._commit(
            "added",
            job_id,
            lambda data, zone: edit.add(data or edit.empty_store(self.options), job, self._options(zone)),
        )

    def remove(self, job_id: str) -> Change:
        """Remove a job; the reconcile deletes its schedules."""
        return self._commit(
            "removed", job_id, lambda data, zone: edit.remove(self._need(data, job_id), job_id, self._options(zone))
        )

    def pause(self, job_id: str) -> Change:
        """Record ``"enabled": false`` and disable the job's live schedules now."""
        return self._toggle(job_id, enabled=False)

    def resume(self, job_id: str) -> Change:
        """Drop the pause from the store, enable the live schedules now, lift a failure pause (with ``table``)."""
        change = self._toggle(job_id, enabled=True)
        job = change.committed.edited.job
        if self.runs is None or job is None:
            return change
        lifted = lift_failure_pause(self.runs, self.schedules, job)
        return replace(change, failure_pause_lifted=lifted is not None)

    def live(self, job_id: str) -> tuple[LiveState, ...]:
        """The live State of each schedule of the job (None: not created yet)."""
        names = schedule_names(self.read().job(job_id))
        out = []
        for name in names:
            got = self.schedules.get_schedule(name)
            state = got.get("State") if got else None
            out.append(LiveState(name, state, state))
        return tuple(out)

    def _toggle(self, job_id: str, *, enabled: bool) -> Change:
        action = "resumed" if enabled else "paused"
        change = self._commit(
            action,
            job_id,
            lambda data, zone: edit.set_enabled(self._need(data, job_id), job_id, enabled, self._options(zone)),
        )
        # After the store records it, so a reconcile running meanwhile agrees with the live state.
        state = "ENABLED" if enabled else "DISABLED"
        job = change.committed.edited.job
        live = set_state(self.schedules, schedule_names(job), state) if job else []
        return Change(action, job_id, change.committed, tuple(live))

    def _options(self, uploaded_timezone: str | None) -> StoreOptions:
        """The store options, with the timezone uploaded with the store first, as reconcile reads it."""
        return replace(self.options, timezone=uploaded_timezone or self.options.timezone)

    def _commit(self, action: str, job_id: str, change: Callable[[bytes | None, str | None], Edited]) -> Change:
        committed = commit(self.store, change, job_id, attempts=self.attempts)
        return Change(action, job_id, committed)

    def _need(self, data: bytes | None, job_id: str) -> bytes:
        if data is None:
            raise UnknownJob(job_id, f"{self.options.source} (it does not exist)")
        return data


def lift_failure_pause(runs: DynamoRunStore, schedules: SchedulerAdapter, job: Job) -> list[LiveState] | None:
    """Remove the auditor's ``paused_after_failures`` marker and enable the job's schedules.

    None when the job was not paused after failures (a job stopped on purpose, by
    ``max_runs`` or ``end_at``, keeps its marker). The streak counts again from zero: the
    failures before the pause are older than the streak's reset point the pause recorded.
    A job the jobs file disables keeps its schedules disabled.
    """
    if not runs.resume(job.id):
        return None
    return set_state(schedules, schedule_names(job), "ENABLED") if job.enabled else []
