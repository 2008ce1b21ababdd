"""What a jwt target's fire token is signed with when the job sets nothing of its own.

Apart from ``fire/jwt.py`` on purpose: every fire builds these settings, but only a fire of
an ``auth: jwt`` target imports the signer (the fire path is cold-started on most fires).
"""

from __future__ import annotations

from collections.abc import Callable

from cron_adapter.redacted import Redacted


class TokenDefaults(Redacted, frozen=True):
    """The fire-token key and the stack's aud/iss for jwt targets that set none.

    ``key`` returns the key secret's value (its own Secrets Manager secret,
    ``CRON_ADAPTER_JWT_SECRET_ID``, cached like the shared secret). It is never the shared
    secret: every secret-auth receiver knows that one, and could then mint fire tokens.
    """

    HIDDEN = frozenset({"key"})
    key: Callable[[], str] | None = None
    audience: str | None = None
    issuer: str | None = None
