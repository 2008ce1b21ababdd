"""The local HTTP target: a tiny server on 127.0.0.1 that plays the user's app.

It verifies every call with :class:`cron_adapter.receiver.Receiver` (the same helper a
real target uses), records it, and answers 401 when the secret does not match, 500 for
paths containing ``/fail`` (so the example's failing job fails and is retried) and 200
otherwise.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cron_adapter.receiver import MAX_BODY_BYTES, Receiver, Verification, body_length

DEFAULT_PORT = 8787
FAIL_MARKER = "/fail"


@dataclass(frozen=True)
class TargetCall:
    """One HTTP call the local target received."""

    at: float
    method: str
    path: str
    status: int
    verified: bool
    reason: str = ""
    job_id: str | None = None
    scheduled_time: str | None = None
    idempotency_key: str | None = None


@dataclass
class CallLog:
    """Every call, in arrival order (thread-safe)."""

    calls: list[TargetCall] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, call: TargetCall) -> None:
        """Append one call."""
        with self._lock:
            self.calls.append(call)

    def snapshot(self) -> list[TargetCall]:
        """A copy of the calls so far."""
        with self._lock:
            return list(self.calls)


def _body_fields(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _receive(receiver: Receiver, request: BaseHTTPRequestHandler) -> tuple[int, Verification, bytes]:
    """``(status, verification, body)``: nothing is read for a caller without the secret, nor past 1 MiB."""
    early = receiver.precheck(request.headers)
    if not early.ok:
        return 401, early, b""
    length, refused = body_length(request.headers, MAX_BODY_BYTES)
    if refused:
        return refused, Verification(False, f"body refused ({refused}): no usable Content-Length, or over 1 MiB"), b""
    body = request.rfile.read(length) if length else b""
    result = receiver.verify(request.headers, body)
    return (401 if not result.ok else 500 if FAIL_MARKER in request.path else 200), result, body


def _handler_class(receiver: Receiver, log: CallLog, on_call: Callable[[TargetCall], None] | None) -> type:
    class Handler(BaseHTTPRequestHandler):
        server_version = "cron-adapter-local-target"

        def _serve(self) -> None:
            status, result, body = _receive(receiver, self)
            if not result.ok:
                self.close_connection = True  # an unread body must not be taken for the next request
            fields = _body_fields(body)
            call = TargetCall(
                at=time.time(),
                method=self.command,
                path=self.path,
                status=status,
                verified=result.ok,
                reason=result.reason,
                job_id=result.job_id or fields.get("job_id"),
                scheduled_time=result.scheduled_time or fields.get("fire_at"),
                idempotency_key=result.idempotency_key,
            )
            log.add(call)
            if on_call is not None:
                on_call(call)
            payload = json.dumps({"ok": status == 200, "reason": result.reason}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            """Silence the default stderr access log; the view shows calls instead."""

    return Handler


class LocalTarget:
    """A threaded HTTP server on 127.0.0.1 that verifies and records calls."""

    def __init__(
        self, secret: str, port: int = DEFAULT_PORT, on_call: Callable[[TargetCall], None] | None = None
    ) -> None:
        self.log = CallLog()
        handler = _handler_class(Receiver([secret]), self.log, on_call)
        try:
            self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError as exc:
            raise OSError(
                f"cannot listen on 127.0.0.1:{port} for the local target ({exc.strerror}); "
                "stop whatever uses it or pass --port (and point the jobs' URLs there)"
            ) from exc
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        return int(self._server.server_address[1])

    def start(self) -> LocalTarget:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="local-target", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()
