"""The optimistic edit loop: a lost race is retried on the fresh store; no change is ever lost."""

from __future__ import annotations

import json
import threading
import time

import pytest

from cron_adapter.errors import DuplicateJob, EditConflict, InvalidJobsFile
from cron_adapter.jobs import edit
from cron_adapter.jobs.commit import commit
from cron_adapter.jobs.edit import StoreOptions
from tests.unit.jobs_fakes import FakeJobsObject

BASE = {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": []}


def store_of(*ids: str) -> FakeJobsObject:
    jobs = [{"id": i, "schedule": "every 5m", "target": {"path": f"/{i}"}} for i in ids]
    return FakeJobsObject((json.dumps({**BASE, "jobs": jobs}, indent=2) + "\n").encode())


def adding(job_id: str):
    job = {"id": job_id, "schedule": "every 1h", "target": {"path": f"/{job_id}"}}
    return lambda data, _zone: edit.add(data or edit.empty_store(StoreOptions()), job)


def ids(store: FakeJobsObject) -> list[str]:
    assert store.body is not None
    return [j["id"] for j in json.loads(store.body)["jobs"]]


def no_sleep(_: float) -> None:
    pass


def test_a_lost_race_is_retried_against_the_fresh_store_and_both_changes_are_kept():
    store = store_of("a")

    def rival() -> None:  # another editor writes between our read and our write, once
        store.before_put = None
        store.put(edit.set_enabled(store.body or b"", "a", False).data)

    store.before_put = rival
    done = commit(store, adding("b"), "b", sleep=no_sleep)
    assert done.attempts == 2 and ids(store) == ["a", "b"]
    assert json.loads(store.body or b"")["jobs"][0]["enabled"] is False  # the rival's pause survived


def test_always_losing_reports_a_conflict_and_writes_nothing_of_ours():
    store = store_of("a")
    rivals = 0

    def rival() -> None:
        nonlocal rivals
        rivals += 1
        store.put((store.body or b"") + b" " * rivals)  # same jobs, new bytes: a new ETag each time

    store.before_put = rival
    waits: list[float] = []
    with pytest.raises(EditConflict, match="'b'.*4 attempts.*nothing was written") as err:
        commit(store, adding("b"), "b", attempts=4, sleep=waits.append)
    assert err.value.attempts == 4 and "b" not in ids(store)
    assert len(waits) == 3 and all(0 <= w <= 1.0 for w in waits)  # bounded, jittered backoff


def test_a_refused_edit_writes_nothing():
    store = store_of("a")
    with pytest.raises(DuplicateJob):
        commit(store, adding("a"), "a", sleep=no_sleep)
    bad = {"id": "b", "schedule": "every 0m", "target": {"path": "/b"}}
    with pytest.raises(InvalidJobsFile):
        commit(store, lambda data, _zone: edit.add(data or b"", bad), "b", sleep=no_sleep)
    assert len(store.versions) == 1


def test_an_edit_that_changes_nothing_is_not_written():
    store = store_of("a")
    paused = store.put(edit.set_enabled(store.body or b"", "a", False).data)
    done = commit(store, lambda data, _zone: edit.set_enabled(data or b"", "a", False), "a", sleep=no_sleep)
    assert not done.changed and done.etag == paused[0] and len(store.versions) == 2


def test_a_missing_store_is_created_only_if_still_absent():
    store = FakeJobsObject()
    done = commit(store, adding("a"), "a", sleep=no_sleep)
    assert done.changed and ids(store) == ["a"]


def test_many_parallel_editors_lose_nothing():
    store = store_of("seed")
    outcomes: dict[str, str] = {}
    lock = threading.Lock()

    def editor(job_id: str) -> None:
        try:
            commit(store, adding(job_id), job_id, attempts=6, sleep=lambda s: time.sleep(s / 20))
            result = "kept"
        except EditConflict:
            result = "conflict"
        with lock:
            outcomes[job_id] = result

    threads = [threading.Thread(target=editor, args=(f"j{i}",)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(outcomes) == 24
    final = set(ids(store))
    assert {j for j, r in outcomes.items() if r == "kept"} == final - {"seed"}  # kept <=> present
    assert "seed" in final and "kept" in outcomes.values()


def test_the_uploaded_store_timezone_reaches_the_edit_and_is_written_back():
    store = store_of("a")
    store.versions[-1] = (store.versions[-1][0], "Asia/Tokyo")
    seen: list[str | None] = []

    def pausing(data: bytes | None, zone: str | None):
        seen.append(zone)
        return edit.set_enabled(data or b"", "a", False, StoreOptions(timezone=zone))

    done = commit(store, pausing, "a", sleep=no_sleep)
    assert seen == ["Asia/Tokyo"] and done.edited.jobset.jobs[0].timezone == "Asia/Tokyo"
    assert store.versions[-1][1] == "Asia/Tokyo"
