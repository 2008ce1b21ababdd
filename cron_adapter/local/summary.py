"""The machine-readable result of a dev session (``cron-adapter dev --output json``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from cron_adapter.local.journal import Journal
from cron_adapter.local.simclock import SimClock
from cron_adapter.local.target import TargetCall
from cron_adapter.tablekeys import JOB_PREFIX


def _by_job(pairs: list[tuple[str, str]]) -> dict[str, dict[str, int]]:
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for job_id, key in pairs:
        out[job_id][key] += 1
    return {job: dict(sorted(c.items())) for job, c in sorted(out.items())}


def build_summary(
    journal: Journal, runs: list[dict[str, Any]], calls: list[TargetCall], clock: SimClock, *, reconciles: int
) -> dict[str, Any]:
    """Fires per job, deliveries, duplicates deduped, runs by status, target calls, reconcile actions."""
    counts = journal.counts
    per_key = Counter(c.idempotency_key for c in calls if c.verified and c.idempotency_key)
    _, notes = journal.recent(len(journal.notes))
    return {
        "now": clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "speed": clock.speed,
        "fires": dict(sorted(journal.fires_by_job.items())),
        "deliveries": {k.removeprefix("deliveries."): v for k, v in counts.items() if k.startswith("deliveries.")},
        "duplicates_deduped": counts["outcome.duplicate"],
        "handler_errors": counts["outcome.error"],
        "runs_by_status": dict(sorted(Counter(str(r.get("status")) for r in runs).items())),
        "runs_by_job": _by_job([(str(r.get("pk", "")).removeprefix(JOB_PREFIX), str(r.get("status"))) for r in runs]),
        "target_calls": {
            "total": len(calls),
            "refused": sum(not c.verified for c in calls),
            "by_job": _by_job([(c.job_id or "?", str(c.status)) for c in calls]),
            "max_calls_per_idempotency_key": max(per_key.values(), default=0),
        },
        "reconcile": {"runs": reconciles, "actions": dict(journal.reconcile_actions)},
        "schedule_changes": [n.text for n in notes if n.kind == "schedule"],
        "errors": [n.text for n in notes if n.kind == "error"],
        "warnings": [n.text for n in notes if n.kind in ("warning", "info")],
    }
