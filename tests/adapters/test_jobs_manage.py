"""Job management on moto: one job per command, no lost edit, pause at once and kept by reconcile."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from cron_adapter.errors import EditConflict, InvalidJobsFile, UnknownJob
from cron_adapter.manage import JobsClient
from tests.adapters import reconcile_support as support
from tests.adapters.jobs_support import KEY, body, lock_moto_s3_puts, make_bucket, reconcile_store, versions
from tests.adapters.reconcile_support import BUCKET, GROUP, World

aws_env = support.aws_env  # the shared pytest fixture
world = support.world  # the shared pytest fixture

STORE = (
    b'{\n  "version": 1,\n  "defaults": {"target": {"base_url": "https://app.example.com"}},\n  "jobs": [\n'
    b'    {"id": "j0", "schedule": "every 5m", "target": {"path": "/0"}},\n'
    b'    {\n      "id": "j1",\n      "schedule": "every 6m",\n      "target": {"path": "/1"}\n    },\n'
    b'    {"id": "j2", "schedule": "daily 03:00", "target": {"path": "/2"}}\n  ]\n}\n'
)
LINES = {
    "j0": b'    {"id": "j0", "schedule": "every 5m", "target": {"path": "/0"}}',
    "j1": b'    {\n      "id": "j1",\n      "schedule": "every 6m",\n      "target": {"path": "/1"}\n    }',
    "j2": b'    {"id": "j2", "schedule": "daily 03:00", "target": {"path": "/2"}}',
}


@pytest.fixture
def s3(world: World, monkeypatch: pytest.MonkeyPatch) -> Any:
    lock_moto_s3_puts(monkeypatch)
    client = make_bucket()
    client.put_object(Bucket=BUCKET, Key=KEY, Body=STORE)
    return client


def jobs_client(world: World, s3: Any, **kwargs: Any) -> JobsClient:
    return JobsClient(BUCKET, KEY, group=GROUP, s3=s3, scheduler=world.scheduler, **kwargs)


def test_each_command_changes_only_the_named_job(world: World, s3: Any):
    jobs = jobs_client(world, s3)
    steps = [
        ("j1", lambda: jobs.pause("j1")),
        ("j1", lambda: jobs.resume("j1")),
        ("j0", lambda: jobs.remove("j0")),
        ("j9", lambda: jobs.add({"id": "j9", "schedule": "every 1h", "target": {"path": "/9"}})),
    ]
    for changed, step in steps:
        before = body(s3)
        step()
        after = body(s3)
        for job_id, text in LINES.items():
            if job_id != changed and text in before:
                assert text in after, (changed, job_id)
    assert body(s3) == STORE.replace(LINES["j0"] + b",\n", b"").replace(
        LINES["j2"], LINES["j2"] + b',\n    {"id": "j9", "schedule": "every 1h", "target": {"path": "/9"}}'
    )
    assert [j.id for j in jobs.list()] == ["j1", "j2", "j9"]


def test_pause_takes_effect_at_once_and_the_next_reconcile_does_not_undo_it(world: World, s3: Any):
    reconcile_store(world, s3)
    before = world.get("j1")
    change = jobs_client(world, s3).pause("j1")
    assert [(s.name, s.before, s.after) for s in change.live] == [("j1", "ENABLED", "DISABLED")]
    now = world.get("j1")
    assert now["State"] == "DISABLED"  # immediately, before any reconcile
    for field in ("ScheduleExpression", "ScheduleExpressionTimezone", "FlexibleTimeWindow", "Target"):
        assert now[field] == before[field], field  # UpdateSchedule got the full definition back
    assert json.loads(body(s3))["jobs"][1]["enabled"] is False  # and the store records it

    sent: list[dict[str, Any]] = []
    world.scheduler.meta.events.register(
        "provide-client-params.scheduler.*", lambda params, model, **_: sent.append({"op": model.name, **params})
    )
    reconcile_store(world, s3)
    writes = [s for s in sent if s["op"] in ("CreateSchedule", "UpdateSchedule")]
    assert all(w["State"] == "DISABLED" for w in writes if w["Name"] == "j1")
    assert all(w["Name"] == "j1" for w in writes)  # nothing else was touched
    assert world.get("j1")["State"] == "DISABLED" and world.get("j0")["State"] == "ENABLED"
    world.calls.clear()
    assert reconcile_store(world, s3).status == "no-op" and world.calls.writes() == 0


def test_resume_enables_at_once_and_reconcile_agrees(world: World, s3: Any):
    jobs = jobs_client(world, s3)
    jobs.pause("j2")
    reconcile_store(world, s3)
    assert world.get("j2")["State"] == "DISABLED"
    change = jobs.resume("j2")
    assert change.changed and world.get("j2")["State"] == "ENABLED"
    assert body(s3) == STORE  # the pause and resume left no trace in the store
    reconcile_store(world, s3)
    assert world.get("j2")["State"] == "ENABLED"
    world.calls.clear()
    assert reconcile_store(world, s3).status == "no-op" and world.calls.writes() == 0


def test_pausing_a_job_that_is_not_live_yet_records_it_for_the_reconcile(world: World, s3: Any):
    change = jobs_client(world, s3).pause("j0")
    assert [(s.before, s.after) for s in change.live] == [(None, None)]
    reconcile_store(world, s3)
    assert world.get("j0")["State"] == "DISABLED"


def test_an_invalid_edit_changes_nothing(world: World, s3: Any):
    reconcile_store(world, s3)
    jobs = jobs_client(world, s3)
    listed, count = world.listed(), versions(s3)
    with pytest.raises(InvalidJobsFile) as bad:
        jobs.add({"id": "j9", "schedule": "every 0m", "target": {"path": "/9"}})
    assert bad.value.problems[0].job_id == "j9" and bad.value.problems[0].field == "schedule"
    with pytest.raises(UnknownJob):
        jobs.pause("nope")
    assert body(s3) == STORE and versions(s3) == count and world.listed() == listed


class ReadTogether:
    """One editor's S3 client whose first read waits until every editor has read the store.

    All of them then edit the same version, so all but one lose their first conditional
    write: the race the test is about happens every time, not only when the threads overlap.
    """

    def __init__(self, client: Any, everyone: threading.Barrier) -> None:
        self._client, self._everyone, self._first = client, everyone, True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def get_object(self, **kwargs: Any) -> Any:
        got = self._client.get_object(**kwargs)
        if self._first:
            self._first = False
            self._everyone.wait()
        return got


def test_many_parallel_editors_on_s3_lose_no_change(world: World, s3: Any):
    outcomes: dict[str, str] = {}
    attempts: list[int] = []
    lock = threading.Lock()
    start, read = threading.Barrier(12, timeout=30), threading.Barrier(12, timeout=30)

    def editor(i: int) -> None:
        jobs = jobs_client(world, ReadTogether(s3, read), attempts=10)
        start.wait()
        try:
            if i < 3:
                change = jobs.pause(f"j{i}")
            else:
                change = jobs.add({"id": f"n{i}", "schedule": "every 1h", "target": {"path": f"/n{i}"}})
            result = "kept"
            attempts.append(change.committed.attempts)
        except EditConflict:
            result = "conflict"
        with lock:
            outcomes[f"j{i}" if i < 3 else f"n{i}"] = result

    threads = [threading.Thread(target=editor, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(outcomes) == 12
    final = {j["id"]: j for j in json.loads(body(s3))["jobs"]}
    for job_id, result in outcomes.items():
        kept = (final[job_id].get("enabled") is False) if job_id.startswith("j") else job_id in final
        assert kept == (result == "kept"), (job_id, result)
    assert {"j0", "j1", "j2"} <= set(final)  # no pause ever removed another job
    assert max(attempts) > 1  # the editors did race: some lost a conditional write and retried


def test_an_edit_keeps_the_timezone_uploaded_with_the_store(world: World, s3: Any):
    from cron_adapter.constants import JOBS_TIMEZONE_METADATA

    sidecar = b'[{"name": "r", "schedule": "daily 09:00", "endpoint": "/r"}]'
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=sidecar, Metadata={JOBS_TIMEZONE_METADATA: "Asia/Tokyo"})
    jobs = jobs_client(world, s3)
    jobs.add({"id": "s", "schedule": "daily 10:00", "target": {"path": "/s"}})
    assert s3.head_object(Bucket=BUCKET, Key=KEY)["Metadata"] == {JOBS_TIMEZONE_METADATA: "Asia/Tokyo"}
    assert {j.id: j.timezone for j in jobs.list()} == {"r": "Asia/Tokyo", "s": "Asia/Tokyo"}
