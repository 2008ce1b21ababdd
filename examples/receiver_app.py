"""A minimal target app (standard library only) that verifies cron-adapter calls.

Run:  CRON_SECRET_FILE=<path> (or CRON_SECRET=<current>) [CRON_SECRET_PREVIOUS=<old>] \
      [CRON_REQUIRE_SIGNATURE=true] python examples/receiver_app.py [port]

Against ``cron-adapter dev`` with a secret you both know (see docs/dev-loop.md)::

    python -c 'import secrets; print(secrets.token_urlsafe(32))' > my.secret
    CRON_SECRET_FILE=my.secret python examples/receiver_app.py 8787 &
    cron-adapter dev --no-target --secret-file my.secret

Every call, whatever its method (the example jobs send GET and POST), is checked with
:class:`cron_adapter.receiver.Receiver` (bearer token, and the HMAC signature when present
or required, against the current and previous secret, with a replay window and cache). The
bearer token is checked before the body is read, and a body needs a ``Content-Length`` of at
most 1 MiB (400, 411 or 413 otherwise), so a caller without the secret cannot make the app
buffer anything. A verified call is deduplicated on ``Idempotency-Key``: the fire path is
at-least-once, so a retried delivery must not run the job twice. Like the ``dev`` target, a
path containing ``/fail`` answers 500, so the example's failing job fails here too.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cron_adapter.receiver import MAX_BODY_BYTES, MemoryReplayCache, Receiver, body_length

FAIL_MARKER = "/fail"


def make_server(receiver: Receiver, port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """An HTTP server whose handler verifies, dedupes and 'runs' each job."""
    done: set[str] = set()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        timeout = 10  # seconds: a caller that goes quiet is dropped

        def _serve(self) -> None:
            # Nothing is read before the bearer token checks out, and never more than MAX_BODY_BYTES.
            early = receiver.precheck(self.headers)
            if not early.ok:
                return self._reply(401, {"error": early.reason})
            length, refused = body_length(self.headers, MAX_BODY_BYTES)
            if refused:
                return self._reply(refused, {"error": "a body needs a Content-Length of at most 1 MiB"})
            result = receiver.verify(self.headers, self.rfile.read(length))
            if not result.ok:
                return self._reply(401, {"error": result.reason})
            if FAIL_MARKER in self.path:
                return self._reply(500, {"error": "this example endpoint always fails"})
            with lock:
                first = result.idempotency_key not in done
                done.add(result.idempotency_key or "")
            if first:
                self.server.runs.append((result.job_id, result.scheduled_time))  # type: ignore[attr-defined]
            return self._reply(200, {"status": "ok" if first else "duplicate"})

        # Every method a job may use (jobs.json "method"): the example jobs send GET and POST.
        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def _reply(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            if status >= 400:
                self.close_connection = True  # an unread body must not be taken for the next request
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


def current_secret(env: dict[str, str]) -> str:
    """The current secret: the first line of CRON_SECRET_FILE, else CRON_SECRET."""
    path = env.get("CRON_SECRET_FILE")
    if path:
        with open(path, encoding="utf-8") as handle:
            return handle.readline().strip()
    if not env.get("CRON_SECRET"):
        raise SystemExit("set CRON_SECRET_FILE (e.g. .cron-adapter/dev.secret) or CRON_SECRET")
    return env["CRON_SECRET"]


def main() -> None:
    secrets = [current_secret(dict(os.environ)), os.environ.get("CRON_SECRET_PREVIOUS", "")]
    required = os.environ.get("CRON_REQUIRE_SIGNATURE", "false").lower() == "true"
    receiver = Receiver([s for s in secrets if s], require_signature=required, seen=MemoryReplayCache())
    server = make_server(receiver, int(sys.argv[1]) if len(sys.argv) > 1 else 8080)
    print(f"listening on http://{server.server_address[0]}:{server.server_address[1]}/", file=sys.stderr)
    server.serve_forever()


if __name__ == "__main__":
    main()
