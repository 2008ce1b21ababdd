"""``cron-adapter dev``'s flags turned into the session's options, each checked before anything starts."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cron_adapter.constants import ENV_DEV_SECRET, ENV_JWT_AUDIENCE, ENV_JWT_ISSUER, MIN_SECRET_LENGTH
from cron_adapter.errors import UsageError


def dev_options(args: argparse.Namespace, path: Path) -> Any:
    """The session's ``DevOptions`` for the jobs file at ``path``: a bad secret, key or CIDR is a usage error."""
    from cron_adapter.local.options import DevOptions

    secret, source = _secret(args)
    token = _token(args)
    hermes = token["hermes"]
    _check_store(args)
    return DevOptions(
        jobs_file=path,
        speed=args.speed,
        chaos=args.chaos,
        seed=args.seed,
        duration=args.duration,
        port=args.port,
        live=False if args.plain else None,
        quiet=args.output == "json",
        format="hermes" if hermes else args.format,
        timezone=args.timezone,
        base_url=hermes or args.base_url or f"http://127.0.0.1:{args.port}",
        secret=secret,
        secret_source=source,
        local_target=not (args.no_target or hermes),
        grace=args.grace,
        allowed_cidrs=_cidrs(args.allow_cidr),
        **token,
    )


def _check_store(args: argparse.Namespace) -> None:
    """Refuse now a --timezone, --base-url or --hermes URL the jobs loader would refuse once the session runs."""
    from cron_adapter.errors import ScheduleError
    from cron_adapter.jobs.urls import check_target_url
    from cron_adapter.schedule.wallclock import zone

    if args.timezone is not None:
        try:
            zone(args.timezone)
        except ScheduleError as exc:
            raise UsageError(f"--timezone: {exc.message}; fix: {exc.fix}") from None
    for flag, url in (("--hermes", args.hermes), ("--base-url", args.base_url)):
        problem = check_target_url(url)[0] if url else None
        if problem:
            raise UsageError(
                f"{flag}: {problem}; fix: an http(s) URL such as http://127.0.0.1:{args.port} "
                "(plain http only to loopback) or https://app.example.com"
            )


def _secret(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """A known secret and where it came from: --secret-file, else the environment, else (None, None)."""
    from cron_adapter.cli.settings import DevSettings

    if args.secret_file:
        try:
            lines = Path(args.secret_file).read_text().splitlines()
        except OSError as exc:
            raise UsageError(f"--secret-file: cannot read {args.secret_file}: {exc.strerror}") from None
        secret = lines[0].strip() if lines else ""
        if len(secret) < MIN_SECRET_LENGTH:
            raise UsageError(
                f"--secret-file: the first line of {args.secret_file} is shorter than {MIN_SECRET_LENGTH} characters; "
                "fix: python -c 'import secrets; print(secrets.token_urlsafe(32))' > " + args.secret_file
            )
        return secret, args.secret_file
    known = DevSettings.from_env().secret
    return known, (f"${ENV_DEV_SECRET}" if known else None)


def _cidrs(values: list[str]) -> tuple[str, ...]:
    """The --allow-cidr values, each checked (a bad one is a usage error naming it)."""
    from cron_adapter.jobs.urls import parse_cidrs

    for value in values:
        try:
            parse_cidrs(value)
        except ValueError as exc:
            raise UsageError(f"--allow-cidr: {exc}") from None
    return tuple(values)


def _token(args: argparse.Namespace) -> dict[str, Any]:
    """The fire-token options: the key (checked now), its audience and issuer; the --hermes wiring."""
    import os

    audience = args.jwt_audience or os.environ.get(ENV_JWT_AUDIENCE) or None
    issuer = args.jwt_issuer if args.jwt_issuer is not None else os.environ.get(ENV_JWT_ISSUER)
    if args.hermes:
        if not args.hermes.startswith(("http://", "https://")):
            raise UsageError(f"--hermes {args.hermes!r} is not a URL; fix: --hermes http://127.0.0.1:9119")
        if not args.jwt_key_file or not audience:
            raise UsageError(
                "--hermes needs --jwt-key-file and --jwt-audience (hermes verifies every fire); fix: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))' > fire-key.txt, configure hermes with "
                "`cron-adapter keys public --key-file fire-key.txt` (docs/hermes.md)"
            )
    if not args.jwt_key_file:
        return {"jwt_audience": audience, "jwt_issuer": issuer, "hermes": None}
    from cron_adapter.fire.jwt import Es256Signer

    try:
        key = Path(args.jwt_key_file).read_text().strip()
        Es256Signer.from_secret(key)  # a bad key is refused here, not on the first fire
    except OSError as exc:
        raise UsageError(f"--jwt-key-file: cannot read {args.jwt_key_file}: {exc.strerror}") from None
    except ValueError as exc:  # the message never holds the key
        raise UsageError(f"--jwt-key-file {args.jwt_key_file}: {exc}") from None
    return {"jwt_key": key, "jwt_audience": audience, "jwt_issuer": issuer, "hermes": args.hermes}
