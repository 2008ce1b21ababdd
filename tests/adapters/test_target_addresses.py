"""The caller's addresses on a real server on 127.0.0.1: family order, fallback, refusals, no redirects."""

from __future__ import annotations

import ipaddress

import pytest

from cron_adapter.adapters.target import HttpTargetCaller, TransportRequest, ordered, urllib3_transport
from cron_adapter.errors import TargetError, TargetHTTPError, TargetRefused, TargetUnreachable
from cron_adapter.fire.ports import TargetRequest
from tests.adapters.fire_support import Reply, TargetServer
from tests.unit.test_url_rules import FORBIDDEN_URLS


def request(url: str) -> TargetRequest:
    return TargetRequest("POST", url, {"Content-Type": "application/json"}, b"{}")


class Recording:
    """The real urllib3 transport, recording the addresses it was asked to connect to."""

    def __init__(self) -> None:
        self.addresses: list[str] = []

    def __call__(self, req: TransportRequest, timeout: float):
        self.addresses.append(req.address)
        return urllib3_transport(req, timeout)


def _dead_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("order", ["ipv4-first", "ipv6-first"])
def test_a_name_with_an_unreachable_ipv6_and_a_reachable_ipv4_address_is_reached(order: str) -> None:
    with TargetServer() as server:
        port = server.httpd.server_address[1]
        transport = Recording()
        caller = HttpTargetCaller(
            True, transport=transport, resolver=lambda h, p: ["::1", "127.0.0.1"], address_order=order
        )
        # ::1 has no listener on the server's port (it binds 127.0.0.1 only): connecting fails, nothing is sent
        resp = caller.call(request(f"http://dual.localhost:{port}/hook"), 5.0)
    assert resp.status == 200 and len(server.seen) == 1
    assert server.seen[0].headers["Host"] == f"dual.localhost:{port}"
    assert transport.addresses == (["127.0.0.1"] if order == "ipv4-first" else ["::1", "127.0.0.1"])


def test_when_every_address_refuses_the_connection_the_target_is_unreachable() -> None:
    port = _dead_port()
    caller = HttpTargetCaller(True, resolver=lambda h, p: ["127.0.0.1", "::1"])
    with pytest.raises(TargetUnreachable, match="cannot connect"):
        caller.call(request(f"http://dual.localhost:{port}/hook"), 5.0)


def test_ipv4_first_keeps_resolver_order_within_a_family() -> None:
    given = ["2001:db8::1", "203.0.113.2", "2001:db8::2", "203.0.113.1"]
    assert ordered(given, "ipv4-first") == ["203.0.113.2", "203.0.113.1", "2001:db8::1", "2001:db8::2"]
    assert ordered(given, "ipv6-first") == ["2001:db8::1", "2001:db8::2", "203.0.113.2", "203.0.113.1"]


@pytest.mark.parametrize("url", [u for u in FORBIDDEN_URLS if not u.startswith("http://")])
def test_every_form_of_a_forbidden_address_is_refused_at_fire_time_without_a_call(url: str) -> None:
    calls: list[TransportRequest] = []
    caller = HttpTargetCaller(transport=lambda req, t: calls.append(req))  # the real resolver
    with pytest.raises(TargetError):
        caller.call(request(url), 1.0)
    assert calls == []


@pytest.mark.parametrize("resolved", ["::ffff:169.254.169.254", "10.0.0.7", "127.0.0.1", "::1", "fd00::1", "0.0.0.0"])
def test_a_name_resolving_to_a_refused_address_is_refused(resolved: str) -> None:
    caller = HttpTargetCaller(resolver=lambda h, p: ["93.184.216.34", resolved])
    with pytest.raises(TargetRefused):
        caller.call(request("https://innocent.example.com/x"), 1.0)


def test_allowed_cidrs_open_private_ranges_but_never_metadata() -> None:
    allowed = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("169.254.0.0/16"))
    caller = HttpTargetCaller(allowed_cidrs=allowed, resolver=lambda h, p: ["10.0.0.7"])
    assert caller.vet("https://internal.example/x") == ["10.0.0.7"]
    caller = HttpTargetCaller(allowed_cidrs=allowed, resolver=lambda h, p: ["169.254.169.254"])
    with pytest.raises(TargetRefused, match="metadata"):
        caller.vet("https://internal.example/x")


def test_redirects_are_not_followed() -> None:
    redirect = Reply(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})
    with TargetServer(redirect) as server, pytest.raises(TargetHTTPError) as caught:
        HttpTargetCaller(True).call(request(server.url), 5.0)
    assert caught.value.status == 302 and len(server.seen) == 1


def test_a_non_ascii_path_is_sent_percent_encoded() -> None:
    with TargetServer() as server:
        HttpTargetCaller(True).call(request(server.url + "/ジョブ"), 5.0)
    assert server.seen[0].path == "/hook/%E3%82%B8%E3%83%A7%E3%83%96"
