"""The audit Lambda near its deadline on moto: the jobs it leaves reach CloudWatch as AuditIncomplete."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from cron_adapter import constants as c
from handlers import audit as audit_handler
from tests.adapters import ops_support, test_audit_handler
from tests.adapters.ops_support import OpsWorld, job, jobs_doc
from tests.adapters.test_audit_handler import upload
from tests.adapters.test_fire_handler import Context

ops = ops_support.ops  # the shared pytest fixtures
lam = test_audit_handler.lam


@dataclass
class ShortContext(Context):
    """A Lambda context with time for ``calls`` checks of the deadline, then 10 s left."""

    calls: int = 1

    def get_remaining_time_in_millis(self) -> int:
        self.calls -= 1
        return 60_000 if self.calls >= 0 else 10_000


def test_an_audit_stopped_by_its_deadline_publishes_audit_incomplete_for_the_deployment(
    lam: OpsWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    jobs = [job(i) | {"target": {"url": f"https://app.example.com/run/{i}"}} for i in ("a-one", "b-two", "c-three")]
    upload(jobs)
    lam.apply(jobs_doc(*jobs))
    capsys.readouterr()
    report = audit_handler.handler({"source": "aws.events"}, ShortContext(calls=1))
    assert report["jobs"] == 1 and report["unaudited"] == 2
    assert report["errors"] == ["stopped early: Lambda deadline near, 2 jobs not audited"]
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    published = [e for e in emf if c.METRIC_AUDIT_INCOMPLETE in e]
    assert [e[c.METRIC_AUDIT_INCOMPLETE] in (2.0, [2.0]) for e in published] == [True]
    [scope] = published
    assert scope["service"] == "deployment-a"  # the dimension the alarm matches
    assert scope["_aws"]["CloudWatchMetrics"][0]["Namespace"] == c.METRICS_NAMESPACE
