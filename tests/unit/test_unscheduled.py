"""JobUnscheduled counts each hermes job once: the pure rule and the app that remembers it."""

from __future__ import annotations

from cron_adapter.reconcile.unscheduled import MAX_REMEMBERED, newly_unscheduled


def test_only_jobs_the_last_reconcile_did_not_leave_out_are_new() -> None:
    assert newly_unscheduled(frozenset(), ["b", "a"]) == (("a", "b"), frozenset({"a", "b"}))
    assert newly_unscheduled(frozenset({"a"}), ["a", "b"]) == (("b",), frozenset({"a", "b"}))
    assert newly_unscheduled(frozenset({"a", "b"}), ["b", "a"]) == ((), frozenset({"a", "b"}))


def test_a_job_fixed_then_broken_again_counts_again() -> None:
    new, keep = newly_unscheduled(frozenset({"a"}), [])
    assert new == () and keep == frozenset()
    assert newly_unscheduled(keep, ["a"])[0] == ("a",)


def test_an_empty_id_is_never_remembered() -> None:
    assert newly_unscheduled(frozenset(), ["", "a", "a"]) == (("a",), frozenset({"a"}))


def test_past_the_cap_nothing_is_counted_twice() -> None:
    ids = [f"job-{i:05}" for i in range(MAX_REMEMBERED + 10)]
    new, keep = newly_unscheduled(frozenset(), ids)
    assert len(new) == len(ids) and keep == frozenset(ids[:MAX_REMEMBERED])
    again, _ = newly_unscheduled(keep, [*ids, "job-00000a"])  # sorts inside the kept range
    assert again == ("job-00000a",)  # the ids past the cap are unknown either way: not counted
