"""``cron-adapter dev``: the whole loop on this machine, no AWS account."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Any

EXAMPLE = Path("examples") / "jobs.json"
HELP = """\
Runs the whole cron-adapter loop locally, with no AWS account:

  * moto's AWS emulator on 127.0.0.1 (a free port) with the stack's bucket, table,
    schedule group, secret and queues;
  * your jobs file uploaded to the emulated bucket and routed to the REAL reconcile handler;
  * a local EventBridge clock that reads the emulated schedules and invokes the REAL fire
    handler exactly as EventBridge would (scheduled time, attempt number, duplicates);
  * a local target on http://127.0.0.1:PORT that checks the shared secret and shows each call
    (paths containing /fail answer 500, so you can watch failures and retries);
  * a live view of the next fires, recent runs, duplicates deduped and reconcile actions;
  * a watcher that re-pushes the jobs file whenever you save it.

Ctrl-C stops everything."""
EPILOG = """\
examples:
  cron-adapter dev                                 # examples/jobs.json, real time
  cron-adapter dev my-jobs.json --speed 60         # one simulated minute per second
  cron-adapter dev --speed 120 --chaos --seed 7    # duplicates and retries, deduped by the claim
  cron-adapter dev --duration 30 --speed 60 --output json   # scripted: 30 s, then a JSON summary
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
    p.add_argument("--format", choices=("native", "hermes", "sidecar"), help="jobs file format (default: detect)")
    p.add_argument("--timezone", help="store-wide timezone for formats without one (hermes)")
    p.add_argument("--base-url", help="base URL for targets given as paths (default: the local target)")
    p.set_defaults(func=run)


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def default_jobs_file() -> Path:
    """examples/jobs.json in the current directory, else in the source checkout."""
    here = Path.cwd() / EXAMPLE
    return here if here.exists() else Path(__file__).resolve().parents[2] / EXAMPLE


def run(args: argparse.Namespace) -> int:
    """Start a session, run it until Ctrl-C or --duration, then stop everything."""
    from cron_adapter.local.session import DevOptions, DevSession

    path = Path(args.jobs_file) if args.jobs_file else default_jobs_file()
    if not path.exists():
        print(f"error: no jobs file at {path}; pass one, e.g. cron-adapter dev my-jobs.json", file=sys.stderr)
        return 2
    options = DevOptions(
        jobs_file=path,
        speed=args.speed,
        chaos=args.chaos,
        seed=args.seed,
        duration=args.duration,
        port=args.port,
        live=False if args.plain else None,
        quiet=args.output == "json",
        format=args.format,
        timezone=args.timezone,
        base_url=args.base_url or f"http://127.0.0.1:{args.port}",
    )
    session = DevSession(options)
    try:
        session.start()
    except OSError as exc:
        session.close()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _stop_on_sigterm(session)
    summary: dict[str, Any] = {}
    try:
        session.run()
    except KeyboardInterrupt:
        pass  # Ctrl-C: fall through to a clean stop
    finally:
        session.stop_event.set()
        if session.bridge:
            session.bridge.drain(5.0)
        summary = session.summary()
        session.close()
    if args.output == "json":
        print(json.dumps(summary, indent=2, sort_keys=True))
    return 1 if summary.get("errors") or summary.get("handler_errors") else 0


def _stop_on_sigterm(session: Any) -> None:
    """Let ``kill`` (SIGTERM) stop the session as cleanly as Ctrl-C does."""
    with contextlib.suppress(ValueError):  # not the main thread (embedded use): the caller's job
        signal.signal(signal.SIGTERM, lambda *_: session.stop_event.set())
