"""Editing one job of a store's bytes: only that job changes, formatting survives, bad edits raise."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cron_adapter.errors import DuplicateJob, InvalidJobsFile, StoreNotEditable, UnknownJob
from cron_adapter.jobs import edit
from cron_adapter.jobs.edit import StoreOptions

STORE = b"""{
  "$schema": "./schema/jobs.schema.json",
  "version": 1,
  "defaults": {"timezone": "Europe/Berlin", "target": {"base_url": "https://app.example.com"}},
  "jobs": [
    {
      "id": "alpha",
      "schedule": "every 5m",
      "target": {"path": "/alpha"}
    },
    {"id": "beta", "schedule": "daily 03:00", "description": "Caf\xc3\xa9 report", "target": {"path": "/beta"}},
    {
      "id": "gamma",
      "target": {"path": "/gamma", "method": "GET"},
      "schedule": "0 9 * * 1-5"
    }
  ]
}
"""
NEW = {"id": "delta", "schedule": "every 1h", "target": {"path": "/delta", "method": "PUT"}}


def job_text(data: bytes, job_id: str) -> str:
    """The exact text of one job object in the store (located by its id line)."""
    text = data.decode()
    start = text.index(f'"id": "{job_id}"')
    open_at = text.rindex("{", 0, start)
    depth = 0
    for i in range(open_at, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[open_at : i + 1]
    raise AssertionError(job_id)


def others_intact(before: bytes, after: bytes, changed: str) -> None:
    for job_id in ("alpha", "beta", "gamma"):
        if job_id != changed:
            assert job_text(before, job_id) in after.decode(), job_id


def test_pause_adds_enabled_false_to_that_job_only_and_keeps_key_order():
    edited = edit.set_enabled(STORE, "gamma", False)
    assert edited.changed and edited.job is not None and edited.job.enabled is False
    others_intact(STORE, edited.data, "gamma")
    gamma = job_text(edited.data, "gamma")
    assert list(json.loads(gamma)) == ["id", "target", "schedule", "enabled"]
    assert '      "enabled": false\n    }' in gamma  # the job's own indent
    assert edited.data.startswith(b'{\n  "$schema"') and edited.data.endswith(b"}\n")


def test_pause_then_resume_gives_back_the_original_bytes():
    for job_id in ("alpha", "beta", "gamma"):
        paused = edit.set_enabled(STORE, job_id, False).data
        assert edit.set_enabled(paused, job_id, True).data == STORE


def test_pausing_a_paused_job_changes_nothing():
    paused = edit.set_enabled(STORE, "beta", False).data
    again = edit.set_enabled(paused, "beta", False)
    assert not again.changed and again.data == paused
    assert not edit.set_enabled(STORE, "beta", True).changed


def test_add_appends_in_the_style_of_its_sibling():
    edited = edit.add(STORE, NEW)
    others_intact(STORE, edited.data, "delta")
    assert json.loads(edited.data)["jobs"][-1] == NEW
    assert '    },\n    {\n      "id": "delta",\n' in edited.data.decode()
    compact = b'{"version":1,"jobs":[{"id":"a","schedule":"every 5m","target":{"url":"https://x.example.com"}}]}'
    added = edit.add(compact, NEW | {"target": {"url": "https://x.example.com/d"}}).data
    assert added.startswith(compact[:-2]) and b',{"id":"delta","schedule":"every 1h",' in added


def test_add_into_an_empty_or_missing_store():
    first = edit.add(edit.empty_store(StoreOptions()), NEW | {"target": {"url": "https://x.example.com/d"}})
    assert json.loads(first.data) == {"version": 1, "jobs": [NEW | {"target": {"url": "https://x.example.com/d"}}]}
    assert b'\n  "jobs": [\n    {\n      "id": "delta",' in first.data


def test_add_refuses_a_duplicate_id_and_an_invalid_field():
    with pytest.raises(DuplicateJob, match="'beta'"):
        edit.add(STORE, NEW | {"id": "beta"})
    with pytest.raises(InvalidJobsFile) as bad:
        edit.add(STORE, NEW | {"schedule": "every 0m"})
    [problem] = bad.value.problems
    assert problem.job_id == "delta" and problem.field == "schedule"
    with pytest.raises(InvalidJobsFile) as typo:
        edit.add(STORE, NEW | {"scheduel": "every 5m"})
    assert [(p.job_id, p.field) for p in typo.value.problems] == [("delta", "scheduel")]


def test_remove_cuts_exactly_one_job_wherever_it_is():
    for job_id in ("alpha", "beta", "gamma"):
        edited = edit.remove(STORE, job_id)
        others_intact(STORE, edited.data, job_id)
        assert [j["id"] for j in json.loads(edited.data)["jobs"]] == [
            i for i in ("alpha", "beta", "gamma") if i != job_id
        ]
    alone = edit.remove(edit.remove(edit.remove(STORE, "alpha").data, "beta").data, "gamma")
    assert json.loads(alone.data)["jobs"] == [] and alone.jobset.jobs == ()


def test_unknown_ids_are_named():
    for change in (
        lambda: edit.remove(STORE, "nope"),
        lambda: edit.set_enabled(STORE, "nope", False),
    ):
        with pytest.raises(UnknownJob, match="'nope'"):
            change()


def test_hermes_stores_are_refused_and_the_message_says_why():
    hermes = json.dumps({"jobs": [{"id": "h1", "schedule": {"kind": "interval", "minutes": 5}}]}).encode()
    for change in (
        lambda: edit.set_enabled(hermes, "h1", False),
        lambda: edit.remove(hermes, "h1"),
        lambda: edit.add(hermes, NEW),
    ):
        with pytest.raises(StoreNotEditable, match="managed by hermes: use `hermes cron"):
            change()


SIDECAR = b'[\n  {"name": "refresh", "schedule": "every 5m", "endpoint": "/refresh"}\n]\n'


def test_sidecar_lists_take_add_and_remove_in_their_own_keys():
    added = edit.add(SIDECAR, {"id": "sync", "schedule": "every 1h", "target": {"path": "/sync", "method": "GET"}})
    assert json.loads(added.data)[-1] == {"name": "sync", "schedule": "every 1h", "endpoint": "/sync", "method": "GET"}
    assert added.data.startswith(SIDECAR[:-3]) and added.jobset.format == "sidecar"
    assert json.loads(edit.remove(added.data, "refresh").data) == [json.loads(added.data)[-1]]


def test_sidecar_lists_refuse_a_pause_and_fields_they_cannot_hold():
    with pytest.raises(StoreNotEditable, match="no field to record a pause"):
        edit.set_enabled(SIDECAR, "refresh", False)
    with pytest.raises(InvalidJobsFile) as bad:
        edit.add(SIDECAR, {"id": "sync", "schedule": "every 1h", "timezone": "UTC", "target": {"path": "/s"}})
    assert bad.value.problems[0].field == "timezone"


def test_an_edit_that_leaves_the_store_invalid_raises():
    broken = STORE.replace(b'"every 5m"', b'"every 0m"')
    with pytest.raises(InvalidJobsFile):
        edit.set_enabled(broken, "beta", False)
    fixed = edit.remove(broken, "alpha")  # removing the broken job is allowed: the result is valid
    assert [j.id for j in fixed.jobset.jobs] == ["beta", "gamma"]


def test_a_splice_that_would_not_round_trip_falls_back_to_a_full_render():
    # Duplicate keys: json.loads keeps the last one, so cutting one "enabled" leaves the other.
    doc = b'{"version": 1, "jobs": [{"id": "a", "enabled": false, "enabled": false, "schedule": "every 5m",'
    doc += b' "target": {"url": "https://x.example.com"}}]}'
    resumed = edit.set_enabled(doc, "a", True)
    assert json.loads(resumed.data) == {
        "version": 1,
        "jobs": [{"id": "a", "schedule": "every 5m", "target": {"url": "https://x.example.com"}}],
    }
    assert resumed.job is not None and resumed.job.enabled


def test_not_json_is_an_invalid_store():
    with pytest.raises(InvalidJobsFile, match="not valid UTF-8 JSON"):
        edit.remove(b'{"version": 1, "jobs": [', "a")


_ids = st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), min_size=1, max_size=6, unique=True)


@settings(max_examples=150, deadline=None)
@given(ids=_ids, indent=st.sampled_from([None, 2, 4, "\t"]), op=st.sampled_from(["pause", "resume", "remove", "add"]))
def test_any_layout_every_edit_changes_exactly_the_named_job(ids: list[str], indent, op: str):
    jobs = [
        {"id": i, "schedule": "every 5m", "enabled": n % 2 == 0, "target": {"path": f"/{i}"}} for n, i in enumerate(ids)
    ]
    doc = {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": jobs}
    data = (json.dumps(doc, indent=indent) + "\n").encode()
    target = ids[len(ids) // 2]
    expected = json.loads(data)
    if op == "add":
        new = {"id": "zz-new", "schedule": "every 1h", "target": {"path": "/new"}}
        edited, expected["jobs"] = edit.add(data, new), [*jobs, new]
    elif op == "remove":
        edited, expected["jobs"] = edit.remove(data, target), [j for j in jobs if j["id"] != target]
    else:
        edited = edit.set_enabled(data, target, op == "resume")
        for j in expected["jobs"]:
            if j["id"] == target:
                j.pop("enabled") if op == "resume" and j["enabled"] is False else j.update(enabled=op == "resume")
    assert json.loads(edited.data) == expected
    for j in jobs:
        if j["id"] != target:
            assert json.dumps(j, indent=indent).replace("\n", "\n" + _level(indent)) in edited.data.decode()


def _level(indent) -> str:
    if indent is None:
        return ""
    unit = " " * indent if isinstance(indent, int) else indent
    return unit * 2
