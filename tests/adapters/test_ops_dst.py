"""DST days on moto: the auditor, catch-up, ``runs`` and ``status`` over spring-forward and fall-back.

A job at 01:30, 02:30 and 03:30 local time, on the four 2026 transition days of Berlin and
New York. EventBridge skips a wall time in the spring-forward gap and fires a repeated wall
time once, at its first occurrence. The UTC times below are written out by hand (not asked
of the engine), so the test checks the engine as much as the auditor built on it.
"""

from __future__ import annotations

import argparse
import json
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from cron_adapter import constants as c
from cron_adapter.cli import main
from cron_adapter.cli.status import status_lines
from cron_adapter.fire.input import iso_utc
from cron_adapter.ops.audit import AuditConfig
from tests.adapters import ops_support
from tests.adapters.ops_support import GROUP, TABLE, OpsWorld, job, jobs_doc

ops = ops_support.ops  # the shared pytest fixture

SCHEDULE = "30 1,2,3 * * *"


@dataclass(frozen=True)
class DstDay:
    zone: str
    fires: tuple[str, ...]  # what EventBridge fires that day, UTC
    not_fired: str | None  # the second occurrence of a repeated wall time (fall-back), UTC

    @property
    def times(self) -> list[datetime]:
        return [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in self.fires]


DAYS = {
    # 02:30 CET does not exist on 2026-03-29 (02:00 -> 03:00 at 01:00Z): two fires, not three.
    "berlin-spring-forward": DstDay("Europe/Berlin", ("2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z"), None),
    # 02:30 happens twice on 2026-10-25 (03:00 CEST -> 02:00 CET at 01:00Z): fired at 00:30Z only.
    "berlin-fall-back": DstDay(
        "Europe/Berlin",
        ("2026-10-24T23:30:00Z", "2026-10-25T00:30:00Z", "2026-10-25T02:30:00Z"),
        "2026-10-25T01:30:00Z",
    ),
    # 02:30 EST does not exist on 2026-03-08 (02:00 -> 03:00 at 07:00Z).
    "new-york-spring-forward": DstDay("America/New_York", ("2026-03-08T06:30:00Z", "2026-03-08T07:30:00Z"), None),
    # 01:30 happens twice on 2026-11-01 (02:00 EDT -> 01:00 EST at 06:00Z): fired at 05:30Z only.
    "new-york-fall-back": DstDay(
        "America/New_York",
        ("2026-11-01T05:30:00Z", "2026-11-01T07:30:00Z", "2026-11-01T08:30:00Z"),
        "2026-11-01T06:30:00Z",
    ),
}
DAY_IDS = list(DAYS)
LONG = AuditConfig(lookback=timedelta(hours=8), grace=timedelta(minutes=10))  # the whole night in one audit


def deploy(world: OpsWorld, day: DstDay, **extra: object) -> None:
    """The job, created by a real reconcile the evening before (on the world's clock)."""
    world.config = LONG
    world.at = day.times[0] - timedelta(hours=6)
    world.apply(jobs_doc(job("j", SCHEDULE, timezone=day.zone, **extra)))


def audited(day: DstDay) -> datetime:
    """When the audit runs: after the last fire's grace."""
    return day.times[-1] + timedelta(minutes=20)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(c.ENV_TABLE, TABLE)
    monkeypatch.setenv(c.ENV_GROUP, GROUP)


@pytest.mark.parametrize("name", DAY_IDS)
def test_on_time_runs_over_a_dst_day_are_not_missed_and_runs_and_status_follow_the_day(
    ops: OpsWorld, name: str, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    day = DAYS[name]
    deploy(ops, day)
    jobs = list(ops.jobs.jobs)
    for i, t in enumerate(day.times):
        assert ops.fire("j", t) == "succeeded"
        [line] = status_lines(argparse.Namespace(), jobs, t + timedelta(minutes=10))
        following = day.fires[i + 1] if i + 1 < len(day.fires) else None
        if following is not None:  # the next fire skips the gap and the repeated time
            assert line.next_fire == following, (name, t)
        assert (line.last_run, line.last_status, line.streak, line.aws) == (day.fires[i], "succeeded", 0, "ok")

    report = ops.audit(audited(day))

    assert report.missed == [] and report.errors == [] and report.notified == 0
    assert ops.messages() == []
    since = iso_utc(day.times[0] - timedelta(hours=1))
    assert main(["runs", "j", "--since", since, "--output", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["scheduled_time"], r["status"]) for r in rows] == [(t, "succeeded") for t in reversed(day.fires)]


@pytest.mark.parametrize("name", DAY_IDS)
def test_a_deleted_schedule_over_a_dst_day_is_missed_at_its_real_times_and_caught_up_once_each(
    ops: OpsWorld, name: str, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    day = DAYS[name]
    deploy(ops, day, catch_up="all", catch_up_window=300)
    ops.scheduler.delete_schedule(Name="j", GroupName=GROUP)
    now = audited(day)

    threads = [threading.Thread(target=ops.audit, args=(now,)) for _ in range(2)]  # two audits overlap
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    # A pair still running would leave its catch-up claimed, which the next audit must not touch.
    assert not any(t.is_alive() for t in threads), "the overlapping audits did not finish in 120 s"
    again = ops.audit(now + timedelta(minutes=1))  # finishes what the overlapping pair left, if anything

    assert again.missed == []
    called = Counter(r.headers["Idempotency-Key"] for r, _ in ops.caller.requests)
    assert called == Counter({f"j:{t}~catch-up": 1 for t in day.fires})  # no gap time, the repeat once
    messages = ops.messages()  # one per audit that recorded misses: each time named by exactly one
    assert messages and {m["Subject"] for m in messages} == {"cron-adapter: missed run: j"}
    named = Counter(t for m in messages for t in day.fires if f"{t}" in m["Message"].split("\n")[0])
    assert named == Counter(day.fires)
    if day.not_fired:
        assert all(day.not_fired not in m["Message"] for m in messages)
    since = iso_utc(day.times[0] - timedelta(hours=1))
    assert main(["runs", "j", "--since", since, "--output", "json"]) == 0
    rows = {r["scheduled_time"]: r["status"] for r in json.loads(capsys.readouterr().out)}
    assert rows == {
        **{t: "missed" for t in day.fires},
        **{f"{t}~catch-up": "succeeded" for t in day.fires},
    }


def test_the_hand_written_days_are_real_transitions() -> None:
    """Each day's gap or repeat is where the zone database puts it (guards the table above)."""
    from zoneinfo import ZoneInfo

    for name, day in DAYS.items():
        zone = ZoneInfo(day.zone)
        locals_ = [t.astimezone(zone).strftime("%H:%M") for t in day.times]
        if day.not_fired is None:
            assert locals_ == ["01:30", "03:30"], name  # 02:30 never happened
        else:
            repeat = datetime.fromisoformat(day.not_fired.replace("Z", "+00:00")).astimezone(zone)
            assert locals_ == ["01:30", "02:30", "03:30"], name
            assert repeat.fold == 1 and repeat.strftime("%H:%M") in locals_, name  # the wall time's second pass
