"""The ES256 fire-token signer, checked against PyJWT (an independent implementation)."""

from __future__ import annotations

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cron_adapter.fire.jwt import Es256Signer, fire_claims

SECRET = "k" * 24 + "0123456789abcdef"  # 40 characters: a stack-generated secret
NOW = 1_796_000_000.0


def verify(token: str, signer: Es256Signer, audience: str = "agent:prod", **kw) -> dict:
    key = serialization.load_pem_public_key(signer.public_pem().encode())
    return pyjwt.decode(token, key, algorithms=["ES256"], audience=audience, options={"verify_exp": False}, **kw)


def test_a_token_verifies_with_pyjwt_and_carries_every_claim():
    signer = Es256Signer.from_secret(SECRET)
    claims = fire_claims("a1b2", "2026-12-01T09:00:00Z", "agent:prod", "https://cron.example.com", NOW)
    token = signer.sign(claims)
    got = verify(token, signer, issuer="https://cron.example.com")
    assert got == {
        "aud": "agent:prod",
        "iss": "https://cron.example.com",
        "iat": int(NOW),
        "exp": int(NOW) + 60,
        "purpose": "cron_fire",
        "jti": "a1b2:2026-12-01T09:00:00Z",
        "job_id": "a1b2",
        "fire_at": "2026-12-01T09:00:00Z",
    }
    assert pyjwt.get_unverified_header(token) == {"alg": "ES256", "kid": signer.kid, "typ": "JWT"}


def test_no_issuer_means_no_iss_claim():
    assert "iss" not in fire_claims("a", "t", "aud", None, NOW) and "iss" not in fire_claims("a", "t", "aud", "", NOW)


def test_the_derived_key_is_stable_per_secret_and_differs_between_secrets():
    one, again, other = (Es256Signer.from_secret(s) for s in (SECRET, SECRET, SECRET + "x"))
    assert one.public_pem() == again.public_pem() and one.kid == again.kid
    assert one.kid != other.kid
    with pytest.raises(pyjwt.InvalidSignatureError):
        verify(other.sign(fire_claims("a", "t", "agent:prod", None, NOW)), one)


def test_a_pem_private_key_in_the_secret_is_used_as_is():
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    signer = Es256Signer.from_secret(pem)
    mine = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert signer.public_pem() == mine.decode()


def test_weak_or_wrong_keys_are_refused_without_echoing_them():
    with pytest.raises(ValueError, match="at least 32") as info:
        Es256Signer.from_secret("short-secret")
    assert "short-secret" not in str(info.value)
    p384 = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError, match="P-256"):
        Es256Signer.from_secret(p384.decode())


def test_repr_shows_the_kid_only():
    signer = Es256Signer.from_secret(SECRET)
    assert repr(signer) == f"Es256Signer(kid={signer.kid!r})" and SECRET not in repr(signer)


def test_jwks_matches_the_pem_and_names_the_kid():
    signer = Es256Signer.from_secret(SECRET)
    (jwk,) = signer.public_jwks()["keys"]
    assert jwk["kid"] == signer.kid and jwk["alg"] == "ES256" and jwk["use"] == "sig"
    from_jwk = pyjwt.algorithms.ECAlgorithm.from_jwk(jwk)
    token = signer.sign(fire_claims("a", "t", "agent:prod", None, NOW))
    assert pyjwt.decode(token, from_jwk, algorithms=["ES256"], audience="agent:prod", options={"verify_exp": False})
    assert "d" not in jwk  # the private scalar never leaves the signer
