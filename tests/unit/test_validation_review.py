"""Validation review: inputs validate accepted, or crashed on, that could not fire as written.

Each refusal names the job, the field and the fix; a hermes job that cannot be translated
is left unscheduled, and only it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cron_adapter.errors import CronAdapterError, InvalidJobsFile, Problem
from cron_adapter.fire import policy
from cron_adapter.jobs import edit
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.jobs.model import JobSet
from cron_adapter.kinds import RESERVED_HEADERS
from cron_adapter.reconcile.translate import Wiring, translate_all

WIRING = Wiring.offline()
BASE = "https://agent.example.com"
GOOD = {"id": "good", "schedule": {"kind": "interval", "minutes": 30}, "created_at": "2026-12-01T21:53:38+00:00"}


def hermes_store(*items: Any) -> bytes:
    return json.dumps({"jobs": [*items, GOOD]}).encode()


def native(job: dict[str, Any], defaults: dict[str, Any] | None = None) -> bytes:
    item = {"id": "j", "schedule": "every 5m", **job}
    return json.dumps({"version": 1, "defaults": defaults or {}, "jobs": [item]}).encode()


def problems(data: bytes, **kw: Any) -> list[Problem]:
    with pytest.raises(InvalidJobsFile) as info:
        load_bytes(data, **kw)
    return info.value.problems


# --- 1. a hermes job whose interval overflows is left unscheduled, and only it -------------


@pytest.mark.parametrize(
    ("schedule", "created_at", "field"),
    [
        ({"kind": "interval", "minutes": 60}, "9999-12-31T23:30:00", "created_at"),
        ({"kind": "interval", "minutes": 10**19}, "2026-12-01T21:53:38", "schedule"),
        ({"kind": "interval", "minutes": -(10**19)}, "2026-12-01T21:53:38", "schedule"),
        ({"kind": "interval", "minutes": 60}, "0001-01-01T00:00:00", "created_at"),
        ({"kind": "interval", "minutes": 60}, "2300-01-01T00:00:00", "created_at"),
        ({"kind": "interval", "minutes": 60}, "2199-12-31T22:30:00-05:00", "start_at"),  # 2200 in UTC
    ],
)
def test_a_hermes_interval_out_of_range_leaves_only_that_job_unscheduled(
    schedule: dict[str, Any], created_at: str, field: str
) -> None:
    jobs = load_bytes(hermes_store({"id": "poison", "schedule": schedule, "created_at": created_at}), base_url=BASE)
    assert [j.id for j in jobs.jobs] == ["good"]
    assert [(p.job_id, p.field) for p in jobs.unscheduled] == [("poison", field)]
    assert translate_all(jobs, WIRING)  # the good job still translates


def test_a_hermes_schedule_longer_than_the_model_takes_leaves_only_that_job_unscheduled() -> None:
    poison = {"id": "poison", "schedule": {"kind": "once", "run_at": "2027-01-01T00:00:00" + " " * 2000}}
    jobs = load_bytes(hermes_store(poison), base_url=BASE)
    assert [j.id for j in jobs.jobs] == ["good"] and [p.job_id for p in jobs.unscheduled] == ["poison"]


_EDGE_DATES = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(3, 1, 1)),
    st.datetimes(min_value=datetime(9997, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
    st.datetimes(min_value=datetime(2198, 12, 1), max_value=datetime(2200, 2, 1)),
    st.datetimes(min_value=datetime(1999, 12, 1), max_value=datetime(2000, 2, 1)),
)
_OFFSETS = st.one_of(st.none(), st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))))
_TIMES = st.one_of(
    st.builds(lambda d, tz: d.replace(tzinfo=tz).isoformat(), _EDGE_DATES, _OFFSETS),
    st.text(max_size=30),
    st.integers(),
    st.none(),
)
_HUGE = st.one_of(st.integers(-(2**70), 2**70), st.sampled_from([0, 1, -1, 2**63, 10**19, 5_256_000, 5_256_001]))
_SCHEDULES = st.one_of(
    st.fixed_dictionaries({"kind": st.just("interval"), "minutes": _HUGE}),
    st.fixed_dictionaries({"kind": st.just("once"), "run_at": _TIMES}),
    st.fixed_dictionaries(
        {"kind": st.just("cron"), "expr": st.sampled_from(["0 9 * * *", "0 9 * * * 0 2030", "*/0 * * * *", "x"])}
    ),
)
# The shapes hermes writes (an int interval, a run_at string), with any values in them.
_SHAPED = st.one_of(
    st.fixed_dictionaries({"kind": st.just("interval"), "minutes": _HUGE}),
    st.fixed_dictionaries(
        {
            "kind": st.just("once"),
            "run_at": st.one_of(
                st.builds(lambda d, tz: d.replace(tzinfo=tz).isoformat(), _EDGE_DATES, _OFFSETS),
                st.text(min_size=1, max_size=30).filter(str.strip),
            ),
        }
    ),
)
_JOBS = st.fixed_dictionaries(
    {"id": st.just("fuzzed"), "schedule": _SCHEDULES, "created_at": _TIMES},
    optional={
        "repeat": st.fixed_dictionaries({"times": st.one_of(_HUGE, st.none()), "completed": _HUGE}),
        "enabled": st.booleans(),
        "state": st.sampled_from(["scheduled", "paused", "completed"]),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item=_JOBS, zone=st.sampled_from(["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"]))
def test_the_hermes_converter_raises_only_the_projects_errors(item: dict[str, Any], zone: str) -> None:
    try:
        jobs = load_bytes(hermes_store(item), base_url=BASE, timezone=zone)
        requests = translate_all(jobs, WIRING)
    except CronAdapterError:
        return
    # Dates, intervals and schedules never refuse the store: the odd job alone is left out.
    assert isinstance(jobs, JobSet) and "good" in {r.job_id for r in requests}


@settings(max_examples=200, deadline=None)
@given(schedule=_SHAPED, created_at=_TIMES)
def test_a_hermes_job_with_any_schedule_or_created_at_never_refuses_the_store(
    schedule: dict[str, Any], created_at: Any
) -> None:
    jobs = load_bytes(hermes_store({"id": "fuzzed", "schedule": schedule, "created_at": created_at}), base_url=BASE)
    assert "good" in {j.id for j in jobs.jobs}
    assert "good" in {r.job_id for r in translate_all(jobs, WIRING)}


# --- 2. base_url + path must join into the URL it looks like ------------------------------


@pytest.mark.parametrize("base_url", ["https://app.example.com?x=1", "https://app.example.com/api#frag"])
def test_a_base_url_with_a_query_or_fragment_is_refused(base_url: str) -> None:
    found = problems(native({"target": {"path": "/a"}}, {"target": {"base_url": base_url}}))
    assert [(p.job_id, p.field) for p in found] == [("j", "defaults.target.base_url")]
    assert "query" in found[0].message and "path" in found[0].fix
    found = problems(native({"target": {"base_url": base_url, "path": "/a"}}))
    assert [(p.job_id, p.field) for p in found] == [("j", "target.base_url")]


def test_a_base_url_flag_with_a_query_is_refused_for_foreign_formats() -> None:
    sidecar = json.dumps([{"name": "n", "schedule": "every 5m", "endpoint": "/n"}]).encode()
    assert [p.field for p in problems(sidecar, base_url="https://app.example.com?x=1")] == ["base_url"]
    assert [p.field for p in problems(hermes_store(), base_url="https://agent.example.com#f")] == ["base_url"]


@pytest.mark.parametrize("path", ["https://evil.example.com/x", "//evil.example.com/a", "HTTP://x", "mailto:a@b"])
def test_a_path_that_is_a_url_is_refused(path: str) -> None:
    found = problems(native({"target": {"path": path}}, {"target": {"base_url": "https://app.example.com"}}))
    assert [(p.job_id, p.field) for p in found] == [("j", "target.path")]
    assert "not a path" in found[0].message and "/api/run" in found[0].fix


@pytest.mark.parametrize("endpoint", ["https://evil.example.com/x", "//evil.example.com/a"])
def test_a_sidecar_endpoint_that_is_a_url_is_refused(endpoint: str) -> None:
    data = json.dumps([{"name": "n", "schedule": "every 5m", "endpoint": endpoint}]).encode()
    assert [(p.job_id, p.field) for p in problems(data, base_url="https://app.example.com")] == [("n", "endpoint")]


def test_paths_and_a_whole_default_url_still_join_as_before() -> None:
    defaults = {"target": {"base_url": "https://app.example.com/"}}
    assert load_bytes(native({"target": {"path": "/a?x=1"}}, defaults)).jobs[0].target.url == (
        "https://app.example.com/a?x=1"
    )
    whole = {"target": {"url": "https://app.example.com/run?x=1"}}
    assert load_bytes(native({}, whole)).jobs[0].target.url == "https://app.example.com/run?x=1"


# --- 3. url and path together ------------------------------------------------------------


def test_a_target_with_both_url_and_path_is_refused() -> None:
    found = problems(native({"target": {"url": "https://app.example.com/x", "path": "/y"}}))
    assert [(p.job_id, p.field) for p in found] == [("j", "target.path")]
    assert "url" in found[0].fix and "base_url + target.path" in found[0].fix


# --- 4. headers the fire path drops, or that break the request's framing ----------------


@pytest.mark.parametrize(
    "name", ["Host", "content-length", "Transfer-Encoding", "CONNECTION", "Keep-Alive", "TE", "Upgrade", "Trailer"]
)
def test_a_header_the_http_client_sets_is_refused(name: str) -> None:
    found = problems(native({"target": {"url": "https://app.example.com/x", "headers": {name: "chunked"}}}))
    assert [(p.job_id, p.field) for p in found] == [("j", "target.headers")]
    assert name in found[0].message and "remove" in found[0].fix


def test_every_header_the_fire_path_drops_is_refused_by_validation() -> None:
    assert policy.RESERVED_HEADERS is RESERVED_HEADERS  # one list, shared
    for name in sorted(RESERVED_HEADERS):
        found = problems(native({"target": {"url": "https://app.example.com/x", "headers": {name.title(): "v"}}}))
        assert [p.field for p in found] == ["target.headers"], name


# --- 5. editing a sidecar list names the real flags ---------------------------------------


def test_a_sidecar_edit_names_the_target_timeout_flag() -> None:
    data = json.dumps([{"name": "a", "schedule": "every 5m", "endpoint": "/a"}]).encode()
    job = {"id": "n", "schedule": "every 5m", "target": {"path": "/n"}, "timezone": "Europe/Berlin"}
    options = edit.StoreOptions(format="sidecar", base_url="https://app.example.com")
    with pytest.raises(InvalidJobsFile) as info:
        edit.add(data, job, options)
    problem = info.value.problems[0]
    assert problem.field == "timezone" and "--target-timeout" in problem.fix and "--store-timezone" in problem.fix
    assert "--timeout" not in problem.fix.replace("--target-timeout", "")


# --- 6. a schedule that can never fire between start_at and end_at ------------------------


@pytest.mark.parametrize(
    ("job", "field"),
    [
        ({"schedule": "at 2027-05-01T10:00", "end_at": "2027-04-01T00:00:00"}, "end_at"),
        ({"schedule": "at 2027-05-01T10:00", "end_at": "2027-05-01T10:00:00"}, "end_at"),  # EndDate is exclusive
        ({"schedule": "at 2027-05-01T10:00", "start_at": "2027-06-01T00:00:00"}, "start_at"),
        ({"schedule": "cron(0 9 * * ? 2025)", "start_at": "2026-01-01T00:00:00"}, "start_at"),
        ({"schedule": "cron(0 9 * * ? 2030)", "end_at": "2029-01-01T00:00:00"}, "end_at"),
        ({"schedule": "0 3 * * *", "start_at": "2027-01-01T04:00:00", "end_at": "2027-01-01T05:00:00"}, "end_at"),
    ],
)
def test_a_schedule_that_never_fires_in_its_window_is_refused(job: dict[str, Any], field: str) -> None:
    found = problems(native({"target": {"url": "https://app.example.com/x"}, **job}))
    assert [(p.job_id, p.field) for p in found] == [("j", field)]
    assert "never fires" in found[0].message and field in found[0].fix


@pytest.mark.parametrize(
    "job",
    [
        {"schedule": "at 2027-05-01T10:00", "start_at": "2027-05-01T10:00:00", "end_at": "2027-05-01T10:01:00"},
        {"schedule": "at 2027-05-01T10:00:00+00:00", "timezone": "Europe/Berlin", "end_at": "2027-05-01T12:01:00"},
        {"schedule": "cron(0 9 * * ? 2025-2030)", "start_at": "2026-01-01T00:00:00"},
        {"schedule": "every 1d", "end_at": "2027-01-01T00:00:00"},
    ],
)
def test_a_schedule_that_fires_in_its_window_is_accepted(job: dict[str, Any]) -> None:
    assert load_bytes(native({"target": {"url": "https://app.example.com/x"}, **job})).jobs


def test_a_hermes_interval_is_never_refused_for_its_window() -> None:
    jobs = load_bytes(hermes_store(), base_url=BASE)
    assert [j.id for j in jobs.jobs] == ["good"]
    assert jobs.jobs[0].start_at == datetime(2026, 12, 1, 22, 23, 38, tzinfo=UTC)
