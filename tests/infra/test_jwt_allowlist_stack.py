"""The stack hands the fire-token allow-lists (``jwt_allowed_*``) to the Lambdas that sign tokens."""

from __future__ import annotations

from typing import Any

import pytest

from cron_adapter import constants as c
from cron_adapter.settings import FireSettings
from tests.infra.conftest import Synth, synthesize

pytestmark = pytest.mark.infra
OWN_AUD, OWN_ISS = "agent:prod", "https://cron.example.com"


@pytest.fixture(scope="module")
def allow_synth() -> Synth:
    from cron_adapter_infra import CronAdapterProps

    props = CronAdapterProps(
        jwt_audience=OWN_AUD,
        jwt_issuer=OWN_ISS,
        jwt_allowed_audiences=("agent:staging", " agent:dev"),
        jwt_allowed_issuers=(),
    )
    return synthesize(props, bundle=False, nag=False)


def _env(synth: Synth, part: str) -> dict[str, Any]:
    _, function = synth.one("AWS::Lambda::Function", part)
    return function["Properties"]["Environment"]["Variables"]


@pytest.mark.parametrize("part", ["Fire", "Audit"])
def test_the_allowed_audiences_and_issuers_reach_the_token_signers(allow_synth, part) -> None:
    env = _env(allow_synth, part)
    assert env[c.ENV_JWT_AUDIENCES] == "agent:staging,agent:dev,agent:prod"
    assert env[c.ENV_JWT_ISSUERS] == OWN_ISS  # (): only the stack's own issuer
    settings = FireSettings.from_env({k: v if isinstance(v, str) else "resolved" for k, v in env.items()})
    assert settings.jwt_audiences == ("agent:staging", "agent:dev", "agent:prod")
    assert settings.jwt_issuers == (OWN_ISS,)


def test_without_the_props_no_list_is_set(synth) -> None:
    env = _env(synth, "Fire")
    assert c.ENV_JWT_AUDIENCES not in env and c.ENV_JWT_ISSUERS not in env


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"jwt_allowed_audiences": "agent:a"}, "must be a list of names"),
        ({"jwt_allowed_audiences": ("agent:a", " ")}, "entry ' ' must be non-empty"),
        ({"jwt_allowed_issuers": ("a,b",)}, "hold no comma"),
        ({"jwt_allowed_audiences": ()}, "jwt_allowed_audiences is empty and jwt_audience is unset"),
    ],
)
def test_bad_allow_lists_are_refused_by_the_props(kwargs, message) -> None:
    from cron_adapter_infra import CronAdapterProps

    with pytest.raises(ValueError, match=message):
        CronAdapterProps(**kwargs)
