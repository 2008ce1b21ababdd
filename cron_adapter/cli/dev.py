"""``cron-adapter dev``: the whole loop on this machine, no AWS account."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
from pathlib import Path
from typing import Any

from cron_adapter.cli.devargs import EXAMPLE, add_dev_args
from cron_adapter.cli.devoptions import dev_options
from cron_adapter.cli.errors import command
from cron_adapter.errors import UsageError

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
Ctrl-C stops everything and removes .cron-adapter/dev.env and dev.secret. One directory
runs one session at a time (.cron-adapter/dev.lock): a second `dev` there is refused
(exit 2) with the first one's pid; start it from another directory."""
EPILOG = """\
examples:
  cron-adapter dev                                 # examples/jobs.json, real time
  cron-adapter dev my-jobs.json --speed 60         # one simulated minute per second
  cron-adapter dev --speed 120 --chaos --seed 7    # duplicates and retries, deduped by the claim
  cron-adapter dev --duration 30 --speed 60 --output json   # scripted: 30 s, then a JSON summary
  cron-adapter dev --allow-cidr 10.1.0.0/16        # let jobs call a private range, as a VPC deployment
  CRON_SECRET_FILE=my.secret python examples/receiver_app.py 8787 &   # your own app ...
  cron-adapter dev --no-target --secret-file my.secret                # ... receives the calls
  cron-adapter dev ~/.hermes/cron/jobs.json --hermes http://127.0.0.1:9119 \\
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
    add_dev_args(p)
    p.set_defaults(func=run)


def default_jobs_file() -> Path:
    """examples/jobs.json in the current directory, else in the source checkout."""
    here = Path.cwd() / EXAMPLE
    return here if here.exists() else Path(__file__).resolve().parents[2] / EXAMPLE


def jobs_file(given: str | None) -> Path:
    """The jobs file to run, checked before anything starts: it must be a readable file."""
    path = Path(given) if given else default_jobs_file()
    if not path.exists():
        raise UsageError(f"no jobs file at {path}; fix: pass one, e.g. cron-adapter dev my-jobs.json")
    try:
        path.open("rb").close()  # opening is the check; the session reads it
    except OSError as exc:  # a directory, no permission ...
        raise UsageError(
            f"JOBS_FILE {path} cannot be read: {exc.strerror}; "
            "fix: pass a jobs file, e.g. cron-adapter dev my-jobs.json"
        ) from None
    return path


@command
def run(args: argparse.Namespace) -> int:
    """Start a session, run it until Ctrl-C or --duration, then stop everything (whatever happens)."""
    from cron_adapter.local.devfiles import SessionLock

    options = dev_options(args, jobs_file(args.jobs_file))
    lock = SessionLock(options.log_file.parent).acquire()  # one live session per directory
    try:
        summary = _session(options)
    finally:
        lock.release()
    if args.output == "json":
        print(json.dumps(summary, indent=2, sort_keys=True))
    return 1 if summary.get("errors") or summary.get("handler_errors") else 0


def _session(options: Any) -> dict[str, Any]:
    """Start a session, run it until Ctrl-C, SIGTERM or --duration, stop it; its summary."""
    from cron_adapter.local.session import DevSession

    session = DevSession(options)
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
    return summary


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
