"""Static checks of target URLs, shared by validation and the fire path.

Plain http is allowed only to loopback (and only when the fire Lambda runs with the dev
flag); link-local and cloud metadata addresses are never allowed, since a job file must not
be able to reach the instance credentials endpoint.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
METADATA_NAMES = {"metadata.google.internal", "metadata", "instance-data"}
_METADATA_V4 = ipaddress.ip_address("169.254.169.254")
_METADATA_V6 = ipaddress.ip_address("fd00:ec2::254")


def host_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address a host literal names, or None for a DNS name."""
    host = host.strip("[]")
    if not host or not (host[0].isdigit() or ":" in host):
        return None  # a DNS name: skip the (slow, raising) parse
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """True for localhost names and loopback addresses."""
    ip = host_ip(host)
    return host.lower() in LOOPBACK_NAMES if ip is None else ip.is_loopback


def forbidden_reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why a target address may never be called, or None.

    Checked on IP literals at validation and on every resolved address at fire time.
    """
    if ip in (_METADATA_V4, _METADATA_V6):
        return "instance metadata address"
    if ip.is_link_local:
        return "link-local address"
    if ip.is_unspecified or ip.is_multicast:
        return "unspecified or multicast address"
    return None


def check_target_url(url: str) -> tuple[str | None, str | None]:
    """Return (problem, warning) for a target URL; at most one is set."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return f"{url!r} is not an absolute http(s) URL", None
    # Only the origin decides; job files share a few origins, so the check is cached.
    netloc = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return _check_origin(scheme.lower(), netloc)


@lru_cache(maxsize=1024)
def _check_origin(scheme: str, netloc: str) -> tuple[str | None, str | None]:
    parts = urlsplit(f"{scheme}://{netloc}")
    host = parts.hostname or ""
    if scheme not in {"https", "http"} or not host:
        return f"'{scheme}://{netloc}' is not an absolute http(s) URL", None
    if parts.username or parts.password:
        return "credentials in the URL would leak into logs and schedules", None
    ip = host_ip(host)
    reason = "metadata host name" if host.lower() in METADATA_NAMES else (forbidden_reason(ip) if ip else None)
    if reason:
        return f"{host} is a {reason}", None
    if scheme == "http":
        if is_loopback(host):
            return None, f"plain http to {host} works only with the dev flag (CRON_ADAPTER_ALLOW_HTTP_LOOPBACK)"
        return f"plain http to {host} would send the shared secret in clear", None
    return None, None
