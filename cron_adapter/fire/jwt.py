"""ES256 fire tokens: a fresh signed JWT per attempt, for receivers that verify one (hermes-agent).

Why a hand-written signer: a JWS is two base64url segments and one ECDSA signature, and
``cryptography`` (which PyJWT itself needs for ES256) does the cryptography. PyJWT would add
its own import to every cold start of the fire Lambda for no extra safety; see
docs/hermes.md for the measured import costs (``bench/bench_fire.py --jwt``).

The private key comes from the fire secret (Secrets Manager, cached by the fire path):
either a PEM EC P-256 private key, or any other string of at least 32 characters, from which
the key is derived (SHA-256 -> scalar), so the stack can generate the secret with
CloudFormation alone. Nothing here logs or returns the key; ``repr`` shows only the kid.

A job's own ``target.audience`` / ``target.issuer`` is signed only when it is the stack's
own or on the deployment's list (``CRON_ADAPTER_JWT_AUDIENCES`` / ``_ISSUERS``, see
``fire/tokens.py``); anything else fails the run at once, before anything is sent.

Token (RFC 7519), as hermes's verifier expects it::

    header  {"alg": "ES256", "typ": "JWT", "kid": <RFC 7638 thumbprint>}
    claims  {"aud", "iss" (when set), "iat", "exp" = iat + 60 s, "purpose": "cron_fire",
             "jti" = the run's idempotency key "<job_id>:<fire_at>", "job_id", "fire_at"}
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cron_adapter import constants as c
from cron_adapter.errors import TargetRefused
from cron_adapter.fire.tokens import TokenDefaults

if TYPE_CHECKING:
    from cron_adapter.fire.input import FireInput

ALGORITHM = "ES256"
PURPOSE = "cron_fire"
TOKEN_TTL_SECONDS = 60  # hermes allows 30 s of leeway on exp; a token is checked on arrival
_DERIVE_CONTEXT = b"cron-adapter fire-token ES256 v1\x00"
# The order n of NIST P-256 (SEC 2, section 2.4.2): a private scalar lies in [1, n-1].
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
MIN_SECRET_CHARS = 32


def b64url(data: bytes) -> str:
    """Unpadded base64url (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode("utf-8")


class Es256Signer:
    """Signs JWTs with one EC P-256 private key (built once per secret value, then cached)."""

    def __init__(self, private_key: Any) -> None:
        self._key = private_key
        numbers = private_key.public_key().public_numbers()
        self._jwk = {
            "crv": "P-256",
            "kty": "EC",
            "x": b64url(numbers.x.to_bytes(32, "big")),
            "y": b64url(numbers.y.to_bytes(32, "big")),
        }
        # RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order.
        self.kid = b64url(hashlib.sha256(_json(self._jwk)).digest())
        self._header = b64url(_json({"alg": ALGORITHM, "kid": self.kid, "typ": "JWT"}))

    def __repr__(self) -> str:
        return f"Es256Signer(kid={self.kid!r})"

    @classmethod
    def from_secret(cls, value: str) -> Es256Signer:
        """The signer for a fire secret: a PEM EC private key, or a random string to derive one from."""
        from cryptography.hazmat.primitives.asymmetric import ec

        text = value.strip()
        if text.startswith("-----BEGIN"):
            from cryptography.hazmat.primitives.serialization import load_pem_private_key

            key = load_pem_private_key(text.encode("ascii"), password=None)
            if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
                raise ValueError("the fire-token key must be an EC P-256 private key")
            return cls(key)
        if len(text) < MIN_SECRET_CHARS:
            raise ValueError(f"the fire-token secret must have at least {MIN_SECRET_CHARS} characters")
        digest = hashlib.sha256(_DERIVE_CONTEXT + text.encode("utf-8")).digest()
        scalar = int.from_bytes(digest, "big") % (_P256_ORDER - 1) + 1
        return cls(ec.derive_private_key(scalar, ec.SECP256R1()))

    def sign(self, claims: dict[str, Any]) -> str:
        """A compact JWS of ``claims`` (ECDSA P-256 / SHA-256, raw r||s signature)."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        signing_input = f"{self._header}.{b64url(_json(claims))}"
        der = self._key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def public_pem(self) -> str:
        """The public key as PEM (SubjectPublicKeyInfo): hermes's ``cron.chronos.nas_jwks_url`` inline form."""
        from cryptography.hazmat.primitives import serialization

        pem = self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return pem.decode("ascii")

    def public_jwks(self) -> dict[str, Any]:
        """The public key as a JWKS document (``kid`` = the thumbprint every token carries)."""
        return {"keys": [{**self._jwk, "kid": self.kid, "use": "sig", "alg": ALGORITHM}]}


def fire_claims(
    job_id: str,
    fire_at: str,
    audience: str,
    issuer: str | None,
    now: float,
    ttl: int = TOKEN_TTL_SECONDS,
    jti: str | None = None,
) -> dict[str, Any]:
    """The claims of one attempt's token; ``jti`` is the run's idempotency key, so retries share it."""
    issued = int(now)
    claims: dict[str, Any] = {
        "aud": audience,
        "iat": issued,
        "exp": issued + ttl,
        "purpose": PURPOSE,
        "jti": jti or f"{job_id}:{fire_at}",
        "job_id": job_id,
        "fire_at": fire_at,
    }
    if issuer:
        claims["iss"] = issuer
    return claims


@lru_cache(maxsize=4)
def signer_for(secret_value: str) -> Es256Signer:
    """The signer of a secret value, built once per warm container (and again after a rotation)."""
    try:
        return Es256Signer.from_secret(secret_value)
    except ValueError as exc:  # the message never contains the value
        raise TargetRefused(f"cannot sign a fire token: {exc}") from None


def fire_token(fire: FireInput, now: float, defaults: TokenDefaults | None) -> str:
    """``Bearer <JWT>`` for one attempt of ``fire``; TargetRefused (final) without a key or an audience."""
    from cron_adapter.fire.input import iso_utc
    from cron_adapter.fire.policy import idempotency_key

    defaults = defaults or TokenDefaults()
    if defaults.key is None:
        raise TargetRefused("a jwt target needs the fire-token key; fix: set CRON_ADAPTER_JWT_SECRET_ID")
    target = fire.job.target
    audience = target.audience or defaults.audience
    if not audience:
        raise TargetRefused("a jwt target needs an audience; fix: set target.audience or CRON_ADAPTER_JWT_AUDIENCE")
    issuer = target.issuer if target.issuer is not None else defaults.issuer
    _check_allowed(target.audience, defaults.audience, defaults.audiences, "audience", c.ENV_JWT_AUDIENCES)
    if target.issuer:  # "" drops iss: a receiver that checks iss refuses such a token, so it opens nothing
        _check_allowed(target.issuer, defaults.issuer, defaults.issuers, "issuer", c.ENV_JWT_ISSUERS)
    when = iso_utc(fire.scheduled_time)
    claims = fire_claims(fire.job_id, when, audience, issuer or None, now, jti=idempotency_key(fire))
    return "Bearer " + signer_for(defaults.key()).sign(claims)


def _check_allowed(mine: str | None, stack: str | None, allowed: tuple[str, ...] | None, field: str, env: str) -> None:
    """TargetRefused (final, nothing sent) when a job's own aud/iss is outside the deployment's list."""
    if mine is None or mine == stack or allowed is None or mine in allowed:
        return
    raise TargetRefused(
        f"target.{field} {mine[:200]!r} is not one this deployment signs fire tokens for; fix: add it to "
        f"jwt_allowed_{field}s in the stack props ({env}), or remove target.{field} from the job"
    )
