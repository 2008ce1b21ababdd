"""Target URL and header rules: every spelling of a forbidden address is refused, unsendable values too."""

from __future__ import annotations

import ipaddress
from urllib.parse import unquote

import pytest

from cron_adapter.errors import InvalidJobsFile
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.jobs.urls import (
    AddressPolicy,
    ascii_url,
    check_target_url,
    header_id,
    header_problem,
    host_ip,
    refused_reason,
    wire_host,
)

FORBIDDEN_URLS = [
    "https://[::ffff:169.254.169.254]/",  # IPv4-mapped IPv6
    "https://[::ffff:a9fe:a9fe]/",  # mapped, hex groups
    "https://[::169.254.169.254]/",  # IPv4-compatible IPv6
    "https://[64:ff9b::a9fe:a9fe]/",  # NAT64
    "https://[2002:a9fe:a9fe::1]/",  # 6to4
    "https://2852039166/",  # decimal
    "https://0251.0376.0251.0376/",  # octal
    "https://0xa9fea9fe/",  # hex
    "https://0xa9.0xfe.0xa9.0xfe/",  # hex per byte
    "https://169.254.43518/",  # short form
    "https://169.254.169.254/",
    "https://[fd00:ec2::254]/",
    "https://[::ffff:0:a9fe:a9fe]/",  # SIIT IPv4-translated
    "https://１６９.２５４.１６９.２５４/latest/meta-data/",  # full-width digits: IDNA maps them
    "https://169。254。169。254/",  # ideographic full stops
    "https://169.254.169.254./",  # trailing dot
    "https://metadata.google.internal./computeMetadata/v1/",
    "https://ｍｅｔａｄａｔａ.google.internal/",
    "https://0.0.0.0/",
    "https://0/",
    "https://[::]/",
    "https://[fe80::1%25eth0]/",
    "https://224.0.0.1/",
    "https://255.255.255.255/",
    "https://user@example.com/",  # userinfo
    "https://example.com@169.254.169.254/",  # userinfo trick
    "https://169.254.169.254\\@example.com/",  # backslash trick
    "https://[::1",  # unclosed bracket: refused, not a crash
    "https://example.com:99999/",
    "https://exa mple.com/",
    "https://example.com/a\r\nHost: evil",
    "http://example.com/",
]


@pytest.mark.parametrize("url", FORBIDDEN_URLS)
def test_every_form_of_a_forbidden_address_is_refused_at_validation(url: str) -> None:
    problem, _ = check_target_url(url)
    assert problem, url


@pytest.mark.parametrize(
    "host",
    [
        "[::ffff:127.0.0.1]",
        "2130706433",
        "0x7f.1",
        "127.1",
        "[::1]",
        "localhost",
        "localhost.",
        "ⓛⓞⓒⓐⓛⓗⓞⓢⓣ",
        "１２７.０.０.１",
    ],
)
def test_loopback_in_any_spelling_is_only_allowed_under_dev(host: str) -> None:
    url = f"https://{host}/"
    problem, warning = check_target_url(url)
    assert problem is None and "dev" in (warning or "")
    ip = host_ip(wire_host(host) or "")
    if ip is not None:
        assert refused_reason(ip, AddressPolicy()) and refused_reason(ip, AddressPolicy(allow_loopback=True)) is None


@pytest.mark.parametrize(
    "ip",
    # 64:ff9b:1::808:808: local-use NAT64 carrying a public IPv4 (one carrying a forbidden one: below)
    ["198.18.0.1", "192.0.0.1", "192.0.2.7", "fec0::1", "64:ff9b:1::808:808", "2001:db8::1"],
)
def test_every_address_that_is_not_global_is_private(ip: str) -> None:
    assert "private" in (refused_reason(ipaddress.ip_address(ip), AddressPolicy()) or "")
    assert refused_reason(ipaddress.ip_address(ip), AddressPolicy(allowed_cidrs=(ipaddress.ip_network(ip),))) is None


@pytest.mark.parametrize("ip", ["10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "fd12::1", "::ffff:10.0.0.1"])
def test_private_ranges_need_an_allowed_cidr(ip: str) -> None:
    address = ipaddress.ip_address(ip)
    assert "private" in (refused_reason(address, AddressPolicy()) or "")
    allowed = AddressPolicy(allowed_cidrs=(ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::/0")))
    expected_ok = ip.startswith("10.") or ip.endswith("10.0.0.1") or ":" in ip and "ffff" not in ip
    assert (refused_reason(address, allowed) is None) == expected_ok
    # an allowed CIDR never opens the metadata service
    assert refused_reason(
        ipaddress.ip_address("169.254.169.254"), AddressPolicy(allowed_cidrs=(ipaddress.ip_network("0.0.0.0/0"),))
    )


def test_public_addresses_pass() -> None:
    for ip in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"):
        assert refused_reason(ipaddress.ip_address(ip), AddressPolicy()) is None
    assert check_target_url("https://api.example.com/x?y=1") == (None, None)


def test_iri_paths_and_hosts_are_percent_and_idna_encoded() -> None:
    assert ascii_url("https://example.com/über/日本?q=ä") == "https://example.com/%C3%BCber/%E6%97%A5%E6%9C%AC?q=%C3%A4"
    assert ascii_url("https://bücher.example:8443/x") == "https://xn--bcher-kva.example:8443/x"
    assert ascii_url("https://example.com/already%20encoded") == "https://example.com/already%20encoded"


@pytest.mark.parametrize(
    "name,value",
    [
        ("", "x"),
        ("X:Y", "x"),
        ("X Y", "x"),
        ("Ünï", "x"),
        ("X-A", "a\r\nInjected: 1"),
        ("X-A", "a\nb"),
        ("X-A", "日本"),
    ],
)
def test_headers_that_cannot_be_sent_are_refused(name: str, value: str) -> None:
    assert header_problem(name, value)


def test_sendable_headers_pass() -> None:
    assert header_problem("X-Team", "café\tboth") is None


@pytest.mark.parametrize("job_id", ["nightly", "日本語のジョブ", "🎉 party", "a%41", "x:y"])
def test_job_ids_travel_in_headers_percent_encoded_and_decode_back(job_id: str) -> None:
    value = header_id(job_id)
    assert value.isascii() and value.isprintable() and " " not in value
    value.encode("latin-1")
    assert unquote(value) == job_id


def _file(**job: object) -> bytes:
    import json

    base = {"id": "j", "schedule": "every 5m", "target": {"url": "https://api.example.com/x"}}
    return json.dumps({"version": 1, "jobs": [{**base, **job}]}).encode()


@pytest.mark.parametrize(
    "job,field",
    [
        ({"id": "a\r\nb"}, "id"),
        ({"target": {"url": "https://api.example.com/x", "headers": {"X-A": "a\r\nb"}}}, "target.headers"),
        ({"target": {"url": "https://api.example.com/x", "headers": {"": "a"}}}, "target.headers"),
        ({"target": {"url": "https://api.example.com/x", "headers": {"X:Y": "a"}}}, "target.headers"),
        ({"target": {"url": "https://api.example.com/x", "headers": {"X-A": "日本"}}}, "target.headers"),
        ({"target": {"url": "https://[::1"}}, "target.url"),
        ({"target": {"url": "https://[::ffff:169.254.169.254]/"}}, "target.url"),
        ({"end_at": "0001-01-01T00:00:00"}, "end_at"),
    ],
)
def test_validate_refuses_what_cannot_be_sent_naming_the_field(job: dict, field: str) -> None:
    with pytest.raises(InvalidJobsFile) as caught:
        load_bytes(_file(**job))
    assert [p.field for p in caught.value.problems] == [field]


def test_validate_encodes_what_can_be_sent() -> None:
    jobs = load_bytes(_file(id="日本語🎉", target={"url": "https://api.example.com/ジョブ"})).jobs
    assert jobs[0].target.url == "https://api.example.com/%E3%82%B8%E3%83%A7%E3%83%96"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://169.254.169.254/latest", "169.254.169.254 is an instance metadata address"),
        ("https://169.254.1.1/", "169.254.1.1 is a link-local address"),
        ("https://224.0.0.1/", "224.0.0.1 is an unspecified or multicast address"),
    ],
)
def test_a_refused_address_reads_as_a_sentence(url: str, message: str) -> None:
    problem, _ = check_target_url(url)
    assert problem == message


# --- local-use NAT64 (RFC 8215 64:ff9b:1::/48, the IPv4 in the last 32 bits as RFC 6052's /96) ---
_LOCAL_NAT64 = AddressPolicy(allowed_cidrs=(ipaddress.ip_network("64:ff9b:1::/48"),))


@pytest.mark.parametrize(
    ("ip", "carried"),
    [
        ("64:ff9b:1::a9fe:a9fe", "instance metadata"),
        ("64:ff9b:1:ffff::a9fe:1", "link-local"),
        ("64:ff9b:1::7f00:1", "loopback"),
        ("64:ff9b:1::a00:1", "private address outside"),  # 10.0.0.1: only if 10/8 is listed too
        ("64:ff9b:1::", "unspecified"),
    ],
)
def test_an_allowed_local_use_nat64_prefix_never_admits_the_ipv4_it_carries(ip: str, carried: str) -> None:
    reason = refused_reason(ipaddress.ip_address(ip), _LOCAL_NAT64) or ""
    assert "local-use NAT64" in reason and carried in reason


def test_a_local_use_nat64_address_passes_when_what_it_carries_may_be_called() -> None:
    both = AddressPolicy(allowed_cidrs=(*_LOCAL_NAT64.allowed_cidrs, ipaddress.ip_network("10.0.0.0/8")))
    assert refused_reason(ipaddress.ip_address("64:ff9b:1::a00:1"), both) is None
    assert refused_reason(ipaddress.ip_address("64:ff9b:1::808:808"), _LOCAL_NAT64) is None
    dev = AddressPolicy(allow_loopback=True, allowed_cidrs=_LOCAL_NAT64.allowed_cidrs)
    assert refused_reason(ipaddress.ip_address("64:ff9b:1::7f00:1"), dev) is None


def test_a_local_use_nat64_literal_carrying_the_metadata_address_is_refused_at_validation() -> None:
    problem, _ = check_target_url("https://[64:ff9b:1::a9fe:a9fe]/x")
    assert problem and "169.254.169.254" in problem
