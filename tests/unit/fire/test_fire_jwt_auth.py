"""Targets with ``auth: jwt``: a fresh ES256 token per attempt, from the key secret, never the shared one."""

from __future__ import annotations

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization

from cron_adapter.errors import SecretError, TargetHTTPError
from cron_adapter.fire.jwt import Es256Signer
from cron_adapter.fire.ports import TargetResponse
from cron_adapter.fire.tokens import TokenDefaults
from tests.unit.fire.conftest import World, make_input
from tests.unit.fire.fakes import SECRET, FakeCaller

KEY_SECRET = "fire-token-key-" + "z" * 40
HERMES = {"url": "https://agent.example.com/api/cron/fire", "auth": "jwt"}


def jwt_world(caller: FakeCaller | None = None, key: str | None = KEY_SECRET, audience: str | None = "agent:prod"):
    tokens = TokenDefaults((lambda: key) if key else None, audience, "https://cron.example.com")
    return World(caller, tokens=tokens)


def decode(token: str, **kw) -> dict:
    pem = Es256Signer.from_secret(KEY_SECRET).public_pem().encode()
    key = serialization.load_pem_public_key(pem)
    return pyjwt.decode(token, key, algorithms=["ES256"], options={"verify_exp": False}, **kw)


def bearer(world: World, index: int = 0) -> str:
    header = world.caller.requests[index][0].headers["Authorization"]
    assert header.startswith("Bearer ")
    return header.removeprefix("Bearer ")


def test_a_jwt_target_gets_a_signed_token_with_the_run_claims() -> None:
    world = jwt_world()
    assert world.fire(make_input(target=HERMES)).status == "succeeded"
    claims = decode(bearer(world), audience="agent:prod", issuer="https://cron.example.com")
    assert claims["purpose"] == "cron_fire" and claims["job_id"] == "nightly-report"
    assert claims["fire_at"] == "2026-11-23T03:00:00Z"
    assert claims["jti"] == world.caller.requests[0][0].headers["Idempotency-Key"]
    assert claims["exp"] - claims["iat"] == 60 and claims["iat"] == int(world.clock.now())
    assert SECRET not in world.caller.requests[0][0].headers["Authorization"]


def test_each_attempt_gets_a_fresh_token_with_the_same_jti() -> None:
    world = jwt_world(FakeCaller(TargetHTTPError(503), TargetResponse(202)))
    world.fire(make_input(target=HERMES, retry={"attempts": 2, "backoff": 2.0}))
    first, second = (decode(bearer(world, i), audience="agent:prod", issuer="https://cron.example.com") for i in (0, 1))
    assert second["iat"] > first["iat"] and first["jti"] == second["jti"]


def test_the_job_s_own_audience_and_issuer_win() -> None:
    world = jwt_world()
    world.fire(make_input(target={**HERMES, "audience": "agent:other", "issuer": ""}))
    claims = decode(bearer(world), audience="agent:other")
    assert "iss" not in claims


@pytest.mark.parametrize(("key", "audience", "why"), [(None, "agent:prod", "key"), (KEY_SECRET, None, "audience")])
def test_without_a_key_or_an_audience_the_run_fails_at_once_naming_the_fix(key, audience, why) -> None:
    world = jwt_world(key=key, audience=audience)
    outcome = world.fire(make_input(target=HERMES, retry={"attempts": 3}))
    assert outcome.status == "failed" and outcome.attempts == 1 and why in (outcome.error or "")
    assert world.caller.requests == [] and KEY_SECRET not in (outcome.error or "")


def test_secret_targets_keep_the_shared_bearer() -> None:
    world = jwt_world()
    world.fire(make_input(target={"url": "https://x.example/h"}))
    assert world.caller.requests[0][0].headers["Authorization"] == f"Bearer {SECRET}"


def test_an_unreadable_token_key_fails_before_the_claim() -> None:
    """A Secrets Manager failure must not use up the run: the delivery fails and is retried."""

    def unreadable() -> str:
        raise SecretError("cannot read secret 'fire-token-key': throttled")

    world = World(tokens=TokenDefaults(unreadable, "agent:prod"))
    with pytest.raises(SecretError):
        world.fire(make_input(target=HERMES))
    assert world.store.rows == {} and world.caller.requests == []
    # a secret target does not need the key, so it still fires
    assert world.fire(make_input(target={"url": "https://x.example/h"})).status == "succeeded"
