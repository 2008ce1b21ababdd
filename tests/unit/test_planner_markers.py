"""The planner and the job markers: a job paused after failures is left alone; a finished one is cleaned up."""

from __future__ import annotations

import pytest

from cron_adapter.errors import MassDeleteRefused
from cron_adapter.reconcile import planner as p
from cron_adapter.reconcile.model import Delete, LedgerEntry, Update
from cron_adapter.reconcile.planner import check_guard, plan, plan_from_ledger
from cron_adapter.reconcile.translate import ScheduleRequest
from tests.unit.test_planner import NOW, T1, entry, listed, req

T2 = "2026-11-22T11:00:00+00:00"  # the audit's UpdateSchedule (State DISABLED) moved LastModificationDate
SHOT = "at(2026-11-22T09:00:00)"  # fired this morning: EventBridge deleted it


def split(job: str, spec: str = "h1") -> list[ScheduleRequest]:
    """A job with two schedules (a split cron): the marker names the spec hash of one of them."""
    return [req(f"{job}-a", spec)._replace(job_id=job), req(f"{job}-b", f"{spec}-b")._replace(job_id=job)]


# --- paused after failures ----------------------------------------------------------------


def test_a_paused_job_is_not_re_enabled_by_the_drift_the_pause_made():
    result = plan([req("a")], [listed("a", T2, "DISABLED")], {"a": entry("a")}, NOW, paused={"a": "h1"})
    assert result.empty


def test_a_paused_job_is_neither_deleted_nor_recreated_nor_forgotten():
    gone = plan([req("a")], [], {"a": entry("a")}, NOW, paused={"a": "h1"})
    assert gone.empty  # not recreated (the pause is a finish marker only for the fire path)
    from_ledger = plan_from_ledger([req("a")], {"a": entry("a")}, NOW, paused={"a": "h1"})
    assert from_ledger.empty and from_ledger.total == 1


def test_a_pause_is_not_a_finish_even_in_the_exhausted_map_of_another_job():
    result = plan(
        [req("a"), req("b")],
        [listed("a", T2, "DISABLED"), listed("b")],
        {"a": entry("a"), "b": entry("b")},
        NOW,
        exhausted={"b": "h1"},
        paused={"a": "h1"},
        group="g",
    )
    assert result.actions == (Delete("b", "b", {"Name": "b", "GroupName": "g"}, p.EXHAUSTED),)


def test_a_pause_holds_every_schedule_of_a_split_job_whichever_part_it_names():
    desired = split("j")
    ledger = {r.name: LedgerEntry(r.name, "j", r.spec_hash, T1) for r in desired}
    seen = [listed(r.name, T2, "DISABLED") for r in desired]
    assert plan(desired, seen, ledger, NOW, paused={"j": "h1"}).empty


def test_editing_a_paused_job_resumes_it():
    result = plan([req("a", "h2")], [listed("a", T2, "DISABLED")], {"a": entry("a")}, NOW, paused={"a": "h1"})
    assert [(type(a), a.reason, a.request["State"]) for a in result.actions] == [(Update, p.RESUMED, "ENABLED")]
    from_ledger = plan_from_ledger([req("a", "h2")], {"a": entry("a")}, NOW, paused={"a": "h1"})
    assert [(type(a), a.reason) for a in from_ledger.actions] == [(Update, p.SPEC_CHANGED)]


def test_editing_a_paused_job_back_to_its_paused_spec_is_planned_not_left_as_the_edit():
    # paused at h1, edited to h2 (resumed: the ledger records h2), edited back to h1: the marker's
    # hash matches again, but the schedule holds h2: the pause was lifted by the edit
    result = plan([req("a")], [listed("a")], {"a": entry("a", "h2")}, NOW, paused={"a": "h1"})
    assert [(type(a), a.reason) for a in result.actions] == [(Update, p.SPEC_CHANGED)]


def test_a_paused_job_removed_from_the_file_is_deleted_as_an_orphan():
    result = plan([], [listed("a", T2, "DISABLED")], {"a": entry("a")}, NOW, paused={"a": "h1"}, group="g")
    assert [(type(a), a.reason) for a in result.actions] == [(Delete, p.ORPHAN)]


# --- finished jobs and the guard ----------------------------------------------------------


def fired_one_shots_and_a_daily_job() -> tuple[list[ScheduleRequest], dict[str, LedgerEntry], dict[str, str]]:
    desired = [req("daily", "h2"), req("s1", expr=SHOT), req("s2", expr=SHOT)]
    ledger = {n: entry(n) for n in ("daily", "s1", "s2")}
    return desired, ledger, {"s1": "h1", "s2": "h1"}


def test_deletes_of_finished_jobs_do_not_count_toward_the_mass_delete_guard():
    desired, ledger, exhausted = fired_one_shots_and_a_daily_job()
    result = plan_from_ledger(desired, ledger, NOW, exhausted=exhausted, group="g")
    assert [(a.name, a.reason) for a in result.of(Delete)] == [("s1", p.EXHAUSTED), ("s2", p.EXHAUSTED)]
    check_guard(result, 0.5, allowed=False)  # was: "plan deletes 2 of 3 schedules"


def test_an_accidental_mass_delete_is_still_refused_beside_finished_jobs():
    desired, ledger, exhausted = fired_one_shots_and_a_daily_job()
    ledger.update({n: entry(n) for n in ("x", "y", "z")})
    result = plan_from_ledger(desired, ledger, NOW, exhausted=exhausted, group="g")  # x, y, z dropped
    with pytest.raises(MassDeleteRefused) as info:
        check_guard(result, 0.5, allowed=False)
    assert (info.value.deletes, info.value.total) == (3, 4)  # of the four schedules that are not finished
    check_guard(result, 0.5, allowed=True)


def test_the_drift_repair_forgets_a_finished_job_whose_schedule_is_gone():
    desired, ledger, exhausted = fired_one_shots_and_a_daily_job()
    result = plan(desired, [listed("daily")], ledger, NOW, exhausted=exhausted, group="g")
    assert result.forget == ("s1", "s2")
    assert [(a.name, a.reason) for a in result.actions] == [("daily", p.SPEC_CHANGED)]
