"""The reliability suite: fault injection, fuzzing, security scans, a loopback load test."""

from __future__ import annotations

from tests.faults import tally


def pytest_sessionfinish(session, exitstatus) -> None:  # noqa: ANN001 - pytest hook signature
    tally.write()
