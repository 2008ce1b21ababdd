"""A misbehaving HTTP target on 127.0.0.1:0, on raw sockets (http.server cannot misbehave on cue).

Each connection takes the next step of the script (then "ok")::

    ok        200 with a small JSON body
    reset     reads the request, then resets the connection (RST, no answer)
    close     reads the request, then closes without a byte of answer
    hang      reads the request, then answers nothing until the test ends
    trickle   200 with Content-Length 4096, then one byte every 0.2 s (a slow body)
    503       503 Service Unavailable, Retry-After: 0
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any

_OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{"ok":true}'
_503 = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_TRICKLE_HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 4096\r\nConnection: close\r\n\r\n"
_MAX_REQUEST = 1 << 20


@dataclass(frozen=True)
class Request:
    """One request the target read: its headers (names lower-cased) and when it arrived."""

    headers: dict[str, str]
    at: float
    step: str


def _read_request(sock: socket.socket) -> dict[str, str]:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < _MAX_REQUEST:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")[1:]
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    left = int(headers.get("content-length") or 0) - len(body)
    while left > 0:
        chunk = sock.recv(min(left, 65536))
        if not chunk:
            break
        left -= len(chunk)
    return headers


class RawTarget:
    """A scripted target; ``seen`` lists every request it read, in order."""

    def __init__(self, *script: str) -> None:
        self.script = list(script)
        self.seen: list[Request] = []
        self.stop = threading.Event()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer._serve(self.request)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _serve(self, sock: socket.socket) -> None:
        headers = _read_request(sock)
        step = self.script.pop(0) if self.script else "ok"
        self.seen.append(Request(headers, time.monotonic(), step))
        try:
            if step == "ok":
                sock.sendall(_OK)
            elif step == "503":
                sock.sendall(_503)
            elif step == "reset":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close sends RST
            elif step == "hang":
                self.stop.wait(30)
            elif step == "trickle":
                sock.sendall(_TRICKLE_HEAD)
                for _ in range(4096):
                    if self.stop.wait(0.2):
                        break
                    sock.sendall(b"x")
        except OSError:
            pass  # the client gave up first: that is the point of most steps

    def keys(self) -> list[str]:
        """The Idempotency-Key of every request seen."""
        return [r.headers.get("idempotency-key", "") for r in self.seen]

    def __enter__(self) -> RawTarget:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
