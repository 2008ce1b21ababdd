"""A jobs file too large for the reconcile Lambda's memory is refused with a clear error, not read."""

from __future__ import annotations

import json

import pytest

from cron_adapter.errors import InvalidJobsFile
from cron_adapter.jobs import rawjson
from cron_adapter.jobs.loader import load_bytes


def _refusal(data: bytes, **kw: str) -> InvalidJobsFile:
    with pytest.raises(InvalidJobsFile) as exc:
        load_bytes(data, **kw)
    return exc.value


def test_a_file_over_32_mib_is_refused_before_it_is_parsed():
    data = b'{"version": 1, "jobs": []}' + b" " * rawjson.MAX_FILE_BYTES
    (problem,) = _refusal(data).problems
    assert problem.field == "(file)" and problem.message.startswith("the file is 32.0 MiB, over the 32 MiB")
    assert "several cron-adapter stacks" in problem.fix


@pytest.mark.parametrize(
    ("shape", "fmt"),
    [
        (lambda jobs: {"version": 1, "jobs": jobs}, None),
        (lambda jobs: {"jobs": jobs}, "hermes"),
        (lambda jobs: jobs, "sidecar"),
    ],
)
def test_more_jobs_than_one_stack_carries_are_refused_in_every_format(monkeypatch, shape, fmt):
    monkeypatch.setattr(rawjson, "MAX_JOBS", 3)
    jobs = [{"id": f"j{i}", "schedule": "every 5m", "target": {"url": "https://app.example.com/x"}} for i in range(4)]
    kw = {"format": fmt} if fmt else {}
    (problem,) = _refusal(json.dumps(shape(jobs)).encode(), **kw).problems
    assert problem.field == "jobs" and problem.message == "the file has 4 jobs, over the 3 one stack carries"
    assert load_bytes(json.dumps({"version": 1, "jobs": jobs[:3]}).encode()).jobs  # 3 is allowed


def test_the_limit_is_the_measured_scale():
    assert rawjson.MAX_JOBS == 100_000 and rawjson.MAX_FILE_BYTES == 32 * 2**20
