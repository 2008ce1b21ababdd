"""Reconcile against moto: minimal writes, crash safety and guards, with API calls counted by operation."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from cron_adapter.errors import InjectedCrash, InvalidJobsFile, LockHeld, MassDeleteRefused
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.reconcile.service import Options
from tests.adapters import reconcile_support as support
from tests.adapters.fire_support import lock_moto_writes
from tests.adapters.reconcile_support import GROUP, World, jobs_bytes, jobs_doc, jobset

N = 6

aws_env = support.aws_env  # the shared pytest fixture
world = support.world  # the shared pytest fixture


def converge(w: World, doc: dict[str, Any], **kwargs: Any):
    return w.reconciler(**kwargs).run(lambda: jobset(doc))


def assert_matches(w: World, doc: dict[str, Any]) -> None:
    """The group holds exactly the file's schedules, and another run writes nothing."""
    assert set(w.listed()) == {j["id"] for j in doc["jobs"]}
    w.calls.clear()
    assert converge(w, doc).status == "no-op"
    assert w.calls.writes() == 0 and w.calls["GetSchedule"] == 0


def test_first_apply_creates_everything(world: World):
    result = converge(world, jobs_doc(N))
    assert result.status == "applied" and result.counts["created"] == N
    assert world.calls["CreateSchedule"] == N and world.calls["CreateScheduleGroup"] == 1
    got = world.get("j0")
    assert got["ScheduleExpression"] == "rate(5 minutes)" and got["Target"]["Input"].startswith("{")


def test_second_apply_makes_zero_writes_and_no_per_schedule_reads(world: World):
    converge(world, jobs_doc(N))
    world.calls.clear()
    assert converge(world, jobs_doc(N)).status == "no-op"
    assert world.calls.writes() == 0 and world.calls["GetSchedule"] == 0
    assert world.calls["PutItem"] + world.calls["UpdateItem"] + world.calls["DeleteItem"] == 0
    assert world.calls["ListSchedules"] == 1


def test_one_changed_job_is_exactly_one_write(world: World):
    converge(world, jobs_doc(N))
    world.calls.clear()
    doc = jobs_doc(N, j3={"schedule": "every 2h"})
    result = converge(world, doc)
    assert result.counts["updated"] == 1 and world.calls.writes() == 1 and world.calls["UpdateSchedule"] == 1
    assert world.get("j3")["ScheduleExpression"] == "rate(2 hours)"
    assert_matches(world, doc)


def test_out_of_band_update_is_repaired(world: World):
    doc = jobs_doc(N)
    converge(world, doc)
    tampered = {
        k: v
        for k, v in world.get("j1").items()
        if k not in ("ResponseMetadata", "Arn", "CreationDate", "LastModificationDate")
    }
    world.scheduler.update_schedule(**{**tampered, "ScheduleExpression": "rate(1 minute)"})
    world.calls.clear()
    result = converge(world, doc)
    assert result.counts["drift_repaired"] == 1 and world.calls.writes() == 1
    assert world.get("j1")["ScheduleExpression"] == "rate(6 minutes)"
    assert_matches(world, doc)


def test_out_of_band_delete_is_repaired(world: World):
    doc = jobs_doc(N)
    converge(world, doc)
    world.scheduler.delete_schedule(Name="j2", GroupName=GROUP)
    result = converge(world, doc)
    assert result.counts == {"created": 1, "updated": 0, "deleted": 0, "drift_repaired": 1}
    assert_matches(world, doc)


def test_orphans_are_deleted(world: World):
    converge(world, jobs_doc(N))
    world.scheduler.create_schedule(
        Name="stray",
        GroupName=GROUP,
        ScheduleExpression="rate(1 hour)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:x", "RoleArn": "arn:y"},
    )
    doc = jobs_doc(N - 1)  # j5 removed from the file
    result = converge(world, doc)
    assert result.counts["deleted"] == 2 and world.calls["DeleteSchedule"] == 2
    assert_matches(world, doc)


def test_pause_and_resume_map_to_disabled_and_enabled(world: World):
    converge(world, jobs_doc(N))
    converge(world, jobs_doc(N, j0={"enabled": False}))
    assert world.get("j0")["State"] == "DISABLED" and world.listed()["j0"]["State"] == "DISABLED"
    result = converge(world, jobs_doc(N))
    assert result.done[0].reason == "resumed" and world.get("j0")["State"] == "ENABLED"


def test_guard_refuses_a_mass_delete_and_changes_nothing(world: World):
    converge(world, jobs_doc(N))
    world.calls.clear()
    with pytest.raises(MassDeleteRefused):
        converge(world, jobs_doc(2))
    assert world.calls.writes() == 0 and len(world.listed()) == N
    allowed = {**jobs_doc(2), "allow_mass_delete": True}
    assert converge(world, allowed).counts["deleted"] == N - 2


def test_guard_can_be_lifted_by_the_caller(world: World):
    converge(world, jobs_doc(N))
    result = converge(world, jobs_doc(1), options=Options(allow_mass_delete=True))
    assert result.counts["deleted"] == N - 1


def test_invalid_file_changes_nothing(world: World):
    converge(world, jobs_doc(N))
    world.calls.clear()
    bad = jobs_doc(N, j1={"schedule": "every 0m"})
    with pytest.raises(InvalidJobsFile) as info:
        world.reconciler().run(lambda: load_bytes(jobs_bytes(bad)))
    assert any(p.job_id == "j1" for p in info.value.problems)
    assert world.calls.writes() == 0 and sum(world.calls.values()) == 0


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any):
        yield self.body


def test_injected_throttling_still_converges(world: World):
    seen, guard = {"n": 0}, threading.Lock()

    def throttle(request: Any, **_: Any) -> AWSResponse | None:
        with guard:
            seen["n"] += 1
            hit = seen["n"] % 2 == 1  # every other attempt is throttled
        if not hit:
            return None
        url, request.url = (
            request.url,
            "https://throttled.invalid/",
        )  # every before-send handler runs: hide it from moto
        headers = {"x-amzn-ErrorType": "ThrottlingException", "Content-Type": "application/json"}
        return AWSResponse(url, 429, headers, _Raw(b'{"message": "Rate exceeded"}'))

    world.scheduler.meta.events.register_first("before-send.scheduler.CreateSchedule", throttle)
    doc = jobs_doc(4)
    result = converge(world, doc)
    assert result.status == "applied" and result.counts["created"] == 4 and seen["n"] >= 8
    assert world.calls["UpdateSchedule"] == 0  # a throttled attempt created nothing
    assert_matches(world, doc)


@pytest.mark.parametrize("point", ["after-intent", "after-write", "before-confirm"])
@pytest.mark.parametrize("k", [1, 3])
def test_crash_after_k_writes_then_rerun_converges(world: World, point: str, k: int):
    converge(world, jobs_doc(N))
    doc = jobs_doc(N + 2, j0={"schedule": "every 1h"}, j1={"enabled": False})
    doc["jobs"] = doc["jobs"][1:]  # j0 dropped (delete), j1 paused, j6/j7 new

    def crash(at: str, writes: int) -> None:
        # after-intent: the k-th write's intent is recorded, the write itself not made
        if at == point and writes >= (k - 1 if point == "after-intent" else k):
            raise RuntimeError(f"injected crash at {at} after {writes} writes")

    with pytest.raises(InjectedCrash):
        converge(world, doc, crash=crash, options=Options(workers=1, max_delete_share=1.0, intent_batch=1))
    with pytest.raises(LockHeld):  # the crashed run's lease is still held
        converge(world, doc)
    later = datetime.now(UTC) + timedelta(seconds=1000)
    assert converge(world, doc, clock=lambda: later).status == "applied"
    assert set(world.listed()) == {j["id"] for j in doc["jobs"]}
    assert world.get("j1")["State"] == "DISABLED"
    world.calls.clear()
    assert converge(world, doc, clock=lambda: later).status == "no-op" and world.calls.writes() == 0


def test_deadline_stops_cleanly_and_the_next_run_continues(world: World):
    budget = iter([100.0] * 3 + [1.0] * 1000)
    result = converge(world, jobs_doc(N), remaining=lambda: next(budget), options=Options(workers=1))
    assert result.status == "partial" and 0 < len(result.done) < N and result.skipped == N - len(result.done)
    assert converge(world, jobs_doc(N)).counts["created"] == N - len(result.done)
    assert_matches(world, jobs_doc(N))


def test_two_concurrent_reconciles_do_not_both_apply(world: World):
    doc, outcome = jobs_doc(N), {}

    def second_run(at: str, writes: int) -> None:
        if at == "after-write" and writes == 1 and not outcome:
            try:
                converge(world, doc)
                outcome["second"] = "applied"
            except LockHeld as exc:
                outcome["second"] = exc

    first = converge(world, doc, crash=second_run, options=Options(workers=1))
    assert isinstance(outcome["second"], LockHeld)
    assert first.counts["created"] == N and world.calls["CreateSchedule"] == N


def test_racing_threads_take_turns(world: World, monkeypatch: pytest.MonkeyPatch):
    lock_moto_writes(monkeypatch)
    doc, results, barrier = jobs_doc(N), [], threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        try:
            results.append(converge(world, doc).status)
        except LockHeld:
            results.append("contended")

    # Daemon threads with a bounded join: a deadlock fails this test instead of hanging the run.
    threads = [threading.Thread(target=run, daemon=True) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a reconcile never finished (deadlock?)"
    assert world.calls["CreateSchedule"] == N and sorted(results) in (["applied", "contended"], ["applied", "no-op"])


def test_an_upload_planned_from_the_ledger_lists_nothing_and_batches_its_ledger_writes(world: World):
    upload = Options(workers=4, from_ledger=True)
    converge(world, jobs_doc(N), options=upload)
    world.calls.clear()
    doc = jobs_doc(N, j3={"schedule": "every 2h"}, j4={"enabled": False})
    result = converge(world, doc, options=upload)
    assert {a.name: a.reason for a in result.done} == {"j3": "spec changed", "j4": "paused"}
    assert world.calls["UpdateSchedule"] == 2
    # No listing to plan; the confirm pass reads min(writes, group pages): here one page.
    assert world.calls["ListSchedules"] + world.calls["GetSchedule"] == 1
    assert world.calls["BatchWriteItem"] == 2 and world.calls["PutItem"] == 0  # intents, then confirmations
    world.calls.clear()
    assert converge(world, doc, options=upload).status == "no-op" and world.calls.writes() == 0
    assert_matches(world, doc)  # and the drift repair's listing agrees


def test_ledger_entries_written_before_the_state_was_recorded_still_read(world: World):
    from cron_adapter.adapters.ledger import Ledger
    from cron_adapter.tablekeys import ledger_pk

    old = "j0|abc123|2026-01-01T00:00:00+00:00|tenant|7:j0"  # name|spec|last_modified|job_id
    world.dynamodb.put_item(
        TableName=support.TABLE, Item={"pk": {"S": ledger_pk(GROUP)}, "sk": {"S": "j0"}, "v": {"S": old}}
    )
    (entry,) = Ledger(support.TABLE, GROUP, world.dynamodb).entries().values()
    assert (entry.name, entry.spec_hash, entry.last_modified, entry.job_id, entry.state) == (
        "j0",
        "abc123",
        "2026-01-01T00:00:00+00:00",
        "tenant|7:j0",
        None,
    )
