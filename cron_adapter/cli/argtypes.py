"""argparse types shared by the commands: a number within bounds, a time, a count; refused with a clear message."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import Any


def bounded(kind: type, low: float, high: float) -> Callable[[str], Any]:
    """An argparse type: a number of ``kind`` within [low, high]."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {_shown(low)} and {_shown(high)}")
        return value

    return parse


def _shown(number: float) -> str:
    """1000000 as 1,000,000 and 0.5 as 0.5."""
    return f"{int(number):,}" if float(number).is_integer() else f"{number:g}"


def utc_time(text: str) -> datetime:
    """An argparse type: a date (midnight UTC) or an ISO time, as UTC; the years 1..9999 only."""
    from cron_adapter.simulate.simulator import parse_when

    try:
        return parse_when(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date or ISO time (e.g. 2027-03-01)") from None
    except OverflowError:
        raise argparse.ArgumentTypeError(f"{text!r} is out of range; use a time between the years 1 and 9999") from None


def count_or_all(text: str) -> int | None:
    """An argparse type: a count of 0 or more, or 'all' (None)."""
    if text == "all":
        return None
    try:
        value = int(text)
    except ValueError:  # argparse would print "invalid count_or_all value"
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number or 'all' (e.g. --fires 20)") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give 0 or more, or 'all'")
    return value
