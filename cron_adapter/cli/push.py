"""`cron-adapter push FILE --bucket B`: validate locally, upload, optionally wait for the reconcile.

The reconcile Lambda records each upload's outcome in the table under
``pk=STATUS#<group>, sk=<object ETag>`` (see adapters.ledger); ``--wait`` polls that item.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cron_adapter import constants as c
from cron_adapter.cli.common import EXIT_INVALID, add_live_args, fail, live_value
from cron_adapter.cli.jobsargs import add_jobs_file_args, add_output_arg, load_from_args, report_invalid
from cron_adapter.errors import CronAdapterError, InvalidJobsFile
from cron_adapter.reconcile.translate import Wiring, translate_all

if TYPE_CHECKING:
    from cron_adapter.adapters.ledger import Ledger

EPILOG = """examples:
  cron-adapter push jobs.json --bucket my-cron-adapter-jobs
  cron-adapter push jobs.json --bucket my-cron-adapter-jobs --wait --table cron-adapter --output json

The file is validated locally first: an invalid file is never uploaded. With --wait the
command polls the reconcile's status item (keyed by the uploaded object's ETag) and exits
0 when it applied (or found nothing to do), 1 on a partial run, 2 when the upload was
rejected, 3 on a refused mass delete, 4 when another reconcile held the lock, 5 on timeout."""
_EXIT = {"applied": 0, "no-op": 0, "partial": 1, "rejected": EXIT_INVALID, "refused": 3, "contended": 4, "failed": 1}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the push command."""
    p = sub.add_parser(
        "push",
        help="validate and upload the jobs file to S3 (the reconcile Lambda applies it)",
        description="Validate the jobs file locally, upload it to the jobs bucket, and optionally "
        "wait for the reconcile's result.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_jobs_file_args(p)
    p.add_argument("--bucket", help=f"jobs bucket (env {c.ENV_BUCKET})")
    p.add_argument("--key", help=f"object key (env {c.ENV_JOBS_KEY}, default {c.DEFAULT_JOBS_KEY})")
    p.add_argument("--wait", action="store_true", help="wait for the reconcile's result")
    p.add_argument("--timeout", type=float, default=180.0, help="seconds to wait with --wait (default 180)")
    add_output_arg(p)
    add_live_args(p, names=("group", "table"))
    p.set_defaults(func=run)


def wait_for_status(
    ledger: Ledger, etag: str, since: float, timeout: float, sleep: Any = time.sleep, clock: Any = time.time
) -> dict[str, Any] | None:
    """Poll the status item of ``etag`` until one finished after ``since`` appears."""
    deadline = clock() + timeout
    while True:
        item = ledger.get_status(etag)
        if item and float(item.get("finished_at", 0)) >= since:
            return _plain(item)
        if clock() >= deadline:
            return None
        sleep(1.0)


def _plain(value: Any) -> Any:
    """A status item as plain JSON values: DynamoDB's Decimals become ints or floats, keys go."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in ("pk", "sk", "ttl")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _counts_text(counts: dict[str, Any]) -> str:
    done = [f"{n} {k.replace('_', ' ')}" for k, n in counts.items() if n]
    return ", ".join(done) or "no changes"


def _print(result: dict[str, Any], output: str) -> None:
    if output == "json":
        print(json.dumps(result, indent=2, default=str))
        return
    print(f"uploaded s3://{result['bucket']}/{result['key']} (ETag {result['etag']})")
    if result.get("reconcile"):
        print_status(result["reconcile"])


def print_status(status: dict[str, Any]) -> None:
    """A reconcile status item as text (push --wait, jobs --wait)."""
    print(f"reconcile {status['status']}: {_counts_text(status.get('counts') or {})}")
    for line in list(status.get("problems", [])) + list(status.get("failed", [])) + [status.get("detail") or ""]:
        if line:
            print(f"  {line}")


def run(args: argparse.Namespace) -> int:
    """Validate, upload, maybe wait."""
    try:
        translate_all(load_from_args(args), Wiring.offline())
        bucket = args.bucket or os.environ.get(c.ENV_BUCKET) or ""
        if not bucket:
            return fail(f"no bucket; pass --bucket or set {c.ENV_BUCKET}")
        key = args.key or os.environ.get(c.ENV_JOBS_KEY) or c.DEFAULT_JOBS_KEY
        from cron_adapter.adapters.jobs_object import S3JobsObject

        since = time.time() - 5.0  # tolerate a little clock skew with the Lambda
        # --timezone travels with the object (metadata): reconcile prefers it to the stack default
        etag, version_id = S3JobsObject(bucket, key).put(Path(args.file).read_bytes(), timezone=args.timezone)
        result: dict[str, Any] = {"bucket": bucket, "key": key, "etag": etag, "version_id": version_id}
        if args.wait:
            from cron_adapter.adapters.ledger import Ledger

            ledger = Ledger(live_value(args, "table"), live_value(args, "group"))
            status = wait_for_status(ledger, result["etag"], since, args.timeout)
            result["reconcile"] = status
            if status is None:
                _print(result, args.output)
                return fail(f"no reconcile result within {args.timeout:g}s; check the reconcile Lambda's logs", 5)
    except InvalidJobsFile as exc:
        return report_invalid(exc, args.output)
    except CronAdapterError as exc:
        return fail(str(exc))
    _print(result, args.output)
    return _EXIT.get(str((result.get("reconcile") or {}).get("status", "applied")), 1)
