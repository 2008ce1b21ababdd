"""The HTTP target caller: URL policy, pinned address, one attempt, errors mapped to the tree.

``transport`` is injectable (like httpx's ``MockTransport``): a function taking a
:class:`TransportRequest` and a timeout and returning a :class:`TransportResponse`. The
default uses ``http.client`` and connects to the address that passed the checks (so a DNS
answer cannot change between the check and the connect), with SNI/Host set to the URL's host.
Errors: socket timeout -> TargetTimeout; connection, DNS, TLS -> TargetUnreachable;
non-2xx -> TargetHTTPError(status, retry_after). Redirects are not followed (3xx fails).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from cron_adapter.errors import TargetHTTPError, TargetRefused, TargetTimeout, TargetUnreachable
from cron_adapter.fire.ports import TargetRequest, TargetResponse
from cron_adapter.jobs.urls import forbidden_reason

MAX_BODY_BYTES = 1 << 20


@dataclass(frozen=True)
class TransportRequest:
    """One request on the wire: ``address`` is the vetted IP to connect to."""

    method: str
    url: str
    headers: dict[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    address: str


@dataclass(frozen=True)
class TransportResponse:
    """Status, headers (lower-cased names) and body of an answer."""

    status: int
    headers: dict[str, str]
    body: bytes


Transport = Callable[[TransportRequest, float], TransportResponse]
Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """All addresses ``host`` resolves to (DNS failures raise ``TargetUnreachable``)."""
    try:
        return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})
    except OSError as exc:
        raise TargetUnreachable(f"cannot resolve {host}: {exc.strerror or exc}") from exc


def refused_reason(ip: str) -> str | None:
    """Why an address may not be called, or None."""
    return forbidden_reason(ipaddress.ip_address(ip.split("%")[0]))


def parse_retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError):
        return None


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a fixed IP with SNI and certificate checks against the URL's host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def urllib_transport(request: TransportRequest, timeout: float) -> TransportResponse:
    """The default transport: ``http.client`` to the pinned address."""
    parts = urlsplit(request.url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    conn = (_PinnedHTTPS if https else _PinnedHTTP)(parts.hostname or "", port, request.address, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(request.method, path, body=request.body or None, headers=request.headers)
        resp = conn.getresponse()
        body = resp.read(MAX_BODY_BYTES)
        return TransportResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
    finally:
        conn.close()


class HttpTargetCaller:
    """:class:`~cron_adapter.fire.ports.TargetCaller` over HTTP(S) with the URL policy."""

    def __init__(
        self,
        allow_http_loopback: bool = False,
        transport: Transport | None = None,
        resolver: Resolver | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.allow_http_loopback = allow_http_loopback
        self.transport = transport or urllib_transport
        self.resolver = resolver or resolve
        self.now = now

    def vet(self, url: str) -> str:
        """Check the URL and its resolved addresses; return the address to connect to."""
        parts = urlsplit(url)
        host = parts.hostname
        if parts.scheme not in {"http", "https"} or not host:
            raise TargetRefused(f"target URL must be absolute http(s), got scheme {parts.scheme!r}")
        addresses = self.resolver(host, parts.port or (443 if parts.scheme == "https" else 80))
        if not addresses:
            raise TargetUnreachable(f"{host} resolved to no address")
        for ip in addresses:
            reason = refused_reason(ip)
            if reason:
                raise TargetRefused(f"target {host} resolves to a {reason} ({ip})")
        if parts.scheme == "http":
            loopback = all(ipaddress.ip_address(ip.split("%")[0]).is_loopback for ip in addresses)
            if not (self.allow_http_loopback and loopback):
                raise TargetRefused(
                    f"target {host} must use https (plain http is allowed only on loopback with the dev flag)"
                )
        return addresses[0]

    def call(self, request: TargetRequest, timeout: float) -> TargetResponse:
        """One attempt; raises a ``TargetError`` subclass on anything but a 2xx."""
        address = self.vet(request.url)
        wire = TransportRequest(request.method, request.url, request.headers, request.body, address)
        try:
            resp = self.transport(wire, timeout)
        except TimeoutError as exc:  # socket.timeout is TimeoutError since 3.10
            raise TargetTimeout(f"no answer within {timeout:.1f} s") from exc
        except (OSError, http.client.HTTPException) as exc:  # includes ssl.SSLError, ConnectionError
            raise TargetUnreachable(f"{type(exc).__name__} calling {urlsplit(request.url).hostname}") from exc
        if 200 <= resp.status < 300:
            return TargetResponse(resp.status, resp.body)
        detail = resp.body[:200].decode("utf-8", "replace").strip()
        raise TargetHTTPError(resp.status, parse_retry_after(resp.headers.get("retry-after"), self.now()), detail)
