"""Rules for target URLs and addresses, shared by validation and the fire path.

One address policy decides at validation (on IP literals) and at fire time (on every
resolved address). Every address is first normalised, so an IPv4 address cannot hide in an
IPv6 form (``::ffff:169.254.169.254``, ``::169.254.169.254``, NAT64, 6to4) or in the
decimal, octal and hex spellings that ``inet_aton`` accepts (``2852039166``, ``0251.0376.0251.0376``)::

    never:  instance metadata, link-local, unspecified (0.0.0.0, ::), multicast, reserved/broadcast
    dev:    loopback (127/8, ::1), over http or https, only with the dev flag
    listed: private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, any other range that
            is not global) only inside allowed CIDRs

A host is judged as it is sent (IDNA-mapped, without a trailing dot), so ``１２７.０.０.１``
and ``169.254.169.254.`` are the addresses they become.

Pure: standard library only.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from functools import lru_cache
from urllib.parse import quote, urlsplit, urlunsplit

import msgspec

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
METADATA_NAMES = {"metadata.google.internal", "metadata", "instance-data"}
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
PRIVATE_NETWORKS: tuple[Network, ...] = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT's IPv4-translated ::ffff:0:a.b.c.d
# Not global, though this Python's ``is_global`` says so: site-local, local-use NAT64 (RFC 8215).
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")
_NOT_GLOBAL = (ipaddress.ip_network("fec0::/10"), _LOCAL_NAT64)
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_INET_ATON = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.IGNORECASE)
_UNSENDABLE = re.compile(r"[\x00-\x20\x7f\\]")  # whitespace, controls, DEL, backslash
_NETLOC = re.compile(r"[^/?#]*")  # what follows "scheme://" up to the path, query or fragment
# The path and query characters kept as written; anything else (non-ASCII) is percent-encoded.
_URL_SAFE = "/:@!$&'()*+,;=-._~%?"


class AddressPolicy(msgspec.Struct, frozen=True):
    """Which addresses a deployment may call: loopback only in dev; private ranges only if listed."""

    allow_loopback: bool = False
    allowed_cidrs: tuple[Network, ...] = ()


def parse_cidrs(text: str) -> tuple[Network, ...]:
    """``"10.1.0.0/16, fd12::/64"`` -> networks (raises ValueError naming the bad entry)."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise ValueError(f"{part!r} is not a CIDR block such as 10.1.0.0/16") from exc
    return tuple(out)


def normalise(ip: Address) -> Address:
    """The IPv4 address an IPv6 form carries (mapped, compatible, NAT64, 6to4), else ``ip``."""
    if isinstance(ip, ipaddress.IPv4Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    value = int(ip)
    if ip in _NAT64 or ip in _TRANSLATED or (1 < value < 2**32):  # NAT64, SIIT, IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    return ip


def host_ip(host: str) -> Address | None:
    """The normalised IP address a URL host names in any spelling, or None for a DNS name."""
    host = host.strip("[]").split("%", 1)[0]
    if not host or not (host[0].isdigit() or ":" in host):
        return None  # a DNS name: skip the (slow, raising) parse
    try:
        return normalise(ipaddress.ip_address(host))
    except ValueError:
        pass
    if _INET_ATON.match(host):  # 2852039166, 0251.0376.0251.0376, 0xa9fea9fe, 169.254.43518
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_loopback(host: str) -> bool:
    """True for localhost names and loopback addresses."""
    ip = host_ip(host)
    return host.lower().rstrip(".") in LOOPBACK_NAMES if ip is None else ip.is_loopback


def forbidden_reason(ip: Address) -> str | None:
    """Why an address may never be called, whatever the deployment allows, or None."""
    ip = normalise(ip)
    if ip in _LOCAL_NAT64 and forbidden_reason(ipv4 := ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)):
        return f"private local-use NAT64 address carrying {ipv4} ({forbidden_reason(ipv4)})"
    if ip in _METADATA:
        return "instance metadata address"
    if ip.is_link_local:
        return "link-local address"
    if ip.is_unspecified or ip.is_multicast or ip in _THIS_NETWORK:
        return "unspecified or multicast address"
    if isinstance(ip, ipaddress.IPv4Address) and (ip.is_reserved or ip == ipaddress.IPv4Address("255.255.255.255")):
        return "reserved address"
    return None


def refused_reason(ip: Address, policy: AddressPolicy) -> str | None:
    """Why a resolved address may not be called under ``policy``, or None.

    A local-use NAT64 address (64:ff9b:1::/48, RFC 8215) is a private IPv6 address that
    reaches the IPv4 address in its last 32 bits (RFC 6052's /96 layout): both must pass,
    so allowing the prefix never admits the metadata, loopback or an unlisted private IPv4.
    """
    ip = normalise(ip)
    if ip in _LOCAL_NAT64:
        ipv4 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        inner = refused_reason(ipv4, policy)
        if inner:
            return f"private local-use NAT64 address carrying {ipv4} ({inner})"
    reason = forbidden_reason(ip)
    if reason:
        return reason
    if ip.is_loopback:
        return None if policy.allow_loopback else "loopback address (allowed only by `cron-adapter dev`)"
    if is_private(ip) and not any(ip in net for net in policy.allowed_cidrs):
        return "private address outside the deployment's allowed CIDRs"
    return None


def is_private(ip: Address) -> bool:
    """Not publicly routable: the private ranges, and every other range IANA lists as not
    global (benchmarking 198.18/15, protocol assignments 192.0.0/24, documentation,
    site-local fec0::/10, local-use NAT64 64:ff9b:1::/48, ...)."""
    ip = normalise(ip)
    return not ip.is_global or any(ip in net for net in (*PRIVATE_NETWORKS, *_NOT_GLOBAL))


def ascii_url(url: str) -> str:
    """The URL as it goes on the wire: IDNA host, non-ASCII path and query percent-encoded."""
    if url.isascii():
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host.encode("idna").decode("ascii") if not host.isascii() else host
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=_URL_SAFE), quote(parts.query, safe=_URL_SAFE), ""))


def check_target_url(url: str) -> tuple[str | None, str | None]:
    """Return (problem, warning) for a target URL; at most one is set."""
    if _UNSENDABLE.search(url):
        return "the URL contains whitespace, a control character or a backslash", None
    scheme, sep, rest = url.partition("://")
    if not sep:
        return f"{url!r} is not an absolute http(s) URL", None
    # Only the origin decides; job files share a few origins, so the check is cached.
    origin = _NETLOC.match(rest)  # always matches, maybe empty
    netloc = origin.group() if origin else ""
    problem, warning = _check_origin(scheme.lower(), netloc)
    if problem is None and not url.isascii():
        try:
            ascii_url(url)
        except (UnicodeError, ValueError):
            return f"the host of {url!r} is not a valid international domain name", None
    return problem, warning


@lru_cache(maxsize=1024)
def _check_origin(scheme: str, netloc: str) -> tuple[str | None, str | None]:
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        host, _ = parts.hostname or "", parts.port
    except ValueError as exc:  # "[::1" or a port out of range
        return f"'{scheme}://{netloc}' is not a valid URL ({exc})", None
    if scheme not in {"https", "http"} or not host:
        return f"'{scheme}://{netloc}' is not an absolute http(s) URL", None
    if parts.username is not None or parts.password is not None:
        return "credentials in the URL would leak into logs and schedules", None
    name = wire_host(host)
    if name is None:
        return f"the host of '{scheme}://{netloc}' is not a valid international domain name", None
    if name != host.lower():  # full-width digits, ideographic dots, a trailing dot: judged as sent
        host = f"{host} ({name})"
    ip = host_ip(name)
    reason = "metadata host name" if name in METADATA_NAMES else (forbidden_reason(ip) if ip else None)
    if reason:
        return f"{host} is {'an' if reason[0] in 'aeiou' else 'a'} {reason}", None
    if is_loopback(name):
        kind = "plain http" if scheme == "http" else "https"
        return None, f"{kind} to {host} works only with the dev flag (CRON_ADAPTER_ALLOW_HTTP_LOOPBACK, set by dev)"
    if scheme == "http":
        return f"plain http to {host} would send the shared secret in clear", None
    if ip is not None and is_private(ip):
        return None, f"{host} is a private address: it is called only if the deployment lists it in allowed CIDRs"
    return None, None


def wire_host(host: str) -> str | None:
    """The host as resolved and sent: IDNA-mapped (NFKC, so ``１２７`` is ``127``), lower case,
    without a trailing dot; None if it is not a valid international domain name."""
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return host.lower().rstrip(".")


# RFC 9110 token characters: what a header name may contain.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # controls (tab is allowed), CR and LF above all


def header_problem(name: str, value: str) -> str | None:
    """Why a job's header cannot be sent as written (name not a token, CR/LF, not Latin-1), or None."""
    if not _TOKEN.match(name):
        return f"header name {name!r} is not a valid HTTP token (no spaces, ':' or non-ASCII)"
    if _BAD_VALUE.search(value):
        return f"header {name!r} has a control character (CR, LF, ...) in its value"
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return f"header {name!r} has characters outside Latin-1, which HTTP headers cannot carry"
    return None


def header_id(job_id: str) -> str:
    """A job id as the ``X-Cron-Job-Id`` header carries it: UTF-8, percent-encoded outside visible ASCII.

    ``%`` itself is encoded, so ``urllib.parse.unquote(value)`` always gives the id back.
    """
    return quote(job_id, safe="!#$&'()*+,/:;=?@[]^_`{|}~-.<>\"")
