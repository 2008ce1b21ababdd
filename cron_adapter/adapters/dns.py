"""Host name resolution for the target caller, bounded in time.

``socket.getaddrinfo`` takes no timeout (the system resolver may retry for many seconds), so
a resolve that must fit an attempt's budget runs in a daemon thread and is waited for only
that long; a late answer is left to the thread, which ends on its own when the lookup does.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

from cron_adapter.errors import TargetUnreachable

Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in resolver order (DNS failures raise ``TargetUnreachable``)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise TargetUnreachable(f"cannot resolve {host}: {exc.strerror or exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def resolve_within(resolver: Resolver, host: str, port: int, seconds: float | None) -> list[str]:
    """``resolver(host, port)``, waited for at most ``seconds`` (None: as long as it takes)."""
    if seconds is None:
        return resolver(host, port)
    box: list[list[str] | Exception] = []
    worker = threading.Thread(target=_resolve_into, args=(box, resolver, host, port), daemon=True)
    worker.start()
    worker.join(max(seconds, 0.0))
    if not box:
        raise TargetUnreachable(f"cannot resolve {host} within {max(seconds, 0.0):.1f} s")
    if isinstance(box[0], Exception):
        raise box[0]
    return box[0]


def _resolve_into(box: list[list[str] | Exception], resolver: Resolver, host: str, port: int) -> None:
    try:
        box.append(resolver(host, port))
    except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread
        box.append(exc)
