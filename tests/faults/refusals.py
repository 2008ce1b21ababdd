"""What the fire handler raises when it refuses an event, and how the suite seals an event.

A refused event fails the invocation (Lambda counts an error and the alarm fires); only
the documented refusal may escape the handler. ``sealed`` is where an event is made to look
as reconcile writes it, so fuzzed fields reach the parser rather than a signature check.
"""

from __future__ import annotations

from typing import Any

from cron_adapter.errors import FireInputRefused

REFUSALS: tuple[type[BaseException], ...] = (FireInputRefused,)


def sealed(event: Any) -> Any:
    """The event as the fire Lambda receives it from a schedule."""
    return event
