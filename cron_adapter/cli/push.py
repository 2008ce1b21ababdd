"""`cron-adapter push FILE --bucket B`: validate locally, upload, optionally wait for the reconcile.

The reconcile Lambda records each upload's outcome in the table under
``pk=STATUS#<group>, sk=status_key(ETag, VersionId)`` (see reconcile.app); ``--wait`` polls
the item of exactly the version this command uploaded.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cron_adapter import constants as c
from cron_adapter.cli.common import add_live_args, cli_settings, fail
from cron_adapter.cli.errors import command
from cron_adapter.cli.exitcodes import EXIT_PARTIAL, EXIT_TIMEOUT, RECONCILE_STATUS_EXIT
from cron_adapter.cli.jobsargs import add_jobs_file_args, add_output_arg, add_timeout_arg, load_from_args
from cron_adapter.reconcile.app import status_key
from cron_adapter.reconcile.translate import Wiring, translate_all

if TYPE_CHECKING:
    from cron_adapter.adapters.ledger import Ledger

EPILOG = """examples:
  cron-adapter push jobs.json --bucket my-cron-adapter-jobs
  cron-adapter push jobs.json --bucket my-cron-adapter-jobs --wait --table cron-adapter --output json

The file is validated locally first: an invalid file is never uploaded. With --wait the
command polls the reconcile's status item of exactly the uploaded object version (its
version id; its ETag on an unversioned bucket) and exits 0 when it applied (or found nothing
to do), 1 on a partial or failed run, 2 when the upload was rejected (or the file is
invalid), 3 on a refused mass delete, 4 when another reconcile held the lock, 5 on timeout,
6 when AWS is unusable (no region or credentials, endpoint down, bucket or table missing).

--base-url (or $API_URL) is used only to validate the file here. The deployed reconcile
Lambda joins target paths with its own base URL, the stack's CRON_ADAPTER_BASE_URL (the
`base_url` of CronAdapterProps, or `cdk deploy -c baseUrl=...`, see docs/deploy.md): to
change the URL jobs call, set that and redeploy. push warns (stderr; "warnings" with
--output json) when either is set."""
BASE_URL_HELP = (
    "base URL to validate hermes/sidecar paths with (default: $API_URL); it does not change what runs: "
    "the deployed reconcile uses the stack's CRON_ADAPTER_BASE_URL (cdk deploy -c baseUrl=..., docs/deploy.md)"
)


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
    add_jobs_file_args(p, base_url_help=BASE_URL_HELP)
    p.add_argument("--bucket", help=f"jobs bucket (env {c.ENV_BUCKET})")
    p.add_argument("--key", help=f"object key (env {c.ENV_JOBS_KEY}, default {c.DEFAULT_JOBS_KEY})")
    p.add_argument("--wait", action="store_true", help="wait for the reconcile's result")
    add_timeout_arg(p)
    add_output_arg(p)
    add_live_args(p, names=("group", "table"))
    p.set_defaults(func=run)


def wait_for_status(
    ledger: Ledger, key: str, since: float | None, timeout: float, sleep: Any = time.sleep, clock: Any = time.time
) -> dict[str, Any] | None:
    """Poll the status item ``key`` until it appears (finished after ``since``, when given).

    A version id names one upload exactly, so ``since`` is None then; an ETag (unversioned
    bucket) repeats when the same content is pushed again, hence the time filter.
    """
    deadline = clock() + timeout
    while True:
        item = ledger.get_status(key)
        if item and (since is None or float(item.get("finished_at", 0)) >= since):
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


def base_url_warnings(args: argparse.Namespace) -> list[str]:
    """A warning when --base-url or $API_URL is set: the live reconcile never sees it."""
    api_url = cli_settings(args).api_url
    if not api_url:
        return []
    given = f"--base-url {args.base_url}" if args.base_url else f"API_URL={api_url}"
    return [
        f"{given} only validated the file here: the deployed reconcile Lambda joins target paths with the "
        f"stack's own base URL ({c.ENV_BASE_URL}, the base_url of CronAdapterProps; see docs/deploy.md), "
        "not this one; to change the URL jobs call, redeploy with cdk deploy -c baseUrl=<url>"
    ]


def _counts_text(counts: dict[str, Any]) -> str:
    done = [f"{n} {k.replace('_', ' ')}" for k, n in counts.items() if n]
    return ", ".join(done) or "no changes"


def _print(result: dict[str, Any], output: str) -> None:
    if output == "json":
        print(json.dumps(result, indent=2, default=str))
        return
    version = f", version {result['version_id']}" if result.get("version_id") else ""
    print(f"uploaded s3://{result['bucket']}/{result['key']} (ETag {result['etag']}{version})")
    if result.get("reconcile"):
        print_status(result["reconcile"])


def _push_fix(status: dict[str, Any] | None, path: str) -> dict[str, Any] | None:
    """A refused mass delete's status with a fix push can use (the Lambda's names apply's flag, not push's)."""
    if not status or status.get("status") != "refused":
        return status
    what = str(status.get("detail") or "the plan deletes more schedules than allowed").split("; fix:")[0]
    fix = (
        f'check the jobs file; to allow it, add "allow_mass_delete": true to {path} and push again, '
        f"or run `cron-adapter apply {path} --allow-mass-delete`"
    )
    return {**status, "detail": f"{what}; fix: {fix}"}


def print_status(status: dict[str, Any]) -> None:
    """A reconcile status item as text (push --wait, jobs --wait)."""
    print(f"reconcile {status['status']}: {_counts_text(status.get('counts') or {})}")
    for line in list(status.get("problems", [])) + list(status.get("failed", [])) + [status.get("detail") or ""]:
        if line:
            print(f"  {line}")


@command
def run(args: argparse.Namespace) -> int:
    """Validate, upload, maybe wait."""
    from cron_adapter.adapters.jobs_object import S3JobsObject
    from cron_adapter.cli import aws

    translate_all(load_from_args(args), Wiring.offline())
    warnings = base_url_warnings(args)
    if args.output == "text":
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
    settings = cli_settings(args)
    bucket = settings.require(c.ENV_BUCKET)
    ledger = aws.ledger(settings.require(c.ENV_TABLE), settings.group) if args.wait else None
    if ledger is not None:
        ledger.peek_lock()  # preflight: a missing table or endpoint fails before anything is uploaded
    since = time.time() - 5.0  # tolerate a little clock skew with the Lambda
    # --timezone travels with the object (metadata): reconcile prefers it to the stack default
    body = Path(args.file).read_bytes()
    etag, version_id = S3JobsObject(bucket, settings.jobs_key, aws.client("s3")).put(body, timezone=args.timezone)
    result: dict[str, Any] = {"bucket": bucket, "key": settings.jobs_key, "etag": etag, "version_id": version_id}
    result["warnings"] = warnings
    if ledger is not None:
        if args.output == "text":
            print(f"waiting up to {args.timeout:g}s for the reconcile ...", file=sys.stderr)
        status = wait_for_status(ledger, status_key(etag, version_id), None if version_id else since, args.timeout)
        result["reconcile"] = _push_fix(status, args.file)
        if status is None:
            _print(result, args.output)
            return fail(
                f"no reconcile result within {args.timeout:g}s; check the reconcile Lambda's logs", EXIT_TIMEOUT
            )
    _print(result, args.output)
    return RECONCILE_STATUS_EXIT.get(str((result.get("reconcile") or {}).get("status", "applied")), EXIT_PARTIAL)
