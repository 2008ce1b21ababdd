"""Fire settings for the address policy: allowed CIDRs and the address order, checked at the edge."""

from __future__ import annotations

import ipaddress

import pytest

from cron_adapter import constants as c
from cron_adapter.errors import SettingsError
from cron_adapter.settings import FireSettings

BASE = {c.ENV_TABLE: "t", c.ENV_SECRET_ID: "s"}


def test_defaults_are_ipv4_first_and_no_private_range() -> None:
    s = FireSettings.from_env(BASE)
    assert (s.address_order, s.allowed_cidrs) == ("ipv4-first", ())


def test_allowed_cidrs_and_order_are_read() -> None:
    s = FireSettings.from_env(
        {**BASE, c.ENV_ALLOWED_CIDRS: "10.1.0.0/16, fd12::/64", c.ENV_ADDRESS_ORDER: "ipv6-first"}
    )
    assert s.allowed_cidrs == (ipaddress.ip_network("10.1.0.0/16"), ipaddress.ip_network("fd12::/64"))
    assert s.address_order == "ipv6-first"


@pytest.mark.parametrize("name,value", [(c.ENV_ALLOWED_CIDRS, "10.1.0.0/33"), (c.ENV_ADDRESS_ORDER, "random")])
def test_bad_values_name_the_setting(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        FireSettings.from_env({**BASE, name: value})
