"""A catch-up or take-over fire starts only when one whole attempt fits before the audit's deadline.

Started later, the fire path would claim the run and record it failed unsent ("not called:
no time left"), and that time would never be caught up. Run against the audit shell's fakes.
"""

from __future__ import annotations

from cron_adapter.fire.input import FireInput
from cron_adapter.fire.policy import DEADLINE_SAFETY_SECONDS, MIN_ATTEMPT_SECONDS
from cron_adapter.ops.budget import DEADLINE_MARGIN_SECONDS, MAX_ATTEMPT_WAIT_SECONDS, FireBudget
from cron_adapter.ops.report import AuditReport
from cron_adapter.ops.service import AuditService
from tests.unit.fire.fakes import FakeMetrics
from tests.unit.ops.test_audit_incomplete import CONFIG, NOW, WIRING, FakeNotifier, FakeRunStore, FakeView, jobs_doc

FIXED = DEADLINE_MARGIN_SECONDS + DEADLINE_SAFETY_SECONDS + MIN_ATTEMPT_SECONDS  # before the job's own wait


def audit_with(seconds_left: float, timeout: int = 10) -> tuple[list[FireInput], AuditReport]:
    """One audit of a job that missed its last hour (catch_up all), with ``seconds_left`` on the clock."""
    jobs = jobs_doc(1, catch_up="all", catch_up_window=120, target={"path": "/run/0", "timeout": timeout})
    fired: list[FireInput] = []

    def fire(fi: FireInput) -> str:
        fired.append(fi)
        return "succeeded"

    store = FakeRunStore()
    service = AuditService(store, FakeView(jobs), FakeNotifier(), FakeMetrics(), WIRING, fire, CONFIG)
    report = service.audit(jobs, NOW, lambda: seconds_left)
    return fired, report


def test_with_time_for_an_attempt_the_catch_ups_fire() -> None:
    fired, report = audit_with(FIXED + 10 + 1)
    assert len(fired) == len(report.missed) == 8  # the ten-minute marks of the lookback, past the grace
    assert all(fi.run == "catch-up" for fi in fired)
    assert report.errors == [] and report.unaudited == 0


def test_without_time_for_an_attempt_no_catch_up_starts_and_the_audit_says_so() -> None:
    fired, report = audit_with(FIXED + 10 - 1)
    assert fired == []
    assert len(report.missed) == 8  # the misses are still recorded: the next audit catches them up
    assert report.errors == ["fires of 1 jobs wait for the next audit: no time for an attempt"]
    assert report.unaudited == 1  # counted in AuditIncomplete: audits too short to catch up are alarmed


def test_a_longer_target_timeout_needs_more_time_left() -> None:
    assert audit_with(FIXED + 10 + 1, timeout=120)[0] == []
    assert len(audit_with(FIXED + 120 + 1, timeout=120)[0]) == 8


def test_a_timeout_longer_than_an_audit_runs_waits_only_for_the_cap() -> None:
    """840 s never fits a 10-minute audit: its fire starts once the cap fits, with a cut timeout."""
    budget = FireBudget(lambda: FIXED + MAX_ATTEMPT_WAIT_SECONDS + 1)
    assert budget.spend(840.0) and budget.deferred == 0


def test_the_count_of_fires_bounds_an_audit_too() -> None:
    budget = FireBudget(lambda: 900.0, fires=2)
    assert [budget.spend(5.0) for _ in range(3)] == [True, True, False]
    assert budget.deferred == 0  # out of fires is not out of time
