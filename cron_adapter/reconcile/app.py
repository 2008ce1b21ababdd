"""Reconcile wired to its settings: the jobs file in S3, the group, the table.

This is the entry point the Lambda handler and ``cron-adapter dev`` call (built by
``cron_adapter.bootstrap.reconcile``)::

    app = build_reconcile_app(ReconcileSettings.from_env())
    outcome = app.run(Trigger("upload"), remaining=lambda: 600.0)

It always reads the jobs object's *current* version (GetObject without VersionId), turns
every expected failure into an ``Outcome`` and, for uploads, records the outcome as a
status item keyed by :func:`status_key` (``cron-adapter push --wait`` polls it): the
object's version id when the bucket is versioned (the stack's is), so pushing file A, then
B, then A again can never be matched to the first A's result; else its ETag.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any

from cron_adapter.errors import InvalidJobsFile, LockHeld, MassDeleteRefused, NoJobsFile, Problem
from cron_adapter.fire.inputsig import InputKey
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.jobs.model import JobSet
from cron_adapter.reconcile.ports import JobsSource, LedgerPort, SchedulerPort
from cron_adapter.reconcile.service import Options, Reconciler
from cron_adapter.reconcile.translate import Wiring
from cron_adapter.reconcile.triggers import Trigger
from cron_adapter.reconcile.unscheduled import newly_unscheduled
from cron_adapter.reconcile_settings import ReconcileSettings


def status_key(etag: str, version_id: str | None) -> str:
    """The status item's key for one upload: its version id when versioned, else its ETag."""
    return f"version#{version_id}" if version_id else etag


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
    version_id: str | None = None
    unscheduled: tuple[Problem, ...] = ()  # hermes jobs left out: the handler logs each
    new_unscheduled: int = 0  # of those, the ones the last reconcile did not leave out: JobUnscheduled

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly, bounded form: the handler's return value, its log line and the status item.

        A file refused for 5,000 problems must still fit one DynamoDB item (400 KB) and one
        log event (256 KB): the first MAX_LINES lines of each list are kept, each cut to
        MAX_LINE_CHARS, with a closing line that counts the rest; ``*_count`` hold the totals.
        """
        out = {f.name: getattr(self, f.name) for f in fields(self)}  # shallow: each list is rebuilt below
        out["counts"] = dict(self.counts)
        for name in ("problems", "warnings", "failed"):
            lines: tuple[str, ...] = getattr(self, name)
            out[name] = _bounded(lines)
            out[f"{name}_count"] = len(lines)
        out["detail"] = _cut(self.detail, MAX_DETAIL_CHARS)
        out["unscheduled"] = [
            {"job_id": _cut(p.job_id or "", MAX_LINE_CHARS), "reason": _cut(p.message, MAX_LINE_CHARS)}
            for p in self.unscheduled[:MAX_LINES]
        ]
        out["unscheduled_count"] = len(self.unscheduled)
        return out


MAX_LINES = 50
MAX_LINE_CHARS = 500
MAX_DETAIL_CHARS = 2000


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _bounded(lines: tuple[str, ...]) -> list[str]:
    kept = [_cut(line, MAX_LINE_CHARS) for line in lines[:MAX_LINES]]
    if len(lines) > MAX_LINES:
        kept.append(f"... and {len(lines) - MAX_LINES} more (run `cron-adapter validate` on the file to see all)")
    return kept


class ReconcileApp:
    """The reconcile service over its three ports; ``bootstrap.reconcile`` builds it."""

    def __init__(
        self,
        settings: ReconcileSettings,
        *,
        scheduler: SchedulerPort,
        ledger: LedgerPort,
        source: JobsSource,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        signing_key: Callable[[], InputKey] | None = None,
    ) -> None:
        s = settings
        self.settings = s
        self.scheduler, self.ledger, self.source = scheduler, ledger, source
        self.wiring = Wiring(s.group, s.fire_arn, s.role_arn, s.dlq_arn)
        self.clock = clock
        self.signing_key = signing_key  # read on each run (cached by the adapter); None: inputs unsigned

    def _reconciler(
        self, trigger: Trigger, remaining: Callable[[], float] | None, options: dict[str, Any]
    ) -> Reconciler:
        wiring = self.wiring if self.signing_key is None else replace(self.wiring, key=self.signing_key())
        return Reconciler(
            self.scheduler,
            self.ledger,
            wiring,
            clock=self.clock,
            remaining=remaining,
            options=Options(
                max_delete_share=self.settings.max_delete_share,
                create_grace_seconds=self.settings.create_grace_seconds,
                # An upload plans against the ledger (calls grow with its changes); the
                # periodic drift repair lists the group, which is what finds drift.
                from_ledger=trigger.kind == "upload",
                **options,
            ),
        )

    def _loader(self, seen: dict[str, Any]) -> Callable[[], JobSet]:
        s = self.settings

        def load() -> JobSet:
            got = self.source.fetch()
            seen["etag"] = got.etag
            if got.version_id:
                seen["version_id"] = got.version_id
            # The zone uploaded with the store (hermes's own) wins over the stack's default.
            jobset = load_bytes(
                got.data,
                format=s.store_format,
                timezone=got.timezone or s.store_timezone,
                base_url=s.base_url,
                source=f"s3://{s.bucket}/{s.jobs_key}",
            )
            seen["unscheduled"], seen["format"] = jobset.unscheduled, jobset.format
            return jobset

        return load

    def run(self, trigger: Trigger, remaining: Callable[[], float] | None = None, **options: Any) -> Outcome:
        """Reconcile once; expected failures become an Outcome, others are recorded then raised."""
        seen: dict[str, Any] = {}
        try:
            reconciler = self._reconciler(trigger, remaining, options)  # an unreadable key fails the run, recorded
            outcome = self._outcome(trigger, reconciler.run(self._loader(seen)), seen)
            outcome = self._count_new_unscheduled(outcome, seen)
        except InvalidJobsFile as exc:
            outcome = Outcome("rejected", trigger.kind, seen.get("etag"), problems=tuple(str(p) for p in exc.problems))
        except MassDeleteRefused as exc:
            outcome = Outcome("refused", trigger.kind, seen.get("etag"), detail=str(exc))
        except (LockHeld, NoJobsFile) as exc:
            status = "contended" if isinstance(exc, LockHeld) else "no-jobs-file"
            outcome = Outcome(status, trigger.kind, seen.get("etag"), detail=str(exc))
        except Exception as exc:
            detail = f"{type(exc).__name__}: {exc}"
            failed = Outcome("failed", trigger.kind, seen.get("etag"), detail=detail, version_id=seen.get("version_id"))
            self._record(trigger, failed)
            raise
        outcome = replace(outcome, version_id=seen.get("version_id"))
        self._record(trigger, outcome)
        return outcome

    @staticmethod
    def _outcome(trigger: Trigger, result: Any, seen: dict[str, Any]) -> Outcome:
        failed = tuple(f"{a.action} {a.name}: {why}" for a, why in result.failed)
        return Outcome(
            status=result.status,
            trigger=trigger.kind,
            etag=seen.get("etag"),
            counts=dict(result.counts),
            warnings=tuple(result.plan.warnings),
            failed=failed,
            detail=f"{result.skipped} action(s) left for the next run" if result.skipped else "",
            unscheduled=seen.get("unscheduled", ()),
        )

    def _count_new_unscheduled(self, outcome: Outcome, seen: dict[str, Any]) -> Outcome:
        """Count the jobs newly left unscheduled; remember the list when it changed (0-1 writes)."""
        if seen.get("format") != "hermes" and not outcome.unscheduled:
            return outcome  # only a hermes store leaves jobs out: no read for the rest
        remembered = self.ledger.unscheduled()
        new, keep = newly_unscheduled(remembered, (p.job_id or "" for p in outcome.unscheduled))
        if keep != remembered:
            self.ledger.put_unscheduled(keep)
        return replace(outcome, new_unscheduled=len(new))

    def _record(self, trigger: Trigger, outcome: Outcome) -> None:
        """Store the outcome for ``push --wait`` (uploads only: drift repair writes nothing)."""
        if trigger.kind == "upload" and outcome.etag:
            key = status_key(outcome.etag, outcome.version_id)
            self.ledger.put_status(key, outcome.as_dict(), self.clock().timestamp())
