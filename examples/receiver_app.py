"""A minimal target app (standard library only) that verifies cron-adapter calls.

Run:  CRON_SECRET=<current> [CRON_SECRET_PREVIOUS=<old>] [CRON_REQUIRE_SIGNATURE=true] \
      python examples/receiver_app.py [port]

Every POST is checked with :class:`cron_adapter.receiver.Receiver` (bearer token, and the HMAC
signature when present or required, against the current and previous secret, with a replay
window and cache). A verified call is deduplicated on ``Idempotency-Key``: the fire path is
at-least-once, so a retried delivery must not run the job twice.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cron_adapter.receiver import MemoryReplayCache, Receiver


def make_server(receiver: Receiver, port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """An HTTP server whose handler verifies, dedupes and 'runs' each job."""
    done: set[str] = set()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            result = receiver.verify(dict(self.headers), body)
            if not result.ok:
                return self._reply(401, {"error": result.reason})
            with lock:
                first = result.idempotency_key not in done
                done.add(result.idempotency_key or "")
            if first:
                self.server.runs.append((result.job_id, result.scheduled_time))  # type: ignore[attr-defined]
            return self._reply(200, {"status": "ok" if first else "duplicate"})

        def _reply(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt: str, *args: object) -> None:  # never log headers (they hold the secret)
            sys.stderr.write(
                f"{self.address_string()} {self.command} {self.path} -> {args[1] if len(args) > 1 else ''}\n"
            )

    server = ThreadingHTTPServer((host, port), Handler)
    server.runs = []  # type: ignore[attr-defined]
    return server


def main() -> None:
    secrets = [os.environ["CRON_SECRET"], os.environ.get("CRON_SECRET_PREVIOUS", "")]
    required = os.environ.get("CRON_REQUIRE_SIGNATURE", "false").lower() == "true"
    receiver = Receiver([s for s in secrets if s], require_signature=required, seen=MemoryReplayCache())
    server = make_server(receiver, int(sys.argv[1]) if len(sys.argv) > 1 else 8080)
    print(f"listening on http://{server.server_address[0]}:{server.server_address[1]}/", file=sys.stderr)
    server.serve_forever()


if __name__ == "__main__":
    main()
