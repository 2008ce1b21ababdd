"""The exception tree of cron-adapter.

Every error the library raises derives from :class:`CronAdapterError`; subclasses carry
the data an operator needs (job id, field, fix) so handlers turn them into outcomes only
at the edge::

    CronAdapterError
    ├── InvalidJobsFile          a jobs file refused whole (carries every Problem found)
    ├── ScheduleError            one schedule string that cannot be scheduled
    ├── SettingsError            a missing or empty environment setting
    ├── UsageError               a command-line argument that cannot be used (the CLI's exit 2)
    ├── AwsUnavailable           AWS cannot be used: no region/credentials, unreachable, denied, missing resource
    ├── SecretError              the shared secret is missing, too short or unreadable
    ├── FireInputRefused         a fire event malformed, unsigned, altered or out of its time window (nothing is called)
    ├── ClaimError               the claim store failed (not a lost race)
    │   ├── ClaimConflict        another delivery holds / finished this (job, time)
    │   └── ClaimReleased        a won claim was given back untried, for redelivery
    ├── TargetError              the HTTP target call failed
    │   ├── TargetRefused        the URL is not allowed (scheme, link-local, metadata)
    │   ├── TargetTimeout        no response within the job's timeout
    │   ├── TargetUnreachable    connection refused, DNS failure, TLS failure
    │   │   └── TargetConnectFailed  no connection to one address: nothing was sent
    │   └── TargetHTTPError      a non-2xx response (carries status, retry_after)
    ├── JobEditError             a job-management edit was refused (nothing was written)
    │   ├── UnknownJob           no job with this id in the store
    │   ├── DuplicateJob         the store already has a job with this id
    │   ├── StoreNotEditable     the store's format cannot hold this edit (hermes-managed, sidecar pause)
    │   ├── StoreChanged         the store changed since it was read (one lost conditional write)
    │   └── EditConflict         the store kept changing: every retry lost the race
    ├── PlotUnavailable          simulate --plot cannot draw (no matplotlib, or not .png/.svg)
    ├── InstallError             the hermes plugin cannot be installed as asked (names the fix)
    └── ReconcileError           reconcile could not converge
        ├── LockHeld             another reconcile holds the lease
        ├── LockMoved            another reconcile applied between our plan and our lock
        ├── NoJobsFile           the jobs object does not exist (nothing is changed)
        ├── MassDeleteRefused    the plan deletes too large a share of the group
        └── DeadlineReached      the run stopped before the Lambda deadline; resumable

    InjectedCrash                (not a CronAdapterError) a test's crash hook fired inside apply
"""

from __future__ import annotations

import msgspec


class CronAdapterError(Exception):
    """Base of every cron-adapter error."""


class Problem(msgspec.Struct, frozen=True):
    """One thing wrong in a jobs file: which job, which field, what, and the fix."""

    job_id: str | None
    field: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        job = self.job_id
        if job is not None and len(job) > 80:  # a 10,000-character id must not make a 10,000-character line
            job = f"{job[:60]}... ({len(job)} characters)"
        where = f"job {job!r}" if job is not None else "file"
        text = f"{where}, field {self.field!r}: {self.message}"
        return f"{text} (fix: {self.fix})" if self.fix else text


class InvalidJobsFile(CronAdapterError):
    """A jobs file failed validation; nothing in it may be applied."""

    LISTED = 50  # the message lists this many; ``problems`` holds them all

    def __init__(self, problems: list[Problem], source: str = "jobs file") -> None:
        self.problems = list(problems)
        self.source = source
        lines = [f"  - {p}" for p in self.problems[: self.LISTED]]
        if len(self.problems) > self.LISTED:
            lines.append(f"  ... and {len(self.problems) - self.LISTED} more")
        super().__init__(f"{source} is invalid ({len(self.problems)} problem(s)):\n" + "\n".join(lines))


class ScheduleError(CronAdapterError):
    """A schedule string that cannot be scheduled; ``fix`` says what to write instead."""

    def __init__(self, message: str, fix: str = "", field: str = "schedule") -> None:
        self.message = message
        self.fix = fix
        self.field = field
        super().__init__(f"{message} (fix: {fix})" if fix else message)


class SettingsError(CronAdapterError):
    """An environment setting is missing, empty or malformed."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        self.detail = message
        super().__init__(f"setting {name}: {message}")


class UsageError(CronAdapterError):
    """A command-line argument that cannot be used; the message names the flag and the fix."""


class AwsUnavailable(CronAdapterError):
    """AWS cannot be used as configured; ``cause`` names what, ``fix`` what to do (the CLI's exit 6)."""

    def __init__(self, cause: str, fix: str) -> None:
        self.cause = cause
        self.fix = fix
        super().__init__(f"{cause}; fix: {fix}")


class SecretError(CronAdapterError):
    """The shared secret cannot be used (never carries the secret itself)."""


class ClaimError(CronAdapterError):
    """The claim store failed for a reason other than a lost race."""


class FireInputRefused(CronAdapterError):
    """A fire event was refused before anything was called.

    ``reason`` is malformed | unsigned | forged | no-key | out-of-window (a scheduled time
    no real delivery names now).
    """

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(detail)


class ClaimReleased(ClaimError):
    """A won claim was released without any attempt (no time left); the delivery should fail and be retried."""


class ClaimConflict(ClaimError):
    """Another delivery already claimed or finished this (job, scheduled time)."""

    def __init__(
        self,
        job_id: str,
        scheduled_time: str,
        holder: str | None,
        status: str | None,
        lease_until: float | None = None,
    ) -> None:
        self.job_id = job_id
        self.scheduled_time = scheduled_time
        self.holder = holder
        self.status = status
        self.lease_until = lease_until  # epoch seconds; a "claimed" run past it may be taken over
        super().__init__(
            f"job {job_id!r} at {scheduled_time} is already {status or 'claimed'} by {holder or 'another delivery'}"
        )


class TargetError(CronAdapterError):
    """The target call failed."""


class TargetRefused(TargetError):
    """The target URL is not allowed (plain http off loopback, link-local, metadata)."""


class TargetTimeout(TargetError):
    """The target did not answer within the job's timeout."""


class TargetUnreachable(TargetError):
    """The target could not be reached (connection, DNS or TLS failure)."""


class TargetConnectFailed(TargetUnreachable):
    """No connection could be opened to one address, so nothing was sent (safe to try another)."""


class TargetHTTPError(TargetError):
    """The target answered with a non-2xx status."""

    def __init__(self, status: int, retry_after: float | None = None, detail: str = "") -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"target answered HTTP {status}" + (f": {detail}" if detail else ""))


class JobEditError(CronAdapterError):
    """An edit of the job store was refused; the store is unchanged."""


class UnknownJob(JobEditError):
    """No job with this id in the store."""

    def __init__(self, job_id: str, source: str = "the store") -> None:
        self.job_id = job_id
        super().__init__(f"job {job_id!r}: no such job in {source} (fix: `cron-adapter jobs list` shows the ids)")


class DuplicateJob(JobEditError):
    """The store already has a job with this id."""

    def __init__(self, job_id: str, source: str = "the store") -> None:
        self.job_id = job_id
        super().__init__(
            f"job {job_id!r}: {source} already has a job with this id (fix: pick another id, or remove it first)"
        )


class StoreNotEditable(JobEditError):
    """The store's format cannot hold this edit (a hermes store, a pause in a sidecar list)."""


class StoreChanged(JobEditError):
    """The store's ETag moved between our read and our conditional write."""


class EditConflict(JobEditError):
    """Every attempt lost the race against other writers; nothing of this edit was written."""

    def __init__(self, job_id: str, attempts: int) -> None:
        self.job_id = job_id
        self.attempts = attempts
        super().__init__(
            f"job {job_id!r}: the store changed under each of {attempts} attempts; nothing was written "
            "(fix: retry the command; another writer is editing the store)"
        )


class InstallError(CronAdapterError):
    """The hermes plugin cannot be installed as asked (the message names the fix)."""


class PlotUnavailable(CronAdapterError):
    """``simulate --plot`` cannot draw: matplotlib is missing, or the file is not .png or .svg."""


class ReconcileError(CronAdapterError):
    """Reconcile could not converge."""


class LockHeld(ReconcileError):
    """Another reconcile holds the lease; this run must not apply anything."""

    def __init__(self, holder: str, expires_at: str) -> None:
        self.holder = holder
        self.expires_at = expires_at
        super().__init__(f"another reconcile ({holder}) holds the lock until {expires_at}")


class MassDeleteRefused(ReconcileError):
    """The plan would delete more than the allowed share of the schedule group."""

    def __init__(self, deletes: int, total: int, max_share: float) -> None:
        self.deletes = deletes
        self.total = total
        self.max_share = max_share
        super().__init__(
            f"plan deletes {deletes} of {total} schedules, more than the allowed {max_share:.0%}; "
            'fix: check the jobs file, or allow it with "allow_mass_delete": true in the file '
            "or --allow-mass-delete on the CLI"
        )


class DeadlineReached(ReconcileError):
    """The run stopped early to respect the Lambda deadline; progress is kept."""


class LockMoved(ReconcileError):
    """Another reconcile applied between our plan and our lock: plan again."""


class NoJobsFile(ReconcileError):
    """The jobs object does not exist (nothing is changed: deleting it is not "delete all")."""


class InjectedCrash(Exception):
    """Raised out of apply when a test's crash hook fired (the lock is NOT released).

    Deliberately not a CronAdapterError: nothing in the library may treat it as expected.
    """
