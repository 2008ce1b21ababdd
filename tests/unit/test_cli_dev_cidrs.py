"""``cron-adapter dev --allow-cidr``: the private ranges the local fire handler may call."""

from __future__ import annotations

from pathlib import Path

from cron_adapter import constants as c
from cron_adapter.cli import build_parser, main
from cron_adapter.cli.devoptions import dev_options
from cron_adapter.local.options import store_env
from cron_adapter.settings import FireSettings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "jobs.json"


def test_each_allow_cidr_reaches_the_fire_handlers_settings() -> None:
    args = build_parser().parse_args(["dev", "--allow-cidr", "10.1.0.0/16", "--allow-cidr", "fd12:3456::/48"])
    options = dev_options(args, EXAMPLE)
    env = store_env(options)
    assert env[c.ENV_ALLOWED_CIDRS] == "10.1.0.0/16,fd12:3456::/48"
    settings = FireSettings.from_env({c.ENV_TABLE: "t", c.ENV_SECRET_ID: "s", c.ENV_GROUP: "g", **env})
    assert [str(n) for n in settings.allowed_cidrs] == ["10.1.0.0/16", "fd12:3456::/48"]


def test_without_the_flag_no_private_range_is_allowed() -> None:
    options = dev_options(build_parser().parse_args(["dev"]), EXAMPLE)
    assert c.ENV_ALLOWED_CIDRS not in store_env(options)


def test_a_bad_cidr_is_a_usage_error_naming_it(capsys) -> None:
    assert main(["dev", str(EXAMPLE), "--allow-cidr", "10.1.0.0/33"]) == 2
    err = capsys.readouterr().err
    assert "--allow-cidr" in err and "'10.1.0.0/33' is not a CIDR block" in err and "Traceback" not in err
