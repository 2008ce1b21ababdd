"""Phase offsets and grace on moto: what reconcile writes, and that a second reconcile writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cron_adapter.reconcile.service import Options
from tests.adapters import reconcile_support as support
from tests.adapters.reconcile_support import World, jobset

aws_env = support.aws_env  # the shared pytest fixture
world = support.world  # the shared pytest fixture


def fifteen_minute_jobs(n: int) -> dict:
    jobs = [{"id": f"sync-{i}", "schedule": "every 15m", "target": {"path": f"/sync/{i}"}} for i in range(n)]
    return {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": jobs}


def test_phased_schedules_are_written_once_and_stay_on_their_grid(world: World) -> None:
    doc = fifteen_minute_jobs(40)
    before = datetime.now(UTC)
    grace = Options(workers=4, create_grace_seconds=90)
    assert world.reconciler(options=grace).run(lambda: jobset(doc)).counts["created"] == 40
    starts = {name: world.get(name)["StartDate"] for name in world.listed()}
    assert all(start >= before + timedelta(seconds=90) for start in starts.values())  # the grace period
    assert len({start.minute % 15 for start in starts.values()}) >= 10  # spread, not one burst
    world.calls.clear()
    assert world.reconciler(options=grace).run(lambda: jobset(doc)).status == "no-op"
    assert world.calls.writes() == 0  # the offsets are stable: nothing to rewrite
    assert {name: world.get(name)["StartDate"] for name in world.listed()} == starts
