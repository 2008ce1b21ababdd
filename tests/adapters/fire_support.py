"""Shared helpers for the fire adapter tests: moto env/table, an RLock around moto's writes,
call counting, and a scripted HTTP server on 127.0.0.1 (port 0)."""

from __future__ import annotations

import functools
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from cron_adapter import constants as c
from cron_adapter.bootstrap.fire import FireFactory
from cron_adapter.fire.inputsig import SIG_FIELD, InputKey, unseal

TABLE = "cron-adapter-test"
INPUT_KEY_NAME = c.DEFAULT_INPUT_KEY_NAME
INPUT_KEY = "test-input-signing-key-" + "q" * 40
# The sample events name 2026-11-23T03:00Z to 05:00Z; the handler's time window judges them as
# delivered at this moment (the fire's own clock, for leases and TTLs, stays the real one).
EVENT_NOW = datetime(2026, 11, 23, 5, 0, tzinfo=UTC).timestamp()


def event_time_factory(**kwargs: Any) -> FireFactory:
    """A fresh fire factory whose scheduled-time window sits at the sample events' times (EVENT_NOW)."""
    return FireFactory(schedule_clock=lambda: EVENT_NOW, **kwargs)


def signed(event: dict[str, Any], key: str = INPUT_KEY) -> dict[str, Any]:
    """``event`` with the ``sig`` reconcile would write under ``key`` (any old one replaced)."""
    body, _ = unseal(event)
    return {**body, SIG_FIELD: InputKey(key).sign(body)}


def create_input_key(client: Any, value: str = INPUT_KEY) -> None:
    """The input-signing key secret the fire handler reads (``CRON_ADAPTER_INPUT_KEY_ID``)."""
    client.create_secret(Name=INPUT_KEY_NAME, SecretString=value)


# Reads too: a reconcile race reads the lease item while the other run writes it.
LOCKED_OPS = ("put_item", "update_item", "delete_item", "transact_write_items", "get_item")


def fake_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and region; no endpoint override, so moto's in-process mock answers."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def lock_moto_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's conditional writes are not atomic under thread races: serialise them.

    Both layers: the backend checks and writes in two steps, and the response layer copies
    the old item (UpdateItem) while another thread's write may be changing it. With the dev
    emulator's lock, not a second one: once an emulator has run in the process its lock
    wraps moto too, and two locks taken in opposite orders deadlock.
    """
    from moto.dynamodb.responses import DynamoHandler

    from cron_adapter.local.emulator import MOTO_WRITE_LOCK as lock

    for cls in (DynamoDBBackend, DynamoHandler):
        for name in LOCKED_OPS:
            original = getattr(cls, name)

            @functools.wraps(original)
            def locked(self: Any, *args: Any, __original: Callable = original, **kwargs: Any) -> Any:
                with lock:
                    return __original(self, *args, **kwargs)

            monkeypatch.setattr(cls, name, locked)


class Calls(Counter):
    """AWS API calls by operation name (a botocore ``before-call`` hook)."""

    def hook(self, model: Any, **_: Any) -> None:
        self[model.name] += 1


def moto_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Yield a DynamoDB client on a fresh moto table, moto writes serialised (wrap in a fixture)."""
    fake_aws_env(monkeypatch)
    lock_moto_writes(monkeypatch)
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(TableName=TABLE, **c.TABLE_DEFINITION)
        yield client


def get_item(client: Any, pk: str, sk: str) -> dict[str, Any] | None:
    """One GetItem as plain values (the "did (job, time) run?" lookup)."""
    from cron_adapter.adapters.dynamo_expr import plain

    item = client.get_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}}).get("Item")
    return plain(item) if item else None


# --- a scripted HTTP target ----------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: bytes = b'{"ok":true}'
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


class TargetServer:
    """A real http.server on 127.0.0.1:0 answering from a script (then 200)."""

    def __init__(self, *script: Reply) -> None:
        self.script = list(script)
        self.seen: list[Seen] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                outer.seen.append(Seen(self.command, self.path, dict(self.headers), body, time.monotonic()))
                reply = outer.script.pop(0) if outer.script else Reply()
                time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the client gave up (timeout test)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> TargetServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def assert_no_secret_logged(caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    """Scan every captured log record (message and extra fields) for the secrets."""
    for record in caplog.get_records("setup") + caplog.get_records("call"):  # .records is teardown-only here
        text = record.getMessage() + " " + repr(record.__dict__)
        for secret in secrets:
            assert secret not in text, f"secret leaked in log: {record.getMessage()}"


def lose_answers(client: Any, operation: str, times: int = 1) -> list[int]:
    """The next ``times`` ``operation`` requests are applied by moto, then their answer is lost.

    The request reaches the (in-process) server, which applies it; the connection then
    drops before the answer arrives, so botocore retries the very same request. Returns the
    lost answers' HTTP statuses as they happen.
    """
    from botocore.exceptions import ConnectionClosedError
    from moto.core.models import botocore_stubber

    lost: list[int] = []

    def hook(request: Any, event_name: str, **_: Any) -> None:
        if len(lost) < times:
            answer = botocore_stubber(event_name, request)  # a more specific hook runs before moto's own
            lost.append(answer.status_code if answer is not None else 0)
            raise ConnectionClosedError(endpoint_url=request.url)

    client.meta.events.register(f"before-send.dynamodb.{operation}", hook)
    return lost


def raw_status(port: int, head: str, timeout: float = 3) -> int:
    """Send a request head (no body) and return the status; a server that waits to read a body times out."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n")
        return int(sock.recv(1024).split()[1])


class RawTarget:
    """A socket server on 127.0.0.1:0 answering each request with the same raw bytes (status line and all).

    For answers http.server cannot send (a Latin-1 header byte, a malformed date). Serves at
    most ``limit`` connections and stops within ``seconds``; every loop is bounded.
    """

    def __init__(self, answer: bytes, limit: int = 8, seconds: float = 30.0) -> None:
        import socket

        self.answer, self.limit, self.seconds = answer, limit, seconds
        self.requests: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://target.localhost:{self.port}/hook"  # resolve it with ``resolver``
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @staticmethod
    def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    def _serve(self) -> None:
        end = time.monotonic() + self.seconds
        while not self.stop.is_set() and len(self.requests) < self.limit and time.monotonic() < end:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                try:
                    conn.settimeout(2.0)
                    self.requests.append(_read_request(conn))
                    conn.sendall(self.answer)
                except OSError:
                    pass  # the client gave up

    def __enter__(self) -> RawTarget:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


def _read_request(conn: Any) -> bytes:
    """One request off ``conn``: its head, then a ``Content-Length`` body (at most 1 MB, 64 reads)."""
    data = b""
    for _ in range(64):
        if b"\r\n\r\n" in data:
            break
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
    )
    for _ in range(64):
        if len(body) >= min(length, 1 << 20):
            break
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def raw_answer(status: str, body: bytes = b"", headers: bytes = b"") -> bytes:
    """The bytes of an HTTP/1.1 answer: ``status`` like ``"503 Service Unavailable"``, raw header lines."""
    head = (
        f"HTTP/1.1 {status}\r\n".encode()
        + headers
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
    )
    return head + body
