"""Reconcile wired to its settings: the jobs file in S3, the group, the table.

This is the entry point the Lambda handler and ``cron-adapter dev`` call::

    app = ReconcileApp.from_settings(ReconcileSettings.from_env())
    outcome = app.run(Trigger("upload"), remaining=lambda: 600.0)

It always reads the jobs object's *current* version (GetObject without VersionId), turns
every expected failure into an ``Outcome`` and, for uploads, records the outcome as a
status item keyed by the object's ETag (``cron-adapter push --wait`` polls it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from cron_adapter.adapters.ledger import Ledger
from cron_adapter.adapters.scheduler import SchedulerAdapter
from cron_adapter.errors import CronAdapterError, InvalidJobsFile, LockHeld, MassDeleteRefused
from cron_adapter.loader import load_bytes
from cron_adapter.model import JobSet
from cron_adapter.reconcile import Options, Reconciler
from cron_adapter.reconcile_events import Trigger
from cron_adapter.settings import ReconcileSettings
from cron_adapter.translate import Wiring


class NoJobsFile(CronAdapterError):
    """The jobs object does not exist (nothing is changed: deleting it is not "delete all")."""


@dataclass(frozen=True)
class Outcome:
    """What one reconcile did: status no-op|applied|partial|rejected|refused|contended|no-jobs-file|failed."""

    status: str
    trigger: str
    etag: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (the handler's return value and the status item)."""
        out = asdict(self)
        out.update(problems=list(self.problems), warnings=list(self.warnings), failed=list(self.failed))
        return out


class S3JobsSource:
    """The jobs file's current version in S3."""

    def __init__(self, bucket: str, key: str, client: Any = None) -> None:
        self.bucket, self.key, self._client = bucket, key, client

    @property
    def client(self) -> Any:
        """The S3 client, created on first use."""
        if self._client is None:
            import boto3

            self._client = boto3.client("s3")
        return self._client

    def fetch(self) -> tuple[bytes, str]:
        """(content, ETag) of the current version; NoJobsFile if absent."""
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self.key)
        except self.client.exceptions.NoSuchKey as exc:
            raise NoJobsFile(f"s3://{self.bucket}/{self.key} does not exist") from exc
        return got["Body"].read(), str(got.get("ETag", "")).strip('"')


class ReconcileApp:
    """The reconcile service built from settings, with adapters created once."""

    def __init__(self, settings: ReconcileSettings, *, scheduler: SchedulerAdapter | None = None,
                 ledger: Ledger | None = None, source: S3JobsSource | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        s = settings
        self.settings = s
        self.scheduler = scheduler or SchedulerAdapter(s.group, tps=s.scheduler_tps)
        self.ledger = ledger or Ledger(s.table, s.group)
        self.source = source or S3JobsSource(s.bucket, s.jobs_key)
        self.wiring = Wiring(s.group, s.fire_arn, s.role_arn, s.dlq_arn)
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: ReconcileSettings) -> ReconcileApp:
        """Build with lazily created boto3 clients (standard AWS environment)."""
        return cls(settings)

    def _loader(self, seen: dict[str, str]) -> Callable[[], JobSet]:
        s = self.settings

        def load() -> JobSet:
            data, seen["etag"] = self.source.fetch()
            return load_bytes(data, format=s.store_format, timezone=s.store_timezone, base_url=s.base_url,
                              source=f"s3://{s.bucket}/{s.jobs_key}")
        return load

    def run(self, trigger: Trigger, remaining: Callable[[], float] | None = None, **options: Any) -> Outcome:
        """Reconcile once; expected failures become an Outcome, others are recorded then raised."""
        seen: dict[str, str] = {}
        reconciler = Reconciler(self.scheduler, self.ledger, self.wiring, clock=self.clock, remaining=remaining,
                                options=Options(max_delete_share=self.settings.max_delete_share, **options))
        try:
            outcome = self._outcome(trigger, reconciler.run(self._loader(seen)), seen)
        except InvalidJobsFile as exc:
            outcome = Outcome("rejected", trigger.kind, seen.get("etag"), problems=tuple(str(p) for p in exc.problems))
        except MassDeleteRefused as exc:
            outcome = Outcome("refused", trigger.kind, seen.get("etag"), detail=str(exc))
        except (LockHeld, NoJobsFile) as exc:
            status = "contended" if isinstance(exc, LockHeld) else "no-jobs-file"
            outcome = Outcome(status, trigger.kind, seen.get("etag"), detail=str(exc))
        except Exception as exc:
            self._record(trigger, Outcome("failed", trigger.kind, seen.get("etag"), detail=f"{type(exc).__name__}: {exc}"))
            raise
        self._record(trigger, outcome)
        return outcome

    @staticmethod
    def _outcome(trigger: Trigger, result: Any, seen: dict[str, str]) -> Outcome:
        failed = tuple(f"{a.action} {a.name}: {why}" for a, why in result.failed)
        return Outcome(result.status, trigger.kind, seen.get("etag"), dict(result.counts), (),
                       tuple(result.plan.warnings), failed, f"{result.skipped} action(s) left for the next run"
                       if result.skipped else "")

    def _record(self, trigger: Trigger, outcome: Outcome) -> None:
        """Store the outcome for ``push --wait`` (uploads only: drift repair writes nothing)."""
        if trigger.kind == "upload" and outcome.etag:
            self.ledger.put_status(outcome.etag, outcome.as_dict(), self.clock().timestamp())
