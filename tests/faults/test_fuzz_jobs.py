"""Fuzz the jobs file: every input validates and plans, or is refused whole naming job and field.

Never a traceback, never a partial apply, never a hang (each case has a deadline). The
default run tries a few hundred files; ``CRON_ADAPTER_HEAVY=1`` (the separate CI step) tries
over 10,000 across the three formats.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cron_adapter.errors import InvalidJobsFile
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.reconcile.translate import Wiring, translate_all
from tests.faults import jobgen, tally

WIRING = Wiring.offline()
BASE_URL = "https://app.example.com"
FUZZ = settings(
    max_examples=tally.examples(150, 3400),
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    derandomize=True,  # the same cases every run: a failure here is reproducible, never flaky
    database=None,
)


def check(data: bytes, fmt: str | None) -> str:
    """Load and translate one file; return "accepted" or "refused", fail on anything else."""
    try:
        translate_all(load_bytes(data, format=fmt, base_url=BASE_URL), WIRING)
    except InvalidJobsFile as exc:
        assert exc.problems, "a refusal lists its problems"
        for problem in exc.problems:
            assert problem.field and problem.message, problem
            assert "\n" not in str(problem) and "Traceback" not in str(problem), problem
            assert len(str(problem)) < 2000, "a problem is one readable line"
            str(problem).encode("utf-8")  # printable: no lone surrogate echoed back
        return "refused"
    return "accepted"


def _fuzz(section: str, data: bytes, fmt: str | None) -> None:
    outcome = check(data, fmt)
    tally.add(section, tried=1, **{outcome: 1})


@FUZZ
@given(jobgen.encoded(jobgen.native_file()))
def test_fuzzed_native_files_validate_or_are_refused_whole(data: bytes) -> None:
    _fuzz("fuzz.native", data, None)


@FUZZ
@given(jobgen.encoded(jobgen.hermes_file()))
def test_fuzzed_hermes_stores_validate_or_are_refused_whole(data: bytes) -> None:
    _fuzz("fuzz.hermes", data, "hermes")


@FUZZ
@given(jobgen.encoded(jobgen.sidecar_file()))
def test_fuzzed_sidecar_lists_validate_or_are_refused_whole(data: bytes) -> None:
    _fuzz("fuzz.sidecar", data, "sidecar")


@settings(FUZZ, max_examples=tally.examples(40, 300))
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_are_refused_cleanly(data: bytes) -> None:
    _fuzz("fuzz.bytes", data, None)


@pytest.mark.parametrize("schedule", jobgen.BAD_SCHEDULES)
def test_every_bad_schedule_is_refused_naming_the_job(schedule: str) -> None:
    doc = {"version": 1, "jobs": [{"id": "j", "schedule": schedule, "target": {"url": BASE_URL + "/x"}}]}
    with pytest.raises(InvalidJobsFile) as info:
        translate_all(load_bytes(json.dumps(doc).encode()), WIRING)
    assert [(p.job_id, p.field) for p in info.value.problems] == [("j", "schedule")]


def test_duplicate_ids_refuse_the_whole_file() -> None:
    jobs: list[dict[str, Any]] = [{"id": "dup", "schedule": "every 5m", "target": {"url": BASE_URL}}] * 2
    with pytest.raises(InvalidJobsFile) as info:
        load_bytes(json.dumps({"version": 1, "jobs": jobs}).encode())
    assert [(p.job_id, p.field) for p in info.value.problems] == [("dup", "id")]
