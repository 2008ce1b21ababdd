"""The one notification per job and audit: what it names, and the commands it gives."""

from __future__ import annotations

from cron_adapter.jobs.model import Job, Target
from cron_adapter.ops.notice import MAX_LISTED, job_notice


def job(job_id: str = "billing", **kw: object) -> Job:
    return Job(id=job_id, schedule="*/10 * * * *", target=Target(url="https://a.example.com"), **kw)  # type: ignore[arg-type]


def test_nothing_to_say_sends_nothing() -> None:
    assert job_notice(job(), [], [], 0) is None


def test_a_missed_notice_names_the_job_its_times_and_counts_the_rest() -> None:
    times = [f"2026-12-01T{h:02d}:00:00Z" for h in range(MAX_LISTED + 3)]
    subject, message = job_notice(job(catch_up="latest"), times, [], 0) or ("", "")
    assert subject == "cron-adapter: missed run: billing"
    assert f"Job 'billing' missed {len(times)} scheduled run(s)" in message and "and 3 more" in message
    assert "Catch-up policy: latest." in message and "cron-adapter runs billing" in message


def test_a_pause_notice_gives_both_commands_that_lift_it() -> None:
    subject, message = job_notice(job(pause_after_failures=3), [], [], 3) or ("", "")
    assert subject == "cron-adapter: paused: billing"
    assert "paused after 3 consecutive failed runs" in message
    assert "cron-adapter jobs resume billing" in message and "cron-adapter resume billing JOBS_FILE" in message


def test_the_subject_stays_ascii_and_within_sns_limits_whatever_the_job_id() -> None:
    subject, _ = job_notice(job("répertoire\n" + "x" * 200), ["2026-12-01T00:00:00Z"], [], 0) or ("", "")
    assert len(subject) <= 100 and subject.isascii() and "\n" not in subject
