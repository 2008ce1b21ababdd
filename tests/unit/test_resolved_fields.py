"""Resolution builds ``Job`` and ``Target`` positionally, for speed: every value must land in its own field."""

from __future__ import annotations

import json
from datetime import datetime

from cron_adapter.jobs.loader import load_bytes
from cron_adapter.jobs.model import RetryPolicy


def test_every_field_of_a_resolved_job_holds_its_own_value() -> None:
    # Each field gets a value no other field has, so a swap of any two fails.
    doc = {
        "version": 1,
        "defaults": {"target": {"base_url": "https://app.example.com"}},
        "jobs": [
            {
                "id": "all-fields",
                "schedule": "every 30m",
                "timezone": "Europe/Berlin",
                "enabled": False,
                "start_at": "2027-01-01T00:00:00",
                "end_at": "2028-01-01T00:00:00",
                "max_runs": 7,
                "jitter": 3,
                "overlap": "queue",
                "delivery": "at-most-once",
                "catch_up": "latest",
                "catch_up_window": 45,
                "pause_after_failures": 5,
                "retry": {"attempts": 4, "backoff": 2.5, "max_backoff": 40},
                "description": "every field set",
                "fire_on_create": True,
                "target": {
                    "path": "/run",
                    "method": "PUT",
                    "headers": {"X-Team": "ops"},
                    "body": {"k": 1},
                    "timeout": 12,
                },
            }
        ],
    }
    (job,) = load_bytes(json.dumps(doc).encode()).jobs
    written = doc["jobs"][0]
    resolved = job._asdict()
    scalars = {name: value for name, value in written.items() if name not in ("target", "retry", "start_at", "end_at")}
    assert {name: resolved[name] for name in scalars} == scalars
    assert (job.start_at, job.end_at) == (datetime(2027, 1, 1), datetime(2028, 1, 1))
    assert job.retry == RetryPolicy(attempts=4, backoff=2.5, max_backoff=40)
    assert (job.source, job.done, job.phase) == ("native", False, "auto")
    assert set(resolved) == {*written, "source", "done", "phase"}  # no field left unchecked
    assert job.target._asdict() == {
        "url": "https://app.example.com/run",
        "method": "PUT",
        "headers": {"X-Team": "ops"},
        "body": {"k": 1},
        "timeout": 12,
        "auth": "secret",
        "audience": None,
        "issuer": None,
    }


def test_a_hermes_job_is_resolved_with_its_format_and_done_flag() -> None:
    store = {
        "jobs": [
            {
                "id": "h1",
                "name": "nightly",
                "prompt": "p",
                "schedule": {"kind": "cron", "expr": "0 3 * * *"},
                "state": "completed",
            }
        ]
    }
    (job,) = load_bytes(json.dumps(store).encode(), base_url="https://agent.example.com").jobs
    assert (job.source, job.done, job.id) == ("hermes", True, "h1")
