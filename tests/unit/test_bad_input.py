"""Inputs a careless or hostile user writes: each is refused with its job and field, never a traceback."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cron_adapter.errors import InvalidJobsFile
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.kinds import MAX_YEAR, MIN_YEAR
from cron_adapter.reconcile.translate import Wiring, translate_all

WIRING = Wiring.offline()
URL = "https://app.example.com/run"


def native(job: dict[str, Any] | None = None, **top: Any) -> bytes:
    base = {"id": "j", "schedule": "every 5m", "target": {"url": URL}, **(job or {})}
    return json.dumps({"version": 1, "jobs": [base], **top}).encode()


def refusal(data: bytes, **kw: Any) -> tuple[str | None, str, str]:
    """The first problem of a refused file as (job, field, message)."""
    with pytest.raises(InvalidJobsFile) as info:
        translate_all(load_bytes(data, **kw), WIRING)
    first = info.value.problems[0]
    return first.job_id, first.field, first.message


# --- numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "schedule",
    [
        "every 99999999999999999999m",
        "every 1000000000d",
        "every " + "9" * 5000 + "m",
        "every 3651d",
        "rate(99999999999999999999 minutes)",
        "*/" + "9" * 5000 + " * * * *",
        "cron(0 " + "9" * 5000 + " * * ? *)",
    ],
)
def test_huge_numbers_in_a_schedule_are_refused(schedule: str) -> None:
    job, field, message = refusal(native({"schedule": schedule}))
    assert (job, field) == ("j", "schedule") and len(message) < 300


def test_a_5000_digit_number_anywhere_is_refused_as_json() -> None:
    data = native().replace(b'"every 5m"', b'"every 5m", "jitter": ' + b"9" * 5000)
    assert refusal(data)[:2] == (None, "(json)")


def test_other_scripts_digits_are_not_numbers() -> None:
    assert refusal(native({"schedule": "every \u0661\u0662m"}))[:2] == ("j", "schedule")
    assert refusal(native({"schedule": "\u0661 * * * *"}))[:2] == ("j", "schedule")


def test_max_runs_has_an_upper_bound() -> None:
    assert refusal(native({"max_runs": 10**20}))[:2] == ("j", "max_runs")


# --- dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "schedule",
    [
        "at 0001-01-01T00:00",
        "at 0001-01-01T00:00+05:00",
        "at 0999-06-01T00:00",
        "at 9999-12-31T23:59",
        "at 9999-12-31T23:59-05:00",
        "at(0999-06-01T00:00:00)",
        "2199-12-31T23:30:00-05:00",  # 2200 in the job's zone
    ],
)
def test_one_shots_outside_eventbridge_years_are_refused(schedule: str) -> None:
    job, field, message = refusal(native({"schedule": schedule, "timezone": "Europe/Berlin"}))
    assert (job, field) == ("j", "schedule") and f"{MIN_YEAR}-{MAX_YEAR}" in message


@pytest.mark.parametrize(
    ("field", "value", "zone"),
    [
        ("start_at", "0001-01-01T00:00:00", "Europe/Berlin"),
        ("start_at", "0001-01-01T00:00:00", "UTC"),
        ("start_at", "0999-01-01T00:00:00+00:00", "UTC"),
        ("end_at", "9999-12-31T23:59:59", "Pacific/Kiritimati"),
        ("end_at", "9999-12-31T23:59:59-05:00", "UTC"),
    ],
)
def test_start_and_end_outside_eventbridge_years_are_refused(field: str, value: str, zone: str) -> None:
    assert refusal(native({field: value, "timezone": zone}))[:2] == ("j", field)


def test_a_one_shot_in_range_still_plans() -> None:
    (request,) = translate_all(load_bytes(native({"schedule": "at 2030-01-01T10:00"})), WIRING)
    assert request.request["ScheduleExpression"] == "at(2030-01-01T10:00:00)"


# --- timezones ---------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Europe", "America/Argentina", "A" * 5000, "../../etc/passwd", "UT\x00C", ""])
def test_directory_long_and_odd_timezone_names_are_refused(zone: str) -> None:
    job, field, message = refusal(native({"timezone": zone} if zone else None, defaults={"timezone": "Europe"}))
    assert job == "j" and field in ("timezone", "defaults.timezone") and len(message) < 200


# --- unicode and nesting -------------------------------------------------------------


def _with_surrogate(where: str) -> bytes:
    doc = json.loads(native({"description": "ok", "target": {"url": URL, "headers": {"X-A": "a"}, "body": {"a": 1}}}))
    job = doc["jobs"][0]
    if where == "description":
        job["description"] = "\ud800"
    elif where == "target.url":
        job["target"]["url"] = URL + "\udfff"
    elif where == "target.headers.X-A":
        job["target"]["headers"]["X-A"] = "\ud800x"
    elif where == "target.headers.(key)":
        job["target"]["headers"] = {"\ud800": "a"}
    else:
        job["target"]["body"] = {"a": "\ud800"}
    return json.dumps(doc).encode()


@pytest.mark.parametrize("where", ["description", "target.url", "target.headers.X-A", "target.headers.(key)", "body"])
def test_a_lone_surrogate_is_refused_naming_job_and_field(where: str) -> None:
    job, field, _ = refusal(_with_surrogate(where))
    assert job == "j" and field == ("target.body.a" if where == "body" else where)


def test_a_lone_surrogate_in_a_path_names_the_path() -> None:
    doc = {
        "version": 1,
        "defaults": {"target": {"base_url": "https://app.example.com"}},
        "jobs": [{"id": "j", "schedule": "every 5m", "target": {"path": "/a\ud800"}}],
    }
    assert refusal(json.dumps(doc).encode())[:2] == ("j", "target.path")


def test_raw_surrogate_bytes_are_not_utf8() -> None:
    data = native({"description": "X"}).replace(b'"X"', b'"\xed\xa0\x80"')
    job, field, message = refusal(data)
    assert (job, field) == (None, "(json)") and "UTF-8" in message


def test_a_complete_surrogate_pair_is_fine() -> None:
    (request,) = translate_all(load_bytes(native({"description": "\U0001f600"})), WIRING)
    assert "\U0001f600" in request.request["Description"]


@pytest.mark.parametrize("levels", [1000, 100_000])
def test_json_nested_deeper_than_the_parser_goes_is_refused(levels: int) -> None:
    assert refusal(b"[" * levels + b"]" * levels)[:2] == (None, "(json)")


@pytest.mark.parametrize("levels", [33, 300, 900])
def test_a_deeply_nested_body_is_refused(levels: int) -> None:
    data = native().replace(b'{"url"', b'{"body": ' + b"[" * levels + b"]" * levels + b', "url"')
    assert refusal(data)[:2] == ("j", "target.body")


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_not_json(constant: bytes) -> None:
    data = native({"target": {"url": URL, "timeout": 1}}).replace(b'"timeout": 1', b'"timeout": ' + constant)
    assert refusal(data)[:2] == (None, "(json)")


# --- strict types --------------------------------------------------------------------


@pytest.mark.parametrize("value", ["yes", "true", 1, "1"])
def test_allow_mass_delete_takes_booleans_only(value: Any) -> None:
    assert refusal(native(allow_mass_delete=value))[:2] == (None, "allow_mass_delete")


@pytest.mark.parametrize("value", [True, 1.0, "1"])
def test_version_must_be_the_integer_one(value: Any) -> None:
    data = json.dumps({"version": value, "jobs": []}).encode()
    assert refusal(data)[:2] == (None, "version")


@pytest.mark.parametrize(
    ("job", "field"),
    [
        ({"target": {"url": URL, "timeout": "30"}}, "target.timeout"),
        ({"target": {"url": URL, "timeout": True}}, "target.timeout"),
        ({"enabled": "false"}, "enabled"),
        ({"enabled": 0}, "enabled"),
        ({"jitter": "5"}, "jitter"),
        ({"jitter": 5.0}, "jitter"),
        ({"max_runs": "3"}, "max_runs"),
        ({"retry": {"attempts": "3"}}, "retry.attempts"),
    ],
)
def test_numbers_and_switches_are_not_coerced_from_strings(job: dict[str, Any], field: str) -> None:
    assert refusal(native(job))[:2] == ("j", field)


def test_integer_timeouts_are_still_numbers() -> None:
    jobs = load_bytes(native({"target": {"url": URL, "timeout": 30}}, allow_mass_delete=False))
    assert jobs.jobs[0].target.timeout == 30 and jobs.allow_mass_delete is False


@pytest.mark.parametrize("timeout", [1e-127, 0.001, 0.0999, 0])
def test_a_timeout_too_short_to_open_a_connection_is_refused(timeout: float) -> None:
    job, field, message = refusal(native({"target": {"url": URL, "timeout": timeout}}))
    assert (job, field) == ("j", "target.timeout") and "0.1" in message


# --- hermes and sidecar readers ------------------------------------------------------


def hermes(**job: Any) -> bytes:
    return json.dumps({"jobs": [{"id": "a", "schedule": {"kind": "interval", "minutes": 5}, **job}]}).encode()


@pytest.mark.parametrize(
    ("data", "job", "field"),
    [
        (hermes(repeat=[1]), "a", "repeat"),
        (hermes(repeat="3"), "a", "repeat"),
        (hermes(name=5), "a", "name"),
        (hermes(name={"x": 1}), "a", "name"),
        (hermes(id="x" * 600), "x" * 600, "id"),
        (hermes(repeat={"times": 10**20}), "a", "repeat.times"),
        (hermes(schedule={"kind": []}), "a", "schedule.kind"),  # unhashable: raised TypeError
        (hermes(schedule={"kind": {"cron": 1}}), "a", "schedule.kind"),
        (hermes(schedule=[]), "a", "schedule.kind"),
    ],
)
def test_the_hermes_reader_refuses_instead_of_crashing(data: bytes, job: str, field: str) -> None:
    assert refusal(data, base_url="https://agent.example.com")[:2] == (job, field)


@pytest.mark.parametrize(
    "schedule", [{"kind": "interval", "minutes": 10**30}, {"kind": "once", "run_at": "0001-01-01T00:00:00+00:00"}]
)
def test_a_hermes_schedule_eventbridge_cannot_take_is_left_unscheduled(schedule: dict[str, Any]) -> None:
    jobs = load_bytes(hermes(schedule=schedule), base_url="https://agent.example.com")
    assert jobs.jobs == () and [(p.job_id, p.field) for p in jobs.unscheduled] == [("a", "schedule")]


def test_a_very_long_id_is_shortened_when_printed() -> None:
    with pytest.raises(InvalidJobsFile) as info:
        load_bytes(native({"id": "x" * 10_000}))
    assert len(str(info.value.problems[0])) < 300 and "(10000 characters)" in str(info.value.problems[0])


def test_a_null_repeat_is_no_limit() -> None:
    (job,) = load_bytes(hermes(repeat=None), base_url="https://agent.example.com").jobs
    assert job.max_runs is None


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"timeout": "30"}, "timeout"), ({"method": {"a": 1}}, "method"), ({"name": "n" * 600}, "name")],
)
def test_the_sidecar_reader_names_the_field_as_the_file_spells_it(extra: dict[str, Any], field: str) -> None:
    item = {"name": "a", "schedule": "every 5m", "endpoint": "/x", **extra}
    assert refusal(json.dumps([item]).encode(), base_url="https://app.example.com")[1] == field


@pytest.mark.parametrize("char", ["\x00", "\n", "\r", "\t", "\x1f", "\x7f", "\x85", "\x9f"])
def test_a_job_id_with_a_control_character_is_refused(char: str) -> None:
    assert refusal(native({"id": f"a{char}b"}))[1:] == (
        "id",
        "the job id contains a control character (CR, LF, tab, ...)",
    )


@pytest.mark.parametrize("job_id", ["a\xa0b", "caf\xe9", "tenant-1:job 2", "\U0001f600"])
def test_printable_non_ascii_job_ids_are_accepted(job_id: str) -> None:
    (request,) = translate_all(load_bytes(native({"id": job_id})), WIRING)
    assert request.job_id == job_id


@pytest.mark.parametrize(
    "body", [{"flat": 1, "list": [1, 2]}, [[[{"x": [1]}]]], {"a": [{"b": {}}]}, "[" * 31 + "]" * 31]
)
def test_a_body_within_the_depth_limit_is_kept_as_written(body: Any) -> None:
    body = json.loads(body) if isinstance(body, str) else body
    (request,) = translate_all(load_bytes(native({"target": {"url": URL, "body": body}})), WIRING)
    assert json.loads(request.request["Target"]["Input"])["job"]["target"]["body"] == body
