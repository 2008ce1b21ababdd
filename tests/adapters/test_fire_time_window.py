"""The real fire handler on moto refuses a signed input naming a time no real delivery names now.

``scheduled_time`` is not signed: a captured input replayed with tomorrow's time would claim
tomorrow's run now, and tomorrow's real delivery would be skipped as a duplicate.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import boto3
import pytest

import handlers.fire as fire_handler
from cron_adapter.bootstrap.fire import FireFactory, SystemClock
from cron_adapter.errors import FireInputRefused
from cron_adapter.fire.input import iso_utc
from cron_adapter.tablekeys import job_pk, run_sk
from tests.adapters.fire_support import TABLE, TargetServer, get_item
from tests.adapters.test_fire_handler import Context, event, lam  # noqa: F401 - the shared fixture
from tests.adapters.test_fire_signed_input import refused_metrics, with_url


def this_minute() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0)


@pytest.fixture
def real_clock(lam, monkeypatch):  # noqa: F811
    """The handler as deployed: the scheduled-time window on the system clock."""
    monkeypatch.setattr(fire_handler, "factory", FireFactory())
    return lam


def test_a_signed_input_a_day_ahead_claims_nothing_calls_nothing_and_is_counted(real_clock, capsys) -> None:
    calls, logs = real_clock
    tomorrow = iso_utc(this_minute() + timedelta(days=1))
    with TargetServer() as server:
        with pytest.raises(FireInputRefused) as err:
            fire_handler.handler(event(server.url, tomorrow), Context())
        assert server.seen == []  # no target call
    assert err.value.reason == "out-of-window" and "'nightly-report'" in str(err.value) and tomorrow in str(err.value)
    assert fire_handler.factory._service is None  # the fire service (claim store, target secret) was never built
    assert dict(calls) == {"GetSecretValue": 1}  # the input-signing key only: no claim, no secret read
    assert not boto3.client("dynamodb").scan(TableName=TABLE)["Items"]  # no run row, no job state
    assert refused_metrics(capsys.readouterr().out) == 1
    text = logs.getvalue().replace(" ", "")
    assert '"refusedfireinput"' in text and '"reason":"out-of-window"' in text


def test_tomorrows_real_delivery_still_fires_after_the_replay_was_refused(real_clock) -> None:
    """The replay left no claim behind, so the run it aimed at is not suppressed."""
    now = this_minute()
    with TargetServer() as server:
        with pytest.raises(FireInputRefused):
            fire_handler.handler(event(server.url, iso_utc(now + timedelta(days=1))), Context())
        assert fire_handler.handler(event(server.url, iso_utc(now)), Context())["status"] == "succeeded"
    assert len(server.seen) == 1
    run = get_item(boto3.client("dynamodb"), job_pk("nightly-report"), run_sk(iso_utc(now)))
    assert run and run["status"] == "succeeded"


def test_a_signed_input_near_now_fires_also_a_minute_late_or_seconds_early(real_clock) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    with TargetServer() as server:
        for when in (now - timedelta(minutes=1), now + timedelta(seconds=30)):
            assert fire_handler.handler(event(server.url, iso_utc(when)), Context())["status"] == "succeeded"
    assert len(server.seen) == 2


def test_a_forged_input_with_a_future_time_is_refused_as_forged_first(real_clock) -> None:
    with TargetServer() as server, pytest.raises(FireInputRefused) as err:
        genuine = event(server.url, iso_utc(this_minute() + timedelta(days=1)))
        fire_handler.handler(with_url(genuine, "https://x.example/"), Context())
    assert err.value.reason == "forged"


class FixedClock:
    def __init__(self, at: float) -> None:
        self.at = at

    def now(self) -> float:
        return self.at

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def test_the_window_follows_the_factorys_clock_unless_a_schedule_clock_is_given() -> None:
    assert FireFactory(clock=FixedClock(1234.0)).schedule_now() == 1234.0
    assert FireFactory(clock=FixedClock(1234.0), schedule_clock=lambda: 99.0).schedule_now() == 99.0
    assert abs(FireFactory().schedule_now() - SystemClock().now()) < 5
    factory = FireFactory(clock=FixedClock(1234.0))
    factory.use_schedule_clock(lambda: 7.0)  # what `cron-adapter dev` does with its simulated clock
    assert factory.schedule_now() == 7.0


def test_a_run_row_is_written_for_the_fired_time_only(real_clock) -> None:
    now = this_minute()
    with TargetServer() as server:
        fire_handler.handler(event(server.url, iso_utc(now)), Context())
        with pytest.raises(FireInputRefused):
            fire_handler.handler(event(server.url, iso_utc(now + timedelta(hours=2))), Context())
    rows = boto3.client("dynamodb").scan(TableName=TABLE)["Items"]
    run_keys = sorted(r["sk"]["S"] for r in rows if r["sk"]["S"].startswith("RUN#"))
    assert run_keys == [run_sk(iso_utc(now))], json.dumps(run_keys)
