"""The one notification per job per audit: which times were missed, caught up, or why it paused."""

from __future__ import annotations

from collections.abc import Sequence

from cron_adapter.jobs.model import Job

MAX_LISTED = 20  # times named in one message; the rest are counted
SUBJECT_CHARS = 100  # SNS's subject limit


def job_notice(
    job: Job, missed: Sequence[str], caught: Sequence[tuple[str, str, str]], paused_streak: int
) -> tuple[str, str] | None:
    """(subject, message) for the alarm topic, or None when there is nothing to say."""
    if not missed and not paused_streak:
        return None
    lines = []
    if missed:
        shown = ", ".join(missed[:MAX_LISTED]) + (
            f" and {len(missed) - MAX_LISTED} more" if len(missed) > MAX_LISTED else ""
        )
        lines.append(f"Job {job.id!r} missed {len(missed)} scheduled run(s): {shown}.")
        lines.append(f"Catch-up policy: {job.catch_up}.")
    for _, when, status in caught:
        lines.append(f"Caught up {when}: {status}.")
    if paused_streak:
        lines.append(
            f"Job {job.id!r} was paused after {paused_streak} consecutive failed runs "
            f"(pause_after_failures: {job.pause_after_failures}). Fix the target, then: "
            f"cron-adapter jobs resume {job.id} (or: cron-adapter resume {job.id} JOBS_FILE)"
        )
    lines.append(f"Run history: cron-adapter runs {job.id}")
    what = "paused" if paused_streak and not missed else "missed run"
    subject = f"cron-adapter: {what}: {job.id}"[:SUBJECT_CHARS]
    # SNS subjects must be ASCII without control characters; job ids may hold anything.
    subject = "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in subject)
    return subject, "\n".join(lines)
