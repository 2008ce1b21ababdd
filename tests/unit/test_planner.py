"""The pure planner, with literal inputs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cron_adapter.errors import MassDeleteRefused
from cron_adapter.reconcile import planner as p
from cron_adapter.reconcile.model import Create, Delete, LedgerEntry, ListedSchedule, Update
from cron_adapter.reconcile.planner import check_guard, plan
from cron_adapter.reconcile.translate import ScheduleRequest

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
T1 = "2026-11-01T10:00:00+00:00"


def req(name: str, spec: str = "h1", state: str = "ENABLED", expr: str = "rate(5 minutes)") -> ScheduleRequest:
    return ScheduleRequest(
        job_id=name,
        name=name,
        spec_hash=spec,
        request={
            "Name": name,
            "GroupName": "g",
            "ScheduleExpression": expr,
            "ScheduleExpressionTimezone": "UTC",
            "State": state,
            "ActionAfterCompletion": "DELETE" if expr.startswith("at(") else "NONE",
            "Target": {"Arn": "arn:fire", "RoleArn": "arn:role", "Input": "{}"},
        },
    )


def listed(name: str, stamp: str = T1, state: str = "ENABLED") -> ListedSchedule:
    return ListedSchedule(name, state, stamp)


def entry(name: str, spec: str = "h1", stamp: str | None = T1) -> LedgerEntry:
    return LedgerEntry(name, name, spec, stamp)


def test_new_job_is_created_with_its_exact_request():
    r = req("a")
    result = plan([r], [], {}, NOW)
    assert result.actions == (Create("a", "a", "h1", r.request, p.NEW_JOB),)
    assert result.summary() == "Plan: 1 to create, 0 to update, 0 to delete."


def test_unchanged_schedule_plans_nothing():
    result = plan([req("a")], [listed("a")], {"a": entry("a")}, NOW)
    assert result.empty and result.actions == ()


def test_spec_change_is_one_update():
    result = plan([req("a", "h2")], [listed("a")], {"a": entry("a")}, NOW)
    assert [(type(a), a.reason) for a in result.actions] == [(Update, p.SPEC_CHANGED)]


def test_pause_and_resume_are_named():
    paused = plan([req("a", "h2", "DISABLED")], [listed("a")], {"a": entry("a")}, NOW)
    resumed = plan([req("a", "h3", "ENABLED")], [listed("a", state="DISABLED")], {"a": entry("a")}, NOW)
    assert paused.actions[0].reason == p.PAUSED and paused.actions[0].request["State"] == "DISABLED"
    assert resumed.actions[0].reason == p.RESUMED and resumed.actions[0].request["State"] == "ENABLED"


def test_out_of_band_change_is_drift_by_last_modification_date():
    result = plan([req("a")], [listed("a", "2026-11-02T00:00:00+00:00")], {"a": entry("a")}, NOW)
    assert [(type(a), a.reason) for a in result.actions] == [(Update, p.DRIFT_CHANGED)]


def test_out_of_band_delete_is_recreated():
    result = plan([req("a")], [], {"a": entry("a")}, NOW)
    assert [(type(a), a.reason) for a in result.actions] == [(Create, p.DRIFT_DELETED)]


def test_orphan_is_deleted_and_named_in_the_group():
    result = plan([], [listed("old")], {"old": entry("old")}, NOW, group="g")
    assert result.actions == (Delete("old", "old", {"Name": "old", "GroupName": "g"}, p.ORPHAN),)


def test_listed_without_ledger_or_unconfirmed_is_rewritten():
    unknown = plan([req("a")], [listed("a")], {}, NOW)
    pending = plan([req("a")], [listed("a")], {"a": entry("a", stamp=None)}, NOW)
    assert unknown.actions[0].reason == p.UNKNOWN and pending.actions[0].reason == p.UNCONFIRMED


def test_stale_ledger_entries_are_forgotten_without_api_writes():
    result = plan([], [], {"gone": entry("gone")}, NOW)
    assert result.actions == () and result.forget == ("gone",) and not result.empty


def test_fired_one_shot_that_eventbridge_deleted_is_not_drift():
    r = req("once", expr="at(2026-11-22T09:00:00)")
    assert plan([r], [], {"once": entry("once")}, NOW).empty


def test_one_shot_in_the_past_is_not_created_but_warned():
    result = plan([req("once", expr="at(2026-11-22T09:00:00)")], [], {}, NOW)
    assert result.actions == () and "has passed" in result.warnings[0]


def test_one_shot_time_uses_the_schedule_timezone():
    r = req("once", expr="at(2026-11-22T12:30:00)")
    r.request["ScheduleExpressionTimezone"] = "Europe/Berlin"  # 11:30 UTC: passed
    assert plan([r], [], {}, NOW).actions == ()
    r.request["ScheduleExpressionTimezone"] = "America/New_York"  # 17:30 UTC: future
    assert isinstance(plan([r], [], {}, NOW).actions[0], Create)


def test_exhausted_job_with_current_spec_is_not_recreated():
    finished = plan([req("a")], [], {"a": entry("a")}, NOW, exhausted={"a": "h1"})
    assert finished.actions == () and finished.forget == ("a",)  # its schedule is gone: so goes its entry
    changed = plan([req("a", "h2")], [], {"a": entry("a")}, NOW, exhausted={"a": "h1"})
    assert isinstance(changed.actions[0], Create)


def test_guard_refuses_deleting_more_than_the_share():
    result = plan([req("a")], [listed("a"), listed("b"), listed("c")], {}, NOW)
    assert result.total == 3 and len(result.of(Delete)) == 2
    with pytest.raises(MassDeleteRefused) as info:
        check_guard(result, 0.5, allowed=False)
    assert info.value.deletes == 2 and info.value.total == 3
    check_guard(result, 0.5, allowed=True)
    check_guard(result, 0.7, allowed=False)


def dated(name: str, start: str | None = None, end: str | None = None, spec: str = "h1") -> ScheduleRequest:
    r = req(name, spec)
    extra = {k: v for k, v in (("StartDate", start), ("EndDate", end)) if v}
    # As translate does: a rate with a start counts from it, so its grid is the start's offset.
    period = 300
    phase = int(datetime.fromisoformat(start).timestamp()) % period if start else None
    return ScheduleRequest(r.job_id, r.name, r.spec_hash, {**r.request, **extra}, period=period, phase=phase)


def test_a_passed_rate_start_moves_to_its_next_instant_on_the_grid_because_eventbridge_refuses_it():
    # rate(5 minutes) from 00:02: the next instant after 12:00 on that grid is 12:02
    result = plan([dated("a", start="2026-11-01T00:02:00Z")], [], {}, NOW)
    (create,) = result.actions
    assert create.request["StartDate"] == "2026-11-22T12:02:00Z" and create.spec_hash == "h1"


def test_a_passed_cron_start_is_dropped():
    r = req("a", expr="cron(0 9 * * ? *)")
    r = ScheduleRequest(r.job_id, r.name, r.spec_hash, {**r.request, "StartDate": "2026-11-01T00:00:00Z"})
    (create,) = plan([r], [], {}, NOW).actions
    assert "StartDate" not in create.request


def test_an_overdue_late_ok_one_shot_is_created_for_the_next_minute_with_its_own_hash():
    r = req("a", expr="at(2026-11-01T09:00:00)")
    late = ScheduleRequest(r.job_id, r.name, r.spec_hash, r.request, late_ok=True)
    (create,) = plan([late], [], {}, NOW).actions
    assert create.request["ScheduleExpression"] == "at(2026-11-22T12:01:00)"
    assert create.reason == p.OVERDUE and create.spec_hash == "h1"
    # once fired (EventBridge deleted it, the ledger remembers it) it is not created again
    assert plan([late], [], {"a": entry("a")}, NOW).actions == ()
    # a plain one-shot that passed is not created at all
    assert plan([r], [], {}, NOW).actions == ()


def test_a_future_start_date_is_kept():
    (create,) = plan([dated("a", start="2026-12-01T00:00:00Z")], [], {}, NOW).actions
    assert create.request["StartDate"] == "2026-12-01T00:00:00Z"


def test_a_schedule_whose_end_date_has_passed_is_not_written():
    result = plan(
        [dated("a", end="2026-11-01T00:00:00Z"), dated("b", end="2027-01-01T00:00:00Z", spec="h2")],
        [listed("b")],
        {"b": entry("b")},
        NOW,
    )
    assert [(type(a), a.name) for a in result.actions] == [(Update, "b")]
    assert any("'a'" in w and "end_at" in w for w in result.warnings)


def test_from_the_ledger_the_recorded_state_names_pause_and_resume():
    ledger = {"a": LedgerEntry("a", "a", "h1", T1, "ENABLED"), "b": LedgerEntry("b", "b", "h1", T1, "DISABLED")}
    result = p.plan_from_ledger([req("a", "h2", state="DISABLED"), req("b", "h2")], ledger, NOW)
    assert [(a.name, a.reason) for a in result.actions] == [("a", p.PAUSED), ("b", p.RESUMED)]
    assert result.total == 2 and not result.forget


def test_from_the_ledger_an_unconfirmed_entry_is_reapplied_and_a_pending_delete_of_a_gone_job_deleted():
    ledger = {"a": LedgerEntry("a", "a", "h1", None, "ENABLED"), "gone": LedgerEntry("gone", "gone", "", None)}
    result = p.plan_from_ledger([req("a")], ledger, NOW)
    assert [(type(a), a.name, a.reason) for a in result.actions] == [
        (Update, "a", p.UNCONFIRMED),
        (Delete, "gone", p.ORPHAN),
    ]


def test_from_the_ledger_a_one_shot_whose_time_passed_is_left_alone():
    shot = req("s", "h2", expr="at(2026-11-22T11:00:00)")  # an hour ago: fired and deleted by EventBridge
    result = p.plan_from_ledger([shot], {"s": LedgerEntry("s", "s", "h1", T1, "ENABLED")}, NOW)
    assert result.empty


def test_a_listed_intent_whose_schedule_is_missing_is_created_as_unconfirmed_not_as_drift():
    result = plan([req("a")], [], {"a": LedgerEntry("a", "a", "h1", None, "ENABLED")}, NOW)
    assert [(type(a), a.reason) for a in result.actions] == [(Create, p.UNCONFIRMED)]
