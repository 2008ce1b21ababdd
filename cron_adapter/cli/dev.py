"""``cron-adapter dev``: the whole loop on this machine, no AWS account."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
from pathlib import Path
from typing import Any

from cron_adapter.cli.errors import command
from cron_adapter.constants import ENV_DEV_SECRET, ENV_JWT_AUDIENCE, ENV_JWT_ISSUER, MIN_SECRET_LENGTH
from cron_adapter.errors import UsageError

EXAMPLE = Path("examples") / "jobs.json"
HELP = """\
Runs the whole cron-adapter loop locally, with no AWS account:

  * moto's AWS emulator on 127.0.0.1 (a free port) with the stack's bucket, table,
    schedule group, secret and queues;
  * your jobs file uploaded to the emulated bucket and routed to the REAL reconcile handler;
  * a local EventBridge clock that reads the emulated schedules and invokes the REAL fire
    handler exactly as EventBridge would (scheduled time, attempt number, duplicates);
  * a local target on http://127.0.0.1:PORT that checks the shared secret and shows each call
    (paths containing /fail answer 500, so you can watch failures and retries); or, with
    --no-target, your own app on the jobs' URLs (give it the secret, see below);
  * a live view of the next fires, recent runs, duplicates deduped and reconcile actions;
  * a watcher that re-pushes the jobs file whenever you save it.

The shared secret is random per session and written to .cron-adapter/dev.secret (mode
0600); or bring a known one with --secret-file PATH or the CRON_ADAPTER_DEV_SECRET variable
(never as a flag value, which would land in shell history). The view prints where it is.
Ctrl-C stops everything and removes .cron-adapter/dev.env and dev.secret."""
EPILOG = """\
examples:
  cron-adapter dev                                 # examples/jobs.json, real time
  cron-adapter dev my-jobs.json --speed 60         # one simulated minute per second
  cron-adapter dev --speed 120 --chaos --seed 7    # duplicates and retries, deduped by the claim
  cron-adapter dev --duration 30 --speed 60 --output json   # scripted: 30 s, then a JSON summary
  cron-adapter dev --allow-cidr 10.1.0.0/16        # let jobs call a private range, as a VPC deployment
  CRON_SECRET_FILE=my.secret python examples/receiver_app.py 8787 &   # your own app ...
  cron-adapter dev --no-target --secret-file my.secret                # ... receives the calls
  cron-adapter dev ~/.hermes/cron/jobs.json --hermes http://127.0.0.1:9119 \
      --jwt-key-file fire-key.txt --jwt-audience agent:dev --timezone Europe/Berlin   # a local hermes-agent

exit codes: 0 stopped cleanly (Ctrl-C, SIGTERM or --duration), 1 a handler or the loop
reported errors, 2 bad arguments, no jobs file, or the port is taken; docs/dev-loop.md
"""


def register(sub: Any) -> None:
    """Add the ``dev`` command."""
    p = sub.add_parser(
        "dev",
        help="run the whole loop locally on an embedded AWS emulator",
        description=HELP,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("jobs_file", nargs="?", metavar="JOBS_FILE", help=f"the jobs file (default: {EXAMPLE})")
    p.add_argument("--speed", type=_positive, default=1.0, metavar="N", help="run time N times faster (default 1)")
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
    p.add_argument("--port", type=int, default=8787, help="port of the local target (default 8787, as in the example)")
    p.add_argument("--plain", action="store_true", help="one line per event instead of the live view")
    p.add_argument(
        "--grace",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="hold a newly created schedule's first fire back this long, as the stack does (default 0 here, 60 there)",
    )
    p.add_argument("--format", choices=("native", "hermes", "sidecar"), help="jobs file format (default: detect)")
    p.add_argument("--timezone", help="store-wide timezone for formats without one (hermes)")
    p.add_argument("--base-url", help="base URL for targets given as paths (default: the local target)")
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
    _add_token_args(p)
    p.set_defaults(func=run)


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
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def default_jobs_file() -> Path:
    """examples/jobs.json in the current directory, else in the source checkout."""
    here = Path.cwd() / EXAMPLE
    return here if here.exists() else Path(__file__).resolve().parents[2] / EXAMPLE


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


def _options(args: argparse.Namespace, path: Path) -> Any:
    from cron_adapter.local.options import DevOptions

    secret, source = _secret(args)
    token = _token(args)
    hermes = token["hermes"]
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


@command
def run(args: argparse.Namespace) -> int:
    """Start a session, run it until Ctrl-C or --duration, then stop everything (whatever happens)."""
    from cron_adapter.local.session import DevSession

    path = Path(args.jobs_file) if args.jobs_file else default_jobs_file()
    if not path.exists():
        raise UsageError(f"no jobs file at {path}; pass one, e.g. cron-adapter dev my-jobs.json")
    session = DevSession(_options(args, path))
    summary: dict[str, Any] = {}
    try:
        try:
            session.start()
        except OSError as exc:
            raise UsageError(str(exc)) from None
        _stop_on_sigterm(session)
        session.run()
    except KeyboardInterrupt:
        pass  # Ctrl-C, even during start: fall through to a clean stop
    finally:
        try:
            summary = _finish(session)
        except KeyboardInterrupt:  # a second Ctrl-C while stopping: still remove our files
            session.close()
    if args.output == "json":
        print(json.dumps(summary, indent=2, sort_keys=True))
    return 1 if summary.get("errors") or summary.get("handler_errors") else 0


def _finish(session: Any) -> dict[str, Any]:
    """Drain in-flight fires, read the summary, close everything (close runs even if the rest fails)."""
    summary: dict[str, Any] = {}
    try:
        session.stop_event.set()
        if session.bridge:
            session.bridge.drain(5.0)
        if session.resources:
            summary = session.summary()
    finally:
        session.close()
    return summary


def _stop_on_sigterm(session: Any) -> None:
    """Let ``kill`` (SIGTERM) stop the session as cleanly as Ctrl-C does."""
    with contextlib.suppress(ValueError):  # not the main thread (embedded use): the caller's job
        signal.signal(signal.SIGTERM, lambda *_: session.stop_event.set())
