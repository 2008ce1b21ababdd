"""`cron-adapter jobs list|show|add|pause|resume|remove`: manage jobs without editing JSON.

Each command reads the live job store in S3, changes exactly the named job, validates the
new store as ``push`` does and writes it back with a conditional write on the ETag (see
``cron_adapter.manage``); the reconcile Lambda then applies it like any upload.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from cron_adapter import constants as c
from cron_adapter.cli import jobfields, jobsview
from cron_adapter.cli.argtypes import bounded
from cron_adapter.cli.common import now
from cron_adapter.cli.errors import command
from cron_adapter.cli.exitcodes import EXIT_PARTIAL, EXIT_TIMEOUT, RECONCILE_STATUS_EXIT
from cron_adapter.cli.jobsargs import add_output_arg, add_timeout_arg
from cron_adapter.errors import UsageError
from cron_adapter.jobs.commit import DEFAULT_ATTEMPTS
from cron_adapter.jobs.loader import FORMATS

MAX_ATTEMPTS = 100  # each attempt re-reads and rewrites the store; more only hides a stuck writer

EPILOG = """examples:
  cron-adapter jobs list --bucket my-cron-adapter-jobs
  cron-adapter jobs show nightly-report --live
  cron-adapter jobs add nightly-report --schedule 'daily 03:00' --url https://app.example.com/report
  cron-adapter jobs add --json '{"id": "sync", "schedule": "every 15m", "target": {"path": "/sync"}}'
  cron-adapter jobs pause nightly-report            # the live schedules stop now, the store records it
  cron-adapter jobs resume nightly-report --wait --table cron-adapter   # also lifts a pause after failures
  cron-adapter jobs remove sync --output json

The bucket, key, group and table come from flags or CRON_ADAPTER_BUCKET, CRON_ADAPTER_JOBS_KEY,
CRON_ADAPTER_SCHEDULE_GROUP and CRON_ADAPTER_TABLE. Two editors at once never lose a change:
the loser of a race re-applies its edit to the fresh store (up to --attempts times).

`jobs resume` also lifts a pause the auditor made after a failure streak
(pause_after_failures), as `cron-adapter resume` does, when it knows the table (--table or
CRON_ADAPTER_TABLE). `jobs add` prints the warnings `validate` prints for the new job (stderr;
"warnings" with --output json).

exit codes: 0 done (or already so), 1 other error or a partial reconcile, 2 invalid field,
duplicate id or invalid store (nothing written), 5 --wait timed out, 6 AWS unusable
(no region or credentials, endpoint down, bucket or table missing, access denied),
8 unknown job id, 9 conflict: the store changed under every attempt (nothing written),
10 the store cannot hold this edit (a hermes store, a pause in a sidecar list); with
--wait, the reconcile's result as for push (3 mass delete refused, 4 another reconcile
held the lock). The table of every code: docs/cli.md."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the jobs command group."""
    p = sub.add_parser(
        "jobs",
        help="list, show, add, pause, resume or remove one job in the live job store",
        description="Manage the jobs of the live job store in S3 without editing JSON: each action "
        "changes exactly one job, safely against concurrent edits.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    _action(actions, "list", "list the store's jobs", run_list)
    show = _action(actions, "show", "show one job as written and as resolved", run_show, job_id=True)
    show.add_argument("--live", action="store_true", help="also read each schedule's live State")
    add = _action(actions, "add", "add a job (fields as flags or --json)", run_add, edits=True)
    jobfields.add_field_args(add)
    _action(actions, "pause", "pause a job now (live schedules disabled, store records it)", run_pause, True, True)
    _action(actions, "resume", "resume a paused job now", run_resume, job_id=True, edits=True)
    _action(actions, "remove", "remove a job (the reconcile deletes its schedules)", run_remove, True, True)


def _action(
    actions: argparse._SubParsersAction,
    name: str,
    text: str,
    func: Callable[[argparse.Namespace], int],
    job_id: bool = False,
    edits: bool = False,
) -> argparse.ArgumentParser:
    p = actions.add_parser(name, help=text, description=text + ".", epilog=EPILOG, formatter_class=_Raw)
    if job_id:
        p.add_argument("id", metavar="ID", help="the job's id (sidecar lists: its name)")
    store = p.add_argument_group("job store (flags beat the environment)")
    store.add_argument("--bucket", help=f"jobs bucket (env {c.ENV_BUCKET})")
    store.add_argument("--key", help=f"object key (env {c.ENV_JOBS_KEY}, default {c.DEFAULT_JOBS_KEY})")
    store.add_argument("--group", help=f"schedule group (env {c.ENV_GROUP}, default {c.DEFAULT_GROUP})")
    store.add_argument("--format", choices=FORMATS, help=f"force the store's format (env {c.ENV_STORE_FORMAT})")
    store.add_argument("--store-timezone", metavar="TZ", help=f"hermes/sidecar timezone (env {c.ENV_STORE_TIMEZONE})")
    store.add_argument("--base-url", metavar="URL", help=f"hermes/sidecar base URL (env {c.ENV_BASE_URL} or API_URL)")
    if edits:
        p.add_argument(
            "--attempts",
            type=bounded(int, 1, MAX_ATTEMPTS),
            default=DEFAULT_ATTEMPTS,
            metavar="N",
            help=f"tries against concurrent edits, 1..{MAX_ATTEMPTS} (default {DEFAULT_ATTEMPTS})",
        )
        p.add_argument("--wait", action="store_true", help="wait for the reconcile's result of this edit")
        add_timeout_arg(p)
        p.add_argument(
            "--table",
            help=f"the deployment's table: --wait reads the reconcile status there, resume lifts a pause "
            f"after failures there (env {c.ENV_TABLE})",
        )
    add_output_arg(p)
    p.set_defaults(func=command(func))
    return p


class _Raw(argparse.RawDescriptionHelpFormatter):
    pass


def _env(args: argparse.Namespace, name: str, env: str, default: str | None = None) -> str | None:
    return getattr(args, name, None) or os.environ.get(env) or default


def client(args: argparse.Namespace) -> Any:
    """The JobsClient the arguments name."""
    from cron_adapter.manage import JobsClient, StoreOptions

    bucket = _env(args, "bucket", c.ENV_BUCKET)
    if not bucket:
        raise UsageError(f"no bucket; pass --bucket or set {c.ENV_BUCKET}")
    key = _env(args, "key", c.ENV_JOBS_KEY, c.DEFAULT_JOBS_KEY) or c.DEFAULT_JOBS_KEY
    options = StoreOptions(
        format=_env(args, "format", c.ENV_STORE_FORMAT),
        timezone=_env(args, "store_timezone", c.ENV_STORE_TIMEZONE),
        base_url=_env(args, "base_url", c.ENV_BASE_URL) or os.environ.get("API_URL") or None,
        source=f"s3://{bucket}/{key}",
    )
    group = _env(args, "group", c.ENV_GROUP, c.DEFAULT_GROUP) or c.DEFAULT_GROUP
    attempts = getattr(args, "attempts", DEFAULT_ATTEMPTS)
    return JobsClient(
        bucket, key, group=group, options=options, attempts=attempts, table=_env(args, "table", c.ENV_TABLE)
    )


def run_list(args: argparse.Namespace) -> int:
    """Print every job of the store."""
    jobsview.print_list(client(args).read(), args.output)
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print one job as written, as resolved, and (with --live) each schedule's State."""
    jobs = client(args)
    snap = jobs.read()
    jobsview.print_show(snap, snap.job(args.id), jobs.live(args.id) if args.live else None, args.output)
    return 0


def run_add(args: argparse.Namespace) -> int:
    """Add one job."""
    job = jobfields.job_from_args(args)
    return _edited(args, lambda jobs: jobs.add(job), warn=True)


def run_pause(args: argparse.Namespace) -> int:
    """Pause one job, store and live schedules."""
    return _edited(args, lambda jobs: jobs.pause(args.id))


def run_resume(args: argparse.Namespace) -> int:
    """Resume one job, store and live schedules, and lift a pause after failures (with a table)."""
    if not _env(args, "table", c.ENV_TABLE) and args.output != "json":
        print(
            f"note: no table (--table or {c.ENV_TABLE}): a pause after failures, if any, is not lifted",
            file=sys.stderr,
        )
    return _edited(args, lambda jobs: jobs.resume(args.id))


def run_remove(args: argparse.Namespace) -> int:
    """Remove one job."""
    return _edited(args, lambda jobs: jobs.remove(args.id))


def _edited(args: argparse.Namespace, do: Callable[[Any], Any], warn: bool = False) -> int:
    jobs = client(args)
    since = time.time() - 5.0  # tolerate a little clock skew with the Lambda
    change = do(jobs)
    result: dict[str, Any] = {
        "ok": True,
        "action": change.action,
        "job_id": change.job_id,
        "bucket": jobs.store.bucket,
        "key": jobs.store.key,
        "changed": change.changed,
        "etag": change.etag,
        "version_id": change.version_id,
        "attempts": change.committed.attempts,
        "live": [{"schedule": s.name, "before": s.before, "after": s.after} for s in change.live],
    }
    if change.action == "resumed":
        result["failure_pause_lifted"] = change.failure_pause_lifted
    if warn:  # what `validate` warns about the new job (stderr in text, "warnings" in JSON)
        result["warnings"] = jobfields.added_warnings(jobs, change, now())
    code = 0
    if args.wait and change.changed:
        result["reconcile"], code = _wait(args, jobs, change.etag, change.version_id, since)
    jobsview.print_change(result, args.output)
    return code


def _wait(
    args: argparse.Namespace, jobs: Any, etag: str, version_id: str | None, since: float
) -> tuple[dict[str, Any] | None, int]:
    from cron_adapter.adapters.ledger import Ledger
    from cron_adapter.cli.push import wait_for_status
    from cron_adapter.reconcile.app import status_key

    table = _env(args, "table", c.ENV_TABLE)
    if not table:
        raise UsageError(f"--wait needs the table; pass --table or set {c.ENV_TABLE}")
    if args.output != "json":
        print(f"waiting up to {args.timeout:g}s for the reconcile ...", file=sys.stderr)
    # The reconcile keys its status by the object's version id (exact), else by ETag (+ time).
    key, after = status_key(etag, version_id), None if version_id else since
    status = wait_for_status(Ledger(table, jobs.schedules.group), key, after, args.timeout)
    if status is None:
        print(
            f"error: no reconcile result within {args.timeout:g}s; check the reconcile Lambda's logs", file=sys.stderr
        )
        return None, EXIT_TIMEOUT
    return status, RECONCILE_STATUS_EXIT.get(str(status.get("status")), EXIT_PARTIAL)
