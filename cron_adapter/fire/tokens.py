"""What a jwt target's fire token is signed with when the job sets nothing of its own.

Apart from ``fire/jwt.py`` on purpose: every fire builds these settings, but only a fire of
an ``auth: jwt`` target imports the signer (the fire path is cold-started on most fires).
"""

from __future__ import annotations

from collections.abc import Callable

from cron_adapter.redacted import Redacted


class TokenDefaults(Redacted, frozen=True):
    """The fire-token key, the stack's aud/iss for jwt targets that set none, and what a job may set.

    ``audiences`` / ``issuers`` are the deployment's allow-lists for a job's own
    ``target.audience`` / ``target.issuer`` (``CRON_ADAPTER_JWT_AUDIENCES`` / ``_ISSUERS``):
    the key is the deployment's, so which receivers it signs for is too. The stack's own
    ``audience`` / ``issuer`` is always allowed, and so is an empty issuer (no ``iss``).
    None: the deployment lists none, and any value a job sets is signed (as before the lists).

    ``key`` returns the key secret's value (its own Secrets Manager secret,
    ``CRON_ADAPTER_JWT_SECRET_ID``, cached like the shared secret). It is never the shared
    secret: every secret-auth receiver knows that one, and could then mint fire tokens.
    """

    HIDDEN = frozenset({"key"})
    key: Callable[[], str] | None = None
    audience: str | None = None
    issuer: str | None = None
    audiences: tuple[str, ...] | None = None
    issuers: tuple[str, ...] | None = None
