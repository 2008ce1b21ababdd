"""The fire input validator: every bound, and a one-line error naming the field and what is wrong."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cron_adapter import kinds as k
from cron_adapter.errors import FireInputRefused
from cron_adapter.fire.input import input_dict, parse_input, parse_input_json, replace_input
from tests.unit.fire.conftest import load_event

ROOT = Path(__file__).resolve().parents[3]


def _event(**changes: Any) -> dict[str, Any]:
    """The sample event, with ``changes`` applied by dotted path (``job.retry.attempts``)."""
    event = load_event("fire.json")
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        node = event
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return event


def _refusal(event: Any) -> str:
    with pytest.raises(FireInputRefused) as caught:
        parse_input(event)
    assert caught.value.reason == "malformed"
    return str(caught.value)


def test_the_sample_event_parses_with_the_shared_defaults() -> None:
    fire = parse_input(load_event("fire.json"))
    assert fire.attempt == 1  # EventBridge substitutes the attempt as the string "1"
    assert fire.scheduled_time == datetime(2026, 11, 23, 3, tzinfo=UTC)
    assert fire.job.retry.attempts == k.DEFAULT_ATTEMPTS and fire.job.target.method == k.DEFAULT_METHOD
    assert fire.job.overlap == k.DEFAULT_OVERLAP and fire.job.schedules == ("nightly-report",)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"job__retry__attempts": 2**63}, "job.retry.attempts: Expected `int` <= 10"),
        ({"job__retry__attempts": 0}, "job.retry.attempts: Expected `int` >= 1"),
        ({"job__retry__attempts": True}, "job.retry.attempts: Expected `int`, got `bool`"),
        ({"job__retry__backoff": -1}, "job.retry.backoff: Expected `float` >= 0.0"),
        ({"job__retry__backoff": math.nan}, "job.retry.backoff: Expected `float` >= 0.0"),
        ({"job__retry__max_backoff": math.inf}, "job.retry.max_backoff: Expected `float` <= 300.0"),
        ({"job__target__timeout": math.nan}, "job.target.timeout: Expected `float` >= 0.1"),
        ({"job__target__timeout": "nan"}, "job.target.timeout: Expected `float` >= 0.1"),
        ({"job__target__timeout": math.inf}, "job.target.timeout: Expected `float` <= 840.0"),
        ({"job__target__timeout": 0}, "job.target.timeout: Expected `float` >= 0.1"),
        ({"job__target__method": "get"}, "job.target.method: Invalid enum value 'get'"),
        ({"job__target__url": ""}, "job.target.url: Expected `str` of length >= 1"),
        ({"job__target__headers": {"X-A": "a\r\nb"}}, "job.target.headers: header 'X-A' has a control character"),
        ({"job__target__headers": {"X:Y": "a"}}, "job.target.headers: header name 'X:Y' is not a valid HTTP token"),
        ({"job__max_runs": 0}, "job.max_runs: Expected `int` >= 1"),
        ({"job__end_at": "0001-01-01T00:00:00Z"}, "job.end_at: year 1 is outside 2000..2199"),
        ({"job__schedules": ["s"] * 17}, "job.schedules: Expected `array` of length <= 16"),
        ({"job__overlap": "sometimes"}, "job.overlap: Invalid enum value 'sometimes'"),
        ({"scheduled_time": "0001-01-01T00:00:00Z"}, "scheduled_time: year 1 is outside 2000..2199"),
        ({"scheduled_time": "9999-12-31T23:59:59Z"}, "scheduled_time: year 9999 is outside 2000..2199"),
        ({"scheduled_time": "<aws.scheduler.scheduled-time>"}, "scheduled_time: Invalid RFC3339 encoded datetime"),
        ({"attempt": "<aws.scheduler.attempt-number>"}, "attempt: Expected `int`, got `str`"),
        ({"attempt": 10_001}, "attempt: Expected `int` <= 10000"),
        ({"job_id": ""}, "job_id: Expected `str` of length >= 1"),
        ({"run": "Not A Label"}, "run: Expected `str` matching regex"),
        ({"surprise": 1}, "the event: Object contains unknown field `surprise`"),
        ({"job__target__surprise": 1}, "job.target: Object contains unknown field `surprise`"),
        ({"job": [1]}, "job: Expected `object`, got `array`"),
    ],
)
def test_an_out_of_bounds_field_is_refused_in_one_line_naming_it(changes: dict[str, Any], expected: str) -> None:
    message = _refusal(_event(**changes))
    assert message.startswith(f"malformed fire input: {expected}"), message
    assert "\n" not in message


@pytest.mark.parametrize("event", [None, [], "text", 3])
def test_an_event_that_is_not_an_object_is_refused(event: Any) -> None:
    assert _refusal(event).startswith("malformed fire input: the event: Expected `object`")


def test_a_missing_job_is_named() -> None:
    event = load_event("fire.json")
    del event["job"]
    assert _refusal(event) == "malformed fire input: the event: Object missing required field `job`"


def test_json_that_is_not_json_is_refused_as_malformed() -> None:
    with pytest.raises(FireInputRefused, match="malformed fire input: not JSON"):
        parse_input_json(b'{"job_id": ')


def test_input_dict_round_trips_and_replace_input_changes_only_what_it_names() -> None:
    fire = parse_input(load_event("fire.json"))
    assert parse_input(json.loads(json.dumps(input_dict(fire)))) == fire
    later = replace_input(fire, scheduled_time=datetime(2026, 11, 24, tzinfo=UTC), run="catch-up", attempt=1)
    assert later.run == "catch-up" and later.job == fire.job and fire.run is None


def test_importing_the_fire_handler_imports_no_pydantic_nor_powertools_parameters() -> None:
    # The jwt signer too: only a fire of an auth: jwt target imports it.
    heavy = (
        "pydantic",
        "pydantic_core",
        "aws_xray_sdk",
        "aws_lambda_powertools.utilities.parameters",
        "cron_adapter.fire.jwt",
    )
    code = f"import sys, handlers.fire; print(sorted(m for m in sys.modules if m.startswith({heavy!r})))"
    env = {"PATH": "", "AWS_DEFAULT_REGION": "us-east-1", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert out.stdout.strip() == "[]"


def test_importing_the_fire_handler_creates_no_dataclass_of_this_project() -> None:
    """A frozen dataclass costs ~340 µs to create, a msgspec Struct ~12 µs: the cold fire path keeps to Structs."""
    code = (
        "import dataclasses, inspect, sys, handlers.fire\n"
        "print(sorted(f'{n}.{k}' for n, m in list(sys.modules.items()) if n.startswith(('cron_adapter', 'handlers'))"
        " for k, v in vars(m).items() if inspect.isclass(v) and v.__module__ == n and dataclasses.is_dataclass(v)))"
    )
    env = {"PATH": "", "AWS_DEFAULT_REGION": "us-east-1", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert out.stdout.strip() == "[]"


def test_the_fire_input_and_the_jobs_file_share_one_runtime_shape() -> None:
    """Retry bounds and defaults agree with the jobs-file model: both read them from kinds.py."""
    import msgspec.inspect

    from cron_adapter.fire.input import FireRetry
    from cron_adapter.jobs.model import RetryIn, RetryPolicy

    info = msgspec.inspect.type_info(FireRetry)
    assert isinstance(info, msgspec.inspect.StructType)
    fire_fields = {f.name: f for f in info.fields}
    assert set(fire_fields) == set(RetryIn.model_fields)
    for name, field in RetryIn.model_fields.items():
        bounds = {key: getattr(m, key) for m in field.metadata for key in ("ge", "le") if hasattr(m, key)}
        kind = fire_fields[name].type
        assert bounds == {"ge": getattr(kind, "ge", None), "le": getattr(kind, "le", None)}, name
        assert fire_fields[name].default == getattr(RetryPolicy(), name), name
