"""``cron-adapter dev``'s flags, by concern (added in the order ``--help`` lists them)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cron_adapter.cli.argtypes import bounded
from cron_adapter.constants import ENV_DEV_SECRET, ENV_JWT_AUDIENCE, ENV_JWT_ISSUER, MIN_SECRET_LENGTH

EXAMPLE = Path("examples") / "jobs.json"
# --speed: at most a simulated week per real minute (a far faster clock soon runs past the
# last date datetime holds: 1e12 did within seconds); at least a hundredth of real time.
MIN_SPEED, MAX_SPEED = 0.01, 10_000.0
MAX_GRACE_SECONDS = 604_800.0  # a week, the range CRON_ADAPTER_CREATE_GRACE_SECONDS accepts


def add_dev_args(p: argparse.ArgumentParser) -> None:
    """Every flag of ``dev``: the session, the jobs store, the target, the signed fires."""
    _add_session_args(p)
    _add_store_args(p)
    _add_target_args(p)
    _add_token_args(p)


def _add_session_args(p: argparse.ArgumentParser) -> None:
    """The jobs file, the pace, chaos, how long it runs, what it prints, the target's port."""
    p.add_argument("jobs_file", nargs="?", metavar="JOBS_FILE", help=f"the jobs file (default: {EXAMPLE})")
    p.add_argument(
        "--speed",
        type=bounded(float, MIN_SPEED, MAX_SPEED),
        default=1.0,
        metavar="N",
        help=f"run time N times faster, {MIN_SPEED:g}..{MAX_SPEED:,g} (default 1; {MAX_SPEED:,g}: a week in a minute)",
    )
    p.add_argument("--chaos", action="store_true", help="inject duplicate deliveries and retries at random")
    p.add_argument("--seed", type=int, default=0, help="random seed for --chaos and jitter (default 0)")
    p.add_argument(
        "--duration",
        type=_positive,
        metavar="SECONDS",
        help="stop by itself after SECONDS of real time (simulated: SECONDS x speed)",
    )
    p.add_argument(
        "--output",
        choices=("text", "json"),
        default="text",
        help="json: no live view; print a summary (fires, duplicates, runs by status) at the end",
    )
    p.add_argument(
        "--port",
        type=bounded(int, 1, 65535),
        default=8787,
        help="port of the local target (default 8787, as in the example)",
    )
    p.add_argument("--plain", action="store_true", help="one line per event instead of the live view")


def _add_store_args(p: argparse.ArgumentParser) -> None:
    """What the stack would set for the jobs store: the create grace, format, timezone and base URL."""
    p.add_argument(
        "--grace",
        type=bounded(float, 0, MAX_GRACE_SECONDS),
        default=0.0,
        metavar="SECONDS",
        help="hold a newly created schedule's first fire back this long, as the stack does "
        f"(0..{MAX_GRACE_SECONDS:,g}; default 0 here, 60 there)",
    )
    p.add_argument("--format", choices=("native", "hermes", "sidecar"), help="jobs file format (default: detect)")
    p.add_argument("--timezone", help="store-wide timezone for formats without one (hermes)")
    p.add_argument("--base-url", help="base URL for targets given as paths (default: the local target)")


def _add_target_args(p: argparse.ArgumentParser) -> None:
    """Who answers the jobs' URLs, with which shared secret, and which private ranges they may be in."""
    p.add_argument(
        "--secret-file",
        metavar="PATH",
        help=f"read the shared secret from PATH (first line, >= {MIN_SECRET_LENGTH} chars; "
        f"or set {ENV_DEV_SECRET}); default: a random one in .cron-adapter/dev.secret",
    )
    p.add_argument(
        "--no-target",
        action="store_true",
        help="start no local target: your own app, listening on the jobs' URLs, receives the calls",
    )
    p.add_argument(
        "--allow-cidr",
        action="append",
        default=[],
        metavar="CIDR",
        help="a private range the fire handler may call, e.g. 10.1.0.0/16 (repeatable; the stack's "
        "allowed_cidrs prop); other private addresses are refused, loopback is always allowed in dev",
    )


def _add_token_args(p: argparse.ArgumentParser) -> None:
    """--hermes and the fire-token key: signed fires to a local hermes-agent (docs/hermes.md)."""
    g = p.add_argument_group("signed fires (hermes-agent, or any auth: jwt target)")
    g.add_argument(
        "--hermes",
        metavar="URL",
        help="drive a local hermes-agent app at URL: the jobs file is read as hermes's store and every fire is "
        "a signed POST URL/api/cron/fire (implies --format hermes --no-target; needs --jwt-key-file, --jwt-audience)",
    )
    g.add_argument(
        "--jwt-key-file",
        metavar="PATH",
        help="the fire-token key: a PEM EC P-256 private key, or a secret of >= 32 characters it is derived from "
        "(`cron-adapter keys public --key-file PATH` prints the public key the receiver configures)",
    )
    g.add_argument("--jwt-audience", metavar="AUD", help=f"the tokens' aud (env {ENV_JWT_AUDIENCE}; hermes: "
                   "cron.chronos.expected_audience)")  # fmt: skip
    g.add_argument("--jwt-issuer", metavar="ISS", help=f"the tokens' iss (env {ENV_JWT_ISSUER}; default none; "
                   "hermes: cron.chronos.portal_url)")  # fmt: skip


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:  # also refuses nan
        raise argparse.ArgumentTypeError("must be positive")
    return value
