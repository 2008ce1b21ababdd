"""The simulated clock `dev` runs on: held until the first reconcile, then `speed` times real time."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from cron_adapter.local.simclock import SimClock

START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def test_a_held_clock_stands_still_at_its_start() -> None:
    clock = SimClock(600.0, start=START, running=False)
    time.sleep(0.05)  # 30 simulated seconds, were it running
    assert clock.now() == START and not clock.running
    assert clock.from_real(datetime.now(UTC)) == START  # a schedule created while held


def test_a_released_clock_goes_on_from_its_start_not_from_when_it_was_made() -> None:
    clock = SimClock(60.0, start=START, running=False)
    created_while_held = datetime.now(UTC)
    time.sleep(0.5)  # 30 simulated seconds that must not count
    clock.release()
    released = time.monotonic()
    time.sleep(0.1)
    now = clock.now()
    ran = (time.monotonic() - released) * 60
    assert 6 <= (now - START).total_seconds() <= ran + 0.5
    assert clock.from_real(created_while_held) == START
    clock.release()  # a second release does not restart it
    assert clock.now() >= now


def test_a_running_clock_maps_real_moments_onto_simulated_time() -> None:
    clock = SimClock(60.0, start=START)
    later = datetime.now(UTC) + timedelta(seconds=10)
    assert abs((clock.from_real(later) - START).total_seconds() - 600) < 5


def test_a_released_clock_without_a_fixed_start_is_never_behind_real_time() -> None:
    """Else a rate's StartDate, computed in real time during the hold, lies in its future."""
    clock = SimClock(60.0, running=False)
    made = clock.now()
    created_while_held = datetime.now(UTC)
    time.sleep(0.3)
    before = datetime.now(UTC)
    clock.release()
    assert clock.now() >= before > made
    assert clock.from_real(created_while_held) >= before
