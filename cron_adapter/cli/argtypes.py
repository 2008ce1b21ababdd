"""argparse types shared by the commands: a number within bounds, refused with a clear message."""

from __future__ import annotations

import argparse
from collections.abc import Callable
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
