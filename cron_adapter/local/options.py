"""The knobs of ``cron-adapter dev``, and the handler environment they imply."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cron_adapter import constants as c
from cron_adapter.local.target import DEFAULT_PORT

LOG_FILE = Path(".cron-adapter") / "dev.log"


@dataclass(frozen=True)
class DevOptions:
    """The knobs of ``cron-adapter dev``."""

    jobs_file: Path
    speed: float = 1.0
    chaos: bool = False
    seed: int = 0
    duration: float | None = None  # real seconds; the simulated span is duration x speed
    port: int = DEFAULT_PORT
    live: bool | None = None  # None: a live view on a terminal, lines otherwise; False + quiet: nothing
    quiet: bool = False
    format: str | None = None
    timezone: str | None = None
    base_url: str | None = None
    log_file: Path = LOG_FILE
    secret: str | None = None  # a known shared secret; None: a random one, written to dev.secret
    secret_source: str | None = None  # where the known secret came from (a path or a variable)
    local_target: bool = True  # False: no local target; the user's own app answers the jobs' URLs
    grace: float = 0.0  # seconds a newly created schedule waits before its first fire
    allowed_cidrs: tuple[str, ...] = ()  # private ranges the fire handler may call (--allow-cidr)
    jwt_key: str | None = None  # the fire-token key (PEM or secret string): jwt targets get signed fires
    jwt_audience: str | None = None
    jwt_issuer: str | None = None  # "" or None: tokens carry no iss
    hermes: str | None = None  # the base URL of a local hermes-agent app the fires go to


def store_env(opts: DevOptions) -> dict[str, str]:
    """What the stack would set beyond the resources: store format, timezone, base URL, allowed CIDRs."""
    env: dict[str, str] = {}
    for name, value in (
        (c.ENV_STORE_FORMAT, opts.format),
        (c.ENV_STORE_TIMEZONE, opts.timezone),
        (c.ENV_BASE_URL, opts.base_url),
    ):
        if value:
            env[name] = value
    env[c.ENV_CREATE_GRACE_SECONDS] = f"{opts.grace:g}"
    if opts.allowed_cidrs:  # as the stack's allowed_cidrs prop sets it for the fire Lambda
        env[c.ENV_ALLOWED_CIDRS] = ",".join(opts.allowed_cidrs)
    return env
