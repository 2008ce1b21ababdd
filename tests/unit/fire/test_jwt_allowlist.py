"""A job's own fire-token audience or issuer is signed only if the deployment allows it."""

from __future__ import annotations

import pytest

from cron_adapter import constants as c
from cron_adapter.errors import SettingsError
from cron_adapter.fire.tokens import TokenDefaults
from cron_adapter.settings import FireSettings
from tests.unit.fire.conftest import World, make_input
from tests.unit.fire.test_fire_jwt_auth import HERMES, KEY_SECRET, bearer, decode

STACK_AUD, STACK_ISS = "agent:prod", "https://cron.example.com"


def allow_world(audiences: tuple[str, ...] | None = ("agent:staging",), issuers: tuple[str, ...] | None = None):
    return World(tokens=TokenDefaults(lambda: KEY_SECRET, STACK_AUD, STACK_ISS, audiences, issuers))


def test_an_allowed_per_job_audience_is_signed() -> None:
    world = allow_world()
    outcome = world.fire(make_input(target={**HERMES, "audience": "agent:staging"}))
    assert outcome.status == "succeeded"
    assert decode(bearer(world), audience="agent:staging", issuer=STACK_ISS)["aud"] == "agent:staging"


def test_a_disallowed_audience_fails_at_once_and_the_target_is_never_called() -> None:
    world = allow_world()
    outcome = world.fire(make_input(target={**HERMES, "audience": "agent:other"}, retry={"attempts": 3}))
    assert outcome.status == "failed" and outcome.attempts == 1
    assert world.caller.requests == []
    error = outcome.error or ""
    assert "target.audience 'agent:other'" in error and "jwt_allowed_audiences" in error
    assert c.ENV_JWT_AUDIENCES in error and "remove target.audience" in error and KEY_SECRET not in error


@pytest.mark.parametrize("audiences", [(), ("agent:staging",)])
def test_the_stack_s_own_audience_always_works(audiences) -> None:
    for target in (HERMES, {**HERMES, "audience": STACK_AUD}):
        world = allow_world(audiences)
        assert world.fire(make_input(target=target)).status == "succeeded"
        assert decode(bearer(world), audience=STACK_AUD)["aud"] == STACK_AUD


def test_a_deployment_without_a_list_signs_a_job_s_own_audience_as_before() -> None:
    world = allow_world(audiences=None)
    assert world.fire(make_input(target={**HERMES, "audience": "agent:other"})).status == "succeeded"


def test_a_disallowed_issuer_fails_at_once_naming_the_fix() -> None:
    world = allow_world(issuers=("https://cron-b.example.com",))
    outcome = world.fire(make_input(target={**HERMES, "issuer": "https://evil.example.com"}, retry={"attempts": 3}))
    assert outcome.status == "failed" and outcome.attempts == 1 and world.caller.requests == []
    assert "target.issuer" in (outcome.error or "") and c.ENV_JWT_ISSUERS in (outcome.error or "")


@pytest.mark.parametrize("issuer", ["https://cron-b.example.com", STACK_ISS, ""])
def test_an_allowed_the_stack_s_own_or_an_empty_issuer_is_signed(issuer) -> None:
    world = allow_world(issuers=("https://cron-b.example.com",))
    assert world.fire(make_input(target={**HERMES, "issuer": issuer})).status == "succeeded"
    assert decode(bearer(world), audience=STACK_AUD).get("iss") == (issuer or None)


BASE_ENV = {c.ENV_TABLE: "t", c.ENV_SECRET_ID: "s"}


def test_settings_read_the_lists_dropping_spaces_and_empty_entries() -> None:
    env = {**BASE_ENV, c.ENV_JWT_AUDIENCES: " agent:a ,, agent:b,agent:a, ", c.ENV_JWT_ISSUERS: "https://i.example"}
    settings = FireSettings.from_env(env)
    assert settings.jwt_audiences == ("agent:a", "agent:b") and settings.jwt_issuers == ("https://i.example",)
    unset = FireSettings.from_env(BASE_ENV)
    assert unset.jwt_audiences is None and unset.jwt_issuers is None


@pytest.mark.parametrize("value", ["", " ", " , ,"])
def test_a_list_that_names_nothing_is_a_settings_error(value) -> None:
    with pytest.raises(SettingsError, match=c.ENV_JWT_AUDIENCES):
        FireSettings.from_env({**BASE_ENV, c.ENV_JWT_AUDIENCES: value})


def test_the_factory_carries_the_lists_into_the_token_defaults() -> None:
    from cron_adapter.bootstrap.fire import FireFactory

    settings = FireSettings.from_env({**BASE_ENV, c.ENV_JWT_AUDIENCES: "agent:a", c.ENV_JWT_ISSUERS: "i"})
    tokens = FireFactory(settings)._tokens(settings)
    assert (tokens.audiences, tokens.issuers) == (("agent:a",), ("i",))
