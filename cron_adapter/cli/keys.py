"""`cron-adapter keys public`: the fire-token public key, as the receiver (hermes) configures it."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from cron_adapter import constants as c
from cron_adapter.cli.errors import command
from cron_adapter.errors import SecretError, UsageError

EPILOG = f"""examples:
  cron-adapter keys public                           # PEM, from ${c.ENV_JWT_SECRET_ID}
  cron-adapter keys public --secret-id cron-adapter/fire-token-key --format jwks
  cron-adapter keys public --key-file dev-key.txt    # a local key (e.g. for cron-adapter dev)

The PEM goes into hermes's config.yaml as cron.chronos.nas_jwks_url (inline PEM); a JWKS
document can be served at a URL instead (tokens carry the matching kid). The private key
never leaves the secret: this prints only the public half.

exit codes: 0 printed, 2 no key named, a --key-file that cannot be read, or not a usable
key, 6 AWS unusable (no region or credentials, endpoint down, access denied, no such
secret); docs/cli.md"""
DESCRIPTION = """\
The fire-token key signs the JWT every fire to an `auth: jwt` target (hermes-agent) carries.
Receivers verify it with the public half, which `keys public` prints."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the keys command and its public subcommand."""
    p = sub.add_parser(
        "keys",
        help="the fire-token public key (for receivers that verify a JWT)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
    """The key's text: from --key-file, else the secret (AWS errors go to @command's shared lines)."""
    if args.key_file:
        try:
            return Path(args.key_file).read_text()
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise UsageError(
                f"--key-file {args.key_file}: cannot read it: {why}; fix: name the file holding the key "
                "(a PEM EC P-256 private key, or a secret of >= 32 characters)"
            ) from None
    secret_id = args.secret_id or os.environ.get(c.ENV_JWT_SECRET_ID)
    if not secret_id:
        raise UsageError(f"no key named; fix: pass --secret-id or --key-file, or set {c.ENV_JWT_SECRET_ID}")
    from cron_adapter.adapters.secrets import parse_secret
    from cron_adapter.cli import aws

    response = aws.client("secretsmanager").get_secret_value(SecretId=secret_id)
    try:
        return parse_secret(response.get("SecretString", response.get("SecretBinary")), secret_id).current
    except SecretError as exc:  # too short, not a string: a bad key (the message never holds it)
        raise UsageError(str(exc)) from None


@command
def run_public(args: argparse.Namespace) -> int:
    """Print the public key of the fire-token key."""
    from cron_adapter.fire.jwt import Es256Signer

    try:
        signer = Es256Signer.from_secret(_key_value(args))
    except ValueError as exc:  # not a usable key (the message never holds it)
        where = f"--key-file {args.key_file}" if args.key_file else "the secret"
        raise UsageError(
            f"{where}: {exc}; fix: use a PEM EC P-256 private key, or a random secret: "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        ) from None
    print(json.dumps(signer.public_jwks(), indent=2) if args.format == "jwks" else signer.public_pem(), end="")
    if args.format == "jwks":
        print()
    return 0
