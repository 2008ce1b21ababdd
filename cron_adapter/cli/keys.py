"""`cron-adapter keys public`: the fire-token public key, as the receiver (hermes) configures it."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from cron_adapter import constants as c
from cron_adapter.cli.common import fail
from cron_adapter.errors import CronAdapterError

EPILOG = f"""examples:
  cron-adapter keys public                           # PEM, from ${c.ENV_JWT_SECRET_ID}
  cron-adapter keys public --secret-id cron-adapter/fire-token-key --format jwks
  cron-adapter keys public --key-file dev-key.txt    # a local key (e.g. for cron-adapter dev)

The PEM goes into hermes's config.yaml as cron.chronos.nas_jwks_url (inline PEM); a JWKS
document can be served at a URL instead (tokens carry the matching kid). The private key
never leaves the secret: this prints only the public half.

exit codes: 0 printed, 1 the secret could not be read, 2 no secret named or a bad key."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the keys command and its public subcommand."""
    p = sub.add_parser("keys", help="the fire-token public key (for receivers that verify a JWT)")
    actions = p.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    pub = actions.add_parser(
        "public",
        help="print the fire-token public key (PEM or JWKS)",
        description="Print the public key of the fire-token signing key.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    pub.add_argument("--secret-id", help=f"the key's Secrets Manager secret (env {c.ENV_JWT_SECRET_ID})")
    pub.add_argument("--key-file", metavar="PATH", help="read the key (PEM or secret string) from a file instead")
    pub.add_argument("--format", choices=("pem", "jwks"), default="pem", help="output format (default pem)")
    pub.set_defaults(func=run_public)


def _key_value(args: argparse.Namespace) -> str:
    if args.key_file:
        try:
            return Path(args.key_file).read_text()
        except OSError as exc:
            raise CronAdapterError(f"cannot read --key-file {args.key_file}: {exc.strerror}") from None
    secret_id = args.secret_id or os.environ.get(c.ENV_JWT_SECRET_ID)
    if not secret_id:
        raise ValueError(f"no key named; pass --secret-id or --key-file, or set {c.ENV_JWT_SECRET_ID}")
    from cron_adapter.adapters.secrets import SecretsManagerSource

    return SecretsManagerSource(secret_id, max_age=0).get().current


def run_public(args: argparse.Namespace) -> int:
    """Print the public key of the fire-token key."""
    from cron_adapter.fire.jwt import Es256Signer

    try:
        signer = Es256Signer.from_secret(_key_value(args))
    except ValueError as exc:  # no secret named, or not a usable key (the message never holds it)
        return fail(str(exc), 2)
    except CronAdapterError as exc:
        return fail(str(exc), 1)
    print(json.dumps(signer.public_jwks(), indent=2) if args.format == "jwks" else signer.public_pem(), end="")
    if args.format == "jwks":
        print()
    return 0
