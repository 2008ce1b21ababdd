"""The HTTP target caller: address policy, vetted addresses in order with fallback, errors mapped.

One attempt resolves the URL's host, refuses it if any address breaks the policy
(:mod:`cron_adapter.jobs.urls`), then connects to the vetted addresses one by one, IPv4 first
by default (a Lambda outside a VPC has no IPv6 egress), moving on only when a connection could
not be opened, so nothing was sent. The attempt's timeout bounds all of it, counted once::

    resolve ─ vet every address ─ 203.0.113.7 ── connect failed ─ 2001:db8::7 ── request ─ answer
    └─────────────── one timeout: what the resolve and each connect use is gone ───────────────┘

The default transport, urllib3 (botocore loads it anyway), connects to the pinned address with
SNI and the certificate checked against the URL's host, and tells a failed connection from a
failure after sending. ``transport`` is injectable (like httpx's ``MockTransport``). Errors:
timeout -> TargetTimeout; connection, DNS, TLS -> TargetUnreachable; non-2xx ->
TargetHTTPError(status, retry_after). Redirects are never followed (a 3xx fails the attempt).
"""

from __future__ import annotations

import codecs
import ipaddress
import ssl
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Literal
from urllib.parse import urlsplit

import msgspec
import urllib3
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError, ReadTimeoutError, SSLError

from cron_adapter.adapters.dns import Resolver, resolve, resolve_within
from cron_adapter.errors import TargetConnectFailed, TargetHTTPError, TargetRefused, TargetTimeout, TargetUnreachable
from cron_adapter.fire.policy import ERROR_EXCERPT_BYTES
from cron_adapter.fire.ports import TargetRequest, TargetResponse
from cron_adapter.jobs.urls import AddressPolicy, Network, ascii_url, normalise, refused_reason
from cron_adapter.redacted import Redacted

MAX_BODY_BYTES = 1 << 20
CONNECT_TIMEOUT_SECONDS = 5.0  # per address, so a silent address leaves time for the next one
AddressOrder = Literal["ipv4-first", "ipv6-first"]
ADDRESS_ORDERS: tuple[AddressOrder, ...] = ("ipv4-first", "ipv6-first")


class TransportRequest(Redacted, frozen=True):
    """One request on the wire: ``address`` is the vetted IP to connect to (headers and body not in ``repr``)."""

    HIDDEN = frozenset({"headers", "body"})
    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    address: str


class TransportResponse(msgspec.Struct, frozen=True):
    """Status, headers (lower-cased names) and body of an answer."""

    status: int
    headers: dict[str, str]
    body: bytes


Transport = Callable[[TransportRequest, float], TransportResponse]


def ordered(addresses: list[str], order: AddressOrder) -> list[str]:
    """The addresses with the preferred family first, resolver order kept within a family."""
    v6_first = order == "ipv6-first"
    return sorted(addresses, key=lambda ip: (":" in ip) != v6_first)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` as seconds from now: ASCII delta-seconds (10 digits at most) or an HTTP date.

    None if absent or invalid: a value that fails to parse (a Unicode digit, a year past 9999) is none.
    """
    value = (value or "").strip()
    if value.isascii() and value.isdigit():
        return float(value) if len(value) <= 10 else None
    if not value or len(value) > 64:
        return None
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None


@cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per warm container (loading the CA store costs milliseconds)."""
    return ssl.create_default_context()


def urllib3_transport(request: TransportRequest, timeout: float) -> TransportResponse:
    """The default transport: urllib3 to the pinned address, Host/SNI/certificate from the URL."""
    parts = urlsplit(request.url)
    https, host = parts.scheme == "https", parts.hostname or ""
    port = parts.port or (443 if https else 80)
    # total: the wait for the answer's headers gets what the connect (TLS too) and the send left
    limits = urllib3.Timeout(connect=min(timeout, CONNECT_TIMEOUT_SECONDS), read=timeout, total=timeout)
    pool: urllib3.HTTPConnectionPool
    if https:
        pool = urllib3.HTTPSConnectionPool(
            request.address, port, timeout=limits, retries=False, maxsize=1, server_hostname=host,
            assert_hostname=host, ssl_context=_tls_context(),
        )  # fmt: skip
    else:
        pool = urllib3.HTTPConnectionPool(request.address, port, timeout=limits, retries=False, maxsize=1)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Host": parts.netloc.rpartition("@")[2], **request.headers}
    end = time.monotonic() + timeout
    try:
        resp = pool.urlopen(
            request.method, path, body=request.body or None, headers=headers, redirect=False,
            assert_same_host=False, preload_content=False,
        )  # fmt: skip
        body = _read_body(resp, end)
        return TransportResponse(resp.status, {k.lower(): v for k, v in resp.headers.items()}, body)
    except (NewConnectionError, ConnectTimeoutError) as exc:
        raise TargetConnectFailed(f"cannot connect to {host} at {request.address}") from exc
    except ReadTimeoutError as exc:
        raise TimeoutError(str(exc)) from exc
    except SSLError as exc:
        raise TargetUnreachable(f"TLS failed with {host}") from exc
    except HTTPError as exc:
        raise TargetUnreachable(f"{type(exc).__name__} calling {host}") from exc
    finally:
        pool.close()


def _read_body(resp: urllib3.BaseHTTPResponse, end: float) -> bytes:
    """Up to ``MAX_BODY_BYTES`` of the body, all of it by ``end`` (monotonic seconds).

    A read timeout bounds one socket read, not the body (a 4 KB body trickled at 5 bytes/s
    took 820 s against a 1 s timeout): each read waits only for the time left.
    """
    body = bytearray()
    while len(body) < MAX_BODY_BYTES:
        left = end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the answer's body did not arrive within the timeout")
        sock = getattr(resp.connection, "sock", None)
        if sock is not None:
            sock.settimeout(left)
        chunk = resp.read1(min(1 << 16, MAX_BODY_BYTES - len(body)))
        if not chunk:
            break
        body += chunk
    return bytes(body)


class HttpTargetCaller:
    """:class:`~cron_adapter.fire.ports.TargetCaller` over HTTP(S) with the address policy."""

    def __init__(
        self,
        allow_http_loopback: bool = False,
        transport: Transport | None = None,
        resolver: Resolver | None = None,
        now: Callable[[], float] = time.time,
        *,
        allowed_cidrs: tuple[Network, ...] = (),
        address_order: AddressOrder = "ipv4-first",
    ) -> None:
        self.policy = AddressPolicy(allow_loopback=allow_http_loopback, allowed_cidrs=allowed_cidrs)
        self.transport = transport or urllib3_transport
        self.resolver = resolver or resolve
        self.now = now
        self.address_order = address_order

    def vet(self, url: str, within: float | None = None) -> list[str]:
        """Check the URL and every address it resolves to (within ``within`` s); the addresses to try, in order."""
        try:
            parts = urlsplit(url)
            host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise TargetRefused(f"target URL is not valid: {exc}") from None
        if parts.scheme not in {"http", "https"} or not host:
            raise TargetRefused(f"target URL must be absolute http(s), got scheme {parts.scheme!r}")
        if parts.username is not None or "\\" in parts.netloc:
            raise TargetRefused("target URL carries credentials or a backslash in its authority")
        addresses = resolve_within(self.resolver, host, port, within)
        if not addresses:
            raise TargetUnreachable(f"{host} resolved to no address")
        for ip in addresses:
            try:
                reason = refused_reason(ipaddress.ip_address(ip.split("%")[0]), self.policy)
            except ValueError:
                reason = "malformed address"
            if reason:
                raise TargetRefused(f"target {host} resolves to a {reason} ({ip})")
        loopback = all(normalise(ipaddress.ip_address(ip.split("%")[0])).is_loopback for ip in addresses)
        if parts.scheme == "http" and not loopback:
            raise TargetRefused(f"target {host} must use https (plain http is allowed only on loopback under dev)")
        return ordered(addresses, self.address_order)

    def call(self, request: TargetRequest, timeout: float) -> TargetResponse:
        """One attempt; raises a ``TargetError`` subclass on anything but a 2xx."""
        url, end = _wire_url(request.url), time.monotonic() + timeout
        addresses = self.vet(url, timeout)  # the resolve's time comes out of the attempt's
        resp, failures = None, []
        for address in addresses:
            left = end - time.monotonic()
            if left <= 0:
                break
            wire = TransportRequest(request.method, url, request.headers, request.body, address)
            try:
                resp = self.transport(wire, left)
                break
            except TargetConnectFailed as exc:  # nothing was sent: the next address is safe to try
                failures.append(str(exc))
            except TimeoutError as exc:  # socket.timeout is TimeoutError since 3.10
                raise TargetTimeout(f"no answer within {timeout:.1f} s") from exc
            except OSError as exc:  # a transport that does not map its own errors
                raise TargetUnreachable(f"{type(exc).__name__} calling {urlsplit(url).hostname}") from exc
        if resp is None:  # every address failed, or the time ran out before the next one
            spent = [] if len(failures) == len(addresses) else [f"no time left to connect within {timeout:.1f} s"]
            raise TargetUnreachable("; ".join(failures + spent))
        if 200 <= resp.status < 300:
            return TargetResponse(resp.status, resp.body)
        # A wide excerpt: the fire path blanks the secret out of it (a part cut off at its end too),
        # escapes control characters, then cuts the message short. A character split by the cut is dropped.
        detail = _utf8(resp.body[:ERROR_EXCERPT_BYTES], final=len(resp.body) <= ERROR_EXCERPT_BYTES).strip()
        raise TargetHTTPError(resp.status, parse_retry_after(resp.headers.get("retry-after"), self.now()), detail)


def _utf8(data: bytes, final: bool) -> str:
    return codecs.getincrementaldecoder("utf-8")("replace").decode(data, final=final)


def _wire_url(url: str) -> str:
    try:
        return ascii_url(url)
    except (UnicodeError, ValueError) as exc:
        raise TargetRefused(f"target URL cannot be encoded for the wire: {type(exc).__name__}") from None
