"""How `cron-adapter jobs` prints jobs and changes, as text or as JSON."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from cron_adapter.jobs.model import Job
from cron_adapter.ops.status import schedule_names

if TYPE_CHECKING:
    from cron_adapter.manage import LiveState, Snapshot

_HEADINGS = ("ID", "STATE", "SCHEDULE", "TIMEZONE", "TARGET")


def resolved(job: Job) -> dict[str, Any]:
    """A resolved job as JSON-ready data (no secret ever lives in a job)."""
    out: dict[str, Any] = {
        "id": job.id,
        "enabled": job.enabled,
        "schedule": job.schedule,
        "timezone": job.timezone,
        "target": {"method": job.target.method, "url": job.target.url, "timeout": job.target.timeout},
    }
    if job.description:
        out["description"] = job.description
    if job.done:
        out["done"] = True
    return out


def state_word(job: Job) -> str:
    """enabled | paused | done, as the list shows it."""
    return "done" if job.done else ("enabled" if job.enabled else "paused")


def print_list(snap: Snapshot, output: str) -> None:
    """The store's jobs: a table, or JSON."""
    if output == "json":
        jobs = [resolved(j) for j in snap.jobset.jobs]
        print(json.dumps({"format": snap.jobset.format, "etag": snap.etag, "jobs": jobs}, indent=2))
        return
    rows = [
        (j.id, state_word(j), j.schedule, j.timezone, f"{j.target.method} {j.target.url}") for j in snap.jobset.jobs
    ]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(_HEADINGS)]
    for row in [_HEADINGS, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    print(f"{len(rows)} job(s), {snap.jobset.format} store (ETag {snap.etag})")


def print_show(snap: Snapshot, job: Job, live: tuple[LiveState, ...] | None, output: str) -> None:
    """One job as written and as resolved, with its schedules (and their live State)."""
    names = schedule_names(job)
    out: dict[str, Any] = {"written": snap.written.get(job.id), "resolved": resolved(job), "schedules": list(names)}
    if live is not None:
        out["live"] = [{"schedule": s.name, "state": s.after} for s in live]
    if output == "json":
        print(json.dumps(out, indent=2, default=str))
        return
    print(json.dumps(out["written"], indent=2, ensure_ascii=False, default=str))
    t = job.target
    print(f"state {state_word(job)}; {job.schedule} ({job.timezone}); {t.method} {t.url}")
    for s in out.get("live") or [{"schedule": n, "state": "(pass --live to read its State)"} for n in names]:
        print(f"schedule {s['schedule']}: {s['state'] or 'not created yet'}")


def print_change(result: dict[str, Any], output: str) -> None:
    """One committed edit, its live schedules and (with --wait) the reconcile's result."""
    if output == "json":
        print(json.dumps(result, indent=2, default=str))
        return
    for warning in result.get("warnings", ()):
        print(f"warning: {warning}", file=sys.stderr)
    where = f"s3://{result['bucket']}/{result['key']}"
    if result["changed"]:
        tries = f", after {result['attempts']} attempts" if result["attempts"] > 1 else ""
        print(f"{result['action']} job {result['job_id']!r} in {where} (ETag {result['etag']}{tries})")
    else:
        print(f"job {result['job_id']!r} was already {result['action']}; {where} unchanged")
    for s in result["live"]:
        state = f"{s['before']} -> {s['after']}" if s["before"] != s["after"] else (s["after"] or "not created yet")
        print(f"  schedule {s['schedule']}: {state}")
    if result.get("failure_pause_lifted"):
        print("  the pause after failures is lifted: the failure streak starts again from zero")
    if result.get("reconcile"):
        from cron_adapter.cli.push import print_status

        print_status(result["reconcile"])
