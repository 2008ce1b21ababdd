"""What the fire handler raises when it refuses an event, and how the suite seals an event.

A refused event fails the invocation (Lambda counts an error and the alarm fires); only
the documented refusal may escape the handler. ``sealed`` signs an event with the embedded
emulator's input key, as reconcile signs a schedule's input, so fuzzed fields reach the
parser and the fire path rather than stopping at the signature check.
"""

from __future__ import annotations

from typing import Any

from cron_adapter.errors import FireInputRefused

REFUSALS: tuple[type[BaseException], ...] = (FireInputRefused,)


def sealed(event: Any) -> Any:
    """The event signed as reconcile signs it; what cannot be signed is sent as it is (and refused)."""
    from cron_adapter.local.emulator import dev_input_key
    from tests.adapters.fire_support import signed

    if not isinstance(event, dict):
        return event
    try:
        return signed(event, key=dev_input_key())
    except Exception:  # noqa: BLE001 - an event the signer cannot encode is refused by the handler anyway
        return event
