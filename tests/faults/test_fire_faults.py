"""The fire path under injected faults: the real handler on the embedded emulator (moto's server).

Faults go onto the wire of the handler's own clients (``tests/faults/wire.py``), so botocore's
retry meets them as it would meet AWS's, and onto the target's socket (``rawtarget.py``).
Every case ends with nothing lost (the run completed, or the delivery failed so Lambda
redelivers it, and the redelivery completed it, or the run is recorded as failed/lost),
nothing called twice except where at-least-once documents it (same ``Idempotency-Key``), the
right metric counted, and no secret in any result, record, log line or traceback::

    DynamoDB write (each one)   1..3 faults           retried by botocore: the run completes, no ClaimError
                                4 faults (all tries)  ClaimError raised and counted; the redelivery completes
                                answer lost           the write landed: the run completes once
    Secrets Manager             1..3 / 4 faults       completes / SecretError before any claim, redelivered
    target                      reset, close, 503     retried (at-least-once); at-most-once records failed
                                hang, slow body       each attempt ends at its timeout; recorded failed
    Lambda deadline             little time left      the attempt is cut short and recorded before the deadline
                                no time for one try   the claim is released untried; the redelivery runs it
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cron_adapter import constants as c
from cron_adapter.errors import ClaimError, ClaimReleased, SecretError
from cron_adapter.fire.policy import DEADLINE_SAFETY_SECONDS
from tests.faults import tally
from tests.faults.firerig import FireRig, metrics
from tests.faults.rawtarget import RawTarget
from tests.faults.wire import TRANSIENT

EVENTS = Path(__file__).resolve().parents[2] / "events"
WHEN = "2026-11-23T03:00:00Z"
RETRIES = 3  # botocore standard mode on the fire path: max_attempts=3 retries after the first try
ALL_TRIES = RETRIES + 1


def fire_event(url: str, job_id: str, **job: Any) -> dict[str, Any]:
    """A delivery of ``job_id`` at WHEN to ``url``; ``job`` overrides the job's runtime settings."""
    event = json.loads((EVENTS / "fire.json").read_text())
    event.update(job_id=job_id, schedule=job_id, scheduled_time=WHEN)
    event["job"].update(schedules=[job_id], retry={"attempts": 3, "backoff": 0.05, "max_backoff": 0.1}, **job)
    event["job"]["target"] = {**event["job"]["target"], "url": url, "timeout": 2.0, **job.get("target", {})}
    return event


@pytest.fixture
def rig(emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[FireRig]:
    """The rig; at the end no text it saw, and nothing printed, holds the secret."""
    rig = FireRig(emulator, monkeypatch)
    yield rig
    out = capsys.readouterr()
    texts = [*rig.texts, out.out, out.err]
    leaks = [t[:120] for t in texts if emulator.secret in t]
    tally.add("security", scanned=len(texts), leaks=len(leaks))
    assert not leaks, leaks


def write_points(rig: FireRig, url: str, **job: Any) -> list[tuple[str, int]]:
    """Every DynamoDB write a clean fire makes, as (operation, n-th call of that operation)."""
    rig.reset()
    assert rig.deliver(fire_event(url, "probe", **job)).status == "succeeded"
    points, seen = [], dict[str, int]()
    for op in rig.dynamodb.sequence:
        if op in ("GetItem", "Query", "Scan"):
            continue
        points.append((op, seen.get(op, 0)))
        seen[op] = seen.get(op, 0) + 1
    assert len(points) >= 2, rig.dynamodb.sequence  # at least the claim and the finish
    return points


def at(point: tuple[str, int], *steps: str) -> dict[str, list[str]]:
    """A script that lets the writes before ``point`` through, then plays ``steps``."""
    op, nth = point
    return {op: ["ok"] * nth + list(steps)}


def record(section: str, injected: int, ok: bool, lost: int = 0, duplicated: int = 0) -> None:
    tally.add(section, scenarios=1, survived=int(ok), injected=injected, lost=lost, duplicated=duplicated)


@pytest.mark.parametrize("fault", TRANSIENT)
def test_a_few_dynamodb_faults_at_each_write_are_retried_and_the_run_completes_once(
    rig: FireRig, capsys: pytest.CaptureFixture[str], fault: str
) -> None:
    with RawTarget() as target:
        points = write_points(rig, target.url)
        cases = [(p, n) for p in points for n in (1, RETRIES)]
        for i, (point, n) in enumerate(cases):
            rig.reset(dynamodb=at(point, *[fault] * n))
            delivery = rig.deliver(fire_event(target.url, f"j{i}"))
            run = rig.run(f"j{i}", WHEN)
            ok = delivery.status == "succeeded" and run is not None and run["status"] == "succeeded"
            record("fault.fire.dynamodb", rig.injected(), ok)
            assert ok, (point, n, delivery.status, delivery.error, run)
        calls = target.keys()
    assert sorted(calls) == sorted({*calls}) and len(calls) == len(cases) + 1  # each run called once
    counted = metrics(capsys.readouterr().out)
    assert counted[c.METRIC_CLAIMED] == counted[c.METRIC_TARGET_SUCCEEDED] == len(cases) + 1
    assert counted[c.METRIC_CLAIM_ERROR] == 0, counted


@pytest.mark.parametrize("fault", TRANSIENT)
def test_a_claim_that_fails_every_try_raises_is_counted_and_the_redelivery_runs_it(
    rig: FireRig, capsys: pytest.CaptureFixture[str], fault: str
) -> None:
    with RawTarget() as target:
        claim = write_points(rig, target.url)[0]
        rig.reset(dynamodb=at(claim, *[fault] * ALL_TRIES))
        first = rig.deliver(fire_event(target.url, "j"))
        before = (len(target.seen), rig.run("j", WHEN))
        rig.reset()  # Lambda retries the failed event (a minute later, maybe another container)
        again = rig.deliver(fire_event(target.url, "j"))
        calls = target.keys()[1:]
    ok = isinstance(first.error, ClaimError) and before == (1, None) and again.status == "succeeded"
    record("fault.fire.dynamodb", rig.injected(), ok, lost=int(len(calls) == 0), duplicated=max(len(calls) - 1, 0))
    assert isinstance(first.error, ClaimError), first.error  # a CronAdapterError naming the job, not botocore's
    assert before == (1, None), "nothing called or recorded for the failed claim"  # the 1 is the probe
    assert again.status == "succeeded" and len(calls) == 1
    counted = metrics(capsys.readouterr().out)
    assert counted[c.METRIC_CLAIM_ERROR] == 1, counted  # the "failed claims" alarm sees it


@pytest.mark.parametrize("delivery", ["at-least-once", "at-most-once"])
@pytest.mark.parametrize("fault", ["throttle", "503", "timeout"])
def test_a_finish_that_fails_every_try_is_completed_by_a_redelivery_after_the_lease(
    rig: FireRig, capsys: pytest.CaptureFixture[str], fault: str, delivery: str
) -> None:
    with RawTarget() as target:
        # overlap allow: the run row's outcome is the last write (a skip job then releases its slot)
        finish = write_points(rig, target.url, overlap="allow")[-1]
        event = fire_event(target.url, "j", delivery=delivery, overlap="allow")
        rig.reset(dynamodb=at(finish, *[fault] * ALL_TRIES))
        first = rig.deliver(event)
        claimed = rig.run("j", WHEN)
        rig.reset()
        early = rig.deliver(event)  # Lambda's retry inside the lease: the run looks in progress
        rig.clock.offset += 3600  # a redelivery after the lease expired
        late = rig.deliver(event)
        final = rig.run("j", WHEN)
        keys = target.keys()[1:]
    assert isinstance(first.error, ClaimError) and claimed is not None
    assert early.status == "duplicate"
    counted = metrics(capsys.readouterr().out)
    if claimed["status"] != "claimed":  # the outcome landed; only a later write (the job's slot) failed
        ok = late.status == "duplicate" and final == claimed and len(keys) == 1
    elif delivery == "at-least-once":  # documented: the outcome never landed, so the run is called again
        ok = late.status == "succeeded" and final is not None and final["status"] == "succeeded"
        ok = ok and len(keys) == 2 and keys[0] == keys[1]  # the same Idempotency-Key: the target dedupes
    else:  # at-most-once never calls twice: the run is recorded lost and alarmed
        ok = late.status == "lost" and final is not None and final["status"] == "lost" and len(keys) == 1
        ok = ok and counted[c.METRIC_LOST] == 1
    record("fault.fire.dynamodb", rig.injected(), ok)
    assert ok, (late.status, final, keys)
    assert counted[c.METRIC_CLAIM_ERROR] == 1, counted


def test_the_suite_scripts_as_many_faults_as_botocore_tries() -> None:
    from cron_adapter.adapters.aws import FIRE_PATH_CONFIG

    retries = dict(FIRE_PATH_CONFIG.retries or {})  # botocore rewrites max_attempts in place on first use
    assert retries.get("mode") == "standard"
    assert retries.get("total_max_attempts", retries.get("max_attempts", 0) + 1) == ALL_TRIES


@pytest.mark.parametrize("fault", ["lost-500", "lost-timeout"])
def test_a_write_whose_answer_is_lost_still_runs_once_and_counts_no_error(
    rig: FireRig, capsys: pytest.CaptureFixture[str], fault: str
) -> None:
    """DynamoDB applied the write, the answer never came back; botocore's retry then meets our own write."""
    with RawTarget() as target:
        points = write_points(rig, target.url)
        for i, point in enumerate(points):
            rig.reset(dynamodb=at(point, fault))
            delivery = rig.deliver(fire_event(target.url, f"j{i}"))
            run = rig.run(f"j{i}", WHEN)
            calls = target.keys().count(f"j{i}:{WHEN}")
            ok = delivery.status == "succeeded" and run is not None and run["status"] == "succeeded" and calls == 1
            record("fault.fire.dynamodb", rig.injected(), ok, lost=int(calls == 0), duplicated=max(calls - 1, 0))
            assert ok, (point, delivery.status, delivery.error, run and run["status"], calls)
    counted = metrics(capsys.readouterr().out)
    assert counted[c.METRIC_CLAIM_ERROR] == 0, counted  # our own write is not a failed claim


@pytest.mark.parametrize(("fault", "tries"), [("throttle", 1), ("500", RETRIES), ("timeout", RETRIES)])
def test_a_few_secrets_manager_faults_are_retried_and_the_run_completes(rig: FireRig, fault: str, tries: int) -> None:
    with RawTarget() as target:
        rig.reset(secrets={"GetSecretValue": [fault] * tries})
        delivery = rig.deliver(fire_event(target.url, "j"))
        run = rig.run("j", WHEN)
        ok = delivery.status == "succeeded" and run is not None and len(target.seen) == 1
    record("fault.fire.secrets", rig.injected(), ok)
    assert ok, (delivery.status, delivery.error)


@pytest.mark.parametrize("fault", ["throttle", "503", "timeout", "reset"])
def test_a_secret_that_cannot_be_read_fails_before_the_claim_and_the_redelivery_runs_it(
    rig: FireRig, fault: str
) -> None:
    with RawTarget() as target:
        rig.reset(secrets={"GetSecretValue": [fault] * ALL_TRIES})
        first = rig.deliver(fire_event(target.url, "j"))
        before = (len(target.seen), rig.run("j", WHEN))
        rig.reset()
        again = rig.deliver(fire_event(target.url, "j"))
        calls = len(target.seen)
    ok = isinstance(first.error, SecretError) and before == (0, None) and again.status == "succeeded" and calls == 1
    record("fault.fire.secrets", rig.injected(), ok, lost=int(calls == 0), duplicated=max(calls - 1, 0))
    assert isinstance(first.error, SecretError), first.error
    assert before == (0, None), "a secret failure must not consume the run"
    assert again.status == "succeeded" and calls == 1


@pytest.mark.parametrize("fault", ["500", "timeout"])
def test_a_one_shot_whose_schedule_cannot_be_deleted_still_finishes_its_run(rig: FireRig, fault: str) -> None:
    """The exhausted marker is written with the finish; reconcile will not recreate the job."""
    with RawTarget() as target:
        rig.reset(scheduler={"DeleteSchedule": [fault] * ALL_TRIES})
        delivery = rig.deliver(fire_event(target.url, "j", one_shot=True))
        run = rig.run("j", WHEN)
    ok = delivery.status == "succeeded" and run is not None and run["status"] == "succeeded"
    record("fault.fire.scheduler", rig.injected(), ok)
    assert ok and rig.scheduler.total() == ALL_TRIES, (delivery.status, delivery.error, run)
    assert delivery.result is not None and delivery.result["exhausted"] == "one_shot"


@pytest.mark.parametrize("step", ["reset", "close", "503"])
def test_a_target_that_drops_the_connection_or_answers_503_is_retried_with_the_same_key(
    rig: FireRig, capsys: pytest.CaptureFixture[str], step: str
) -> None:
    with RawTarget(step) as target:
        delivery = rig.deliver(fire_event(target.url, "j"))
        keys = target.keys()
    ok = delivery.status == "succeeded" and len(keys) == 2 and keys[0] == keys[1]
    record("fault.fire.target", 1, ok)
    assert ok, (delivery.status, delivery.error, keys)
    counted = metrics(capsys.readouterr().out)
    assert counted[c.METRIC_TARGET_SUCCEEDED] == 1 and counted[c.METRIC_TARGET_FAILED] == 0, counted


@pytest.mark.parametrize("step", ["reset", "close"])
def test_at_most_once_never_retries_a_call_the_target_may_have_received(
    rig: FireRig, capsys: pytest.CaptureFixture[str], step: str
) -> None:
    with RawTarget(step) as target:
        delivery = rig.deliver(fire_event(target.url, "j", delivery="at-most-once"))
        calls = len(target.seen)
    run = rig.run("j", WHEN)
    ok = delivery.status == "failed" and calls == 1 and run is not None and run["status"] == "failed"
    record("fault.fire.target", 1, ok)
    assert ok, (delivery.status, calls, run)
    assert metrics(capsys.readouterr().out)[c.METRIC_TARGET_FAILED] == 1


@pytest.mark.parametrize("step", ["hang", "trickle"])
def test_a_silent_or_slow_target_is_cut_off_at_its_timeout_on_every_attempt(
    rig: FireRig, capsys: pytest.CaptureFixture[str], step: str
) -> None:
    timeout = 1.0
    with RawTarget(step, step) as target:
        event = fire_event(target.url, "j", target={"timeout": timeout})
        event["job"]["retry"] = {"attempts": 2, "backoff": 0, "max_backoff": 0}
        delivery = rig.deliver(event)
        calls = len(target.seen)
    run = rig.run("j", WHEN)
    took = delivery.seconds
    ok = delivery.status == "failed" and calls == 2 and run is not None and run["status"] == "failed"
    ok = ok and took < 2 * timeout + 2.0  # two attempts of at most the timeout each, plus the writes
    record("fault.fire.target", 2, ok)
    assert ok, (delivery.status, calls, run and run.get("error"), took)
    assert "TargetTimeout" in run["error"]
    assert metrics(capsys.readouterr().out)[c.METRIC_TARGET_FAILED] == 1


def test_near_the_lambda_deadline_the_attempt_is_cut_short_and_the_run_recorded_in_time(rig: FireRig) -> None:
    remaining = (
        DEADLINE_SAFETY_SECONDS + 4.0
    )  # the target's own timeout (30 s) would pass the deadline (35 s kept to record)
    with RawTarget("hang") as target:
        delivery = rig.deliver(fire_event(target.url, "j", target={"timeout": 30.0}), remaining_s=remaining)
        calls = len(target.seen)
    run = rig.run("j", WHEN)
    ok = delivery.status == "failed" and calls == 1 and run is not None and run["status"] == "failed"
    ok = ok and delivery.seconds < remaining - 1.0  # recorded with time to spare, before Lambda kills it
    record("fault.fire.deadline", 1, ok)
    assert ok, (delivery.status, calls, run, delivery.seconds)


def test_with_no_time_left_the_claim_is_released_and_the_redelivery_runs_it(
    rig: FireRig, capsys: pytest.CaptureFixture[str]
) -> None:
    with RawTarget() as target:
        first = rig.deliver(fire_event(target.url, "j"), remaining_s=3.5)  # less than one attempt needs
        before = (len(target.seen), rig.run("j", WHEN))
        again = rig.deliver(fire_event(target.url, "j"))
        calls = len(target.seen)
    ok = isinstance(first.error, ClaimReleased) and before == (0, None) and again.status == "succeeded" and calls == 1
    record("fault.fire.deadline", 1, ok, lost=int(calls == 0), duplicated=max(calls - 1, 0))
    assert ok, (first.status, before, again.status, calls)
    assert metrics(capsys.readouterr().out)[c.METRIC_CLAIM_RELEASED] == 1
