"""Fuzz the fire event through the real fire handler on the embedded emulator.

EventBridge delivers the schedule's input, but an input can be edited by hand, written by an
older version, or forged: any JSON may arrive. Each generated event is the sample event with
one field replaced by any JSON value (wrong types, huge numbers and strings, NaN, unicode,
lone surrogates, deep nesting), removed, or joined by an unknown one, or is any JSON value
at all. Every event is either fired (an outcome with a run status), or refused before
anything is claimed, called or recorded, counted as ``MalformedInput``, with a refusal that
names the field. Nothing else may escape the handler.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cron_adapter import constants as c
from tests.faults import tally
from tests.faults.firerig import FireRig, metrics
from tests.faults.rawtarget import RawTarget
from tests.faults.refusals import REFUSALS, sealed

EVENTS = Path(__file__).resolve().parents[2] / "events"
BASE: dict[str, Any] = json.loads((EVENTS / "fire.json").read_text())
STATUSES = {"succeeded", "accepted", "failed", "gone", "skipped", "queued", "lost", "duplicate"}
FUZZ = settings(
    max_examples=tally.examples(120, 1500),
    deadline=timedelta(seconds=10),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # one emulator serves every example; counts are compared per example
    ],
    derandomize=True,
    database=None,
)
# Every field of the event, the optional ones included, as a path of keys.
PATHS: list[tuple[str, ...]] = [
    ("v",), ("job_id",), ("scheduled_time",), ("attempt",), ("schedule",), ("spec_hash",), ("run",), ("job",),
    ("job", "target"), ("job", "overlap"), ("job", "delivery"), ("job", "max_runs"), ("job", "end_at"),
    ("job", "one_shot"), ("job", "retry"), ("job", "schedules"), ("job", "retry", "attempts"),
    ("job", "retry", "backoff"), ("job", "retry", "max_backoff"), ("job", "target", "url"),
    ("job", "target", "method"), ("job", "target", "headers"), ("job", "target", "body"),
    ("job", "target", "timeout"), ("job", "target", "auth"), ("job", "target", "audience"),
    ("job", "target", "issuer"),
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=10).map(lambda s: s + "\ud800"),  # a lone surrogate
    st.sampled_from(["", " ", "2026-11-23T03:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "NaN", "1e309"]),
    st.sampled_from(["<aws.scheduler.scheduled-time>", "<aws.scheduler.attempt-number>", "queue", "GET", "jwt"]),
    st.just("x" * 300_000),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = {"a": [value]}
    return value


@st.composite
def events(draw: st.DrawFn) -> Any:
    """The sample event with one field edited, or any JSON value."""
    kind = draw(st.sampled_from(["replace", "replace", "replace", "remove", "extra", "nested", "anything"]))
    if kind == "anything":
        return draw(json_values)
    event = json.loads(json.dumps(BASE))
    path = draw(st.sampled_from(PATHS))
    parent = event
    for key in path[:-1]:
        parent = parent.setdefault(key, {}) if isinstance(parent.get(key, {}), dict) else {}
    if kind == "remove":
        parent.pop(path[-1], None)
    elif kind == "extra":
        parent[draw(st.text(min_size=1, max_size=12))] = draw(json_values)
    elif kind == "nested":
        parent[path[-1]] = nested(draw(st.sampled_from([40, 300, 2000])))
    else:
        parent[path[-1]] = draw(json_values)
    return event


@pytest.fixture
def armed(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FireRig, RawTarget]]:
    """One rig and one target for every example of a test."""
    rig = FireRig(emulator, monkeypatch)
    with RawTarget() as target:
        BASE["job"]["target"]["url"] = target.url
        yield rig, target


def fire_once(rig: FireRig, target: RawTarget, event: Any) -> str:
    """Deliver one event; return "accepted" or "refused", fail on anything else."""
    writes, calls = sum(rig.dynamodb.calls.values()), len(target.seen)
    delivery = rig.deliver(sealed(event))
    if delivery.error is None:
        assert delivery.result is not None and delivery.result["status"] in STATUSES, delivery.result
        return "accepted"
    assert isinstance(delivery.error, REFUSALS), f"unhandled {type(delivery.error).__name__}: {delivery.error}"
    assert sum(rig.dynamodb.calls.values()) == writes, "a refused event wrote to the table"
    assert len(target.seen) == calls, "a refused event called the target"
    first_line = str(delivery.error).splitlines()[0]
    assert first_line and len(first_line) < 500 and "Traceback" not in first_line
    return "refused"


@FUZZ
@given(event=events())
def test_any_fire_event_is_fired_or_refused_before_anything_is_called(
    armed: tuple[FireRig, RawTarget], event: Any
) -> None:
    rig, target = armed
    tally.add("fuzz.fire_event", tried=1, **{fire_once(rig, target, event): 1})


NASTY: list[Any] = [
    None, True, -1, 10**400, math.nan, math.inf, "", "\ud800", "a\udfff", "x" * 300_000, [], {}, ["\ud800"],
    {"\ud800": 1}, {"a": math.nan}, nested(2000),
]  # fmt: skip


def test_every_field_with_every_nasty_value_is_fired_or_refused(armed: tuple[FireRig, RawTarget]) -> None:
    """The systematic half: each field of the event replaced by each value known to break parsers."""
    rig, target = armed
    for path in PATHS:
        for value in NASTY:
            event = json.loads(json.dumps(BASE))
            parent = event
            for key in path[:-1]:
                parent = parent.setdefault(key, {})
            parent[path[-1]] = value
            outcome = fire_once(rig, target, event)
            tally.add("fuzz.fire_event", tried=1, **{outcome: 1})


def test_refused_events_are_counted_and_valid_ones_fired(
    armed: tuple[FireRig, RawTarget], capsys: pytest.CaptureFixture[str]
) -> None:
    rig, target = armed
    bad = [[], "event", None, math.nan, {**BASE, "scheduled_time": "<aws.scheduler.scheduled-time>"}, {"v": 1}]
    outcomes = [fire_once(rig, target, event) for event in [*bad, BASE]]
    assert outcomes == ["refused"] * len(bad) + ["accepted"]
    counted = metrics(capsys.readouterr().out)
    assert counted[c.METRIC_INPUT_MALFORMED] == len(bad) and counted[c.METRIC_CLAIMED] == 1, counted
    tally.add("fuzz.fire_event", tried=len(outcomes), refused=len(bad), accepted=1)
