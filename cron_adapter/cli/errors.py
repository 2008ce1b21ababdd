"""Every command's errors, mapped in one place to a one-line message and an exit code.

``@command`` wraps a command's ``run(args)``: the library's errors and botocore's
(no region, no credentials, endpoint down, missing table or bucket, access denied) become
one line on stderr (and, with ``--output json``, a JSON document on stdout) with the exit
code from :mod:`cron_adapter.cli.exitcodes`. Nothing prints a traceback unless ``--debug``.

A command that stops short on purpose (``apply``/``backfill`` not confirmed, ``resume`` of
a job that is not paused) reports it through :func:`not_done` in the same shape, with a
``kind`` of its own (``NotConfirmed``, ``NotPaused``); :func:`ask` prompts on stderr under
``--output json``, so stdout holds only the one document.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from typing import Any

from cron_adapter import constants as c
from cron_adapter.cli import exitcodes as x
from cron_adapter.cli.common import aws_region_honoured
from cron_adapter.cli.jobsargs import report_invalid
from cron_adapter.errors import (
    AwsUnavailable,
    CronAdapterError,
    DuplicateJob,
    EditConflict,
    InvalidJobsFile,
    LockHeld,
    MassDeleteRefused,
    ReconcileError,
    ScheduleError,
    SettingsError,
    StoreNotEditable,
    UnknownJob,
    UsageError,
)

_DYNAMODB_OPS = {"GetItem", "PutItem", "Query", "Scan", "UpdateItem", "DeleteItem", "BatchWriteItem", "DescribeTable"}
_BAD_CREDENTIALS = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "AuthFailure",
}
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Forbidden"}
_CODES: list[tuple[type[BaseException], int]] = [
    (MassDeleteRefused, x.EXIT_REFUSED),
    (LockHeld, x.EXIT_LOCKED),
    (AwsUnavailable, x.EXIT_AWS),
    (SettingsError, x.EXIT_INVALID),
    (UsageError, x.EXIT_INVALID),
    (ScheduleError, x.EXIT_INVALID),
    (ReconcileError, x.EXIT_PARTIAL),
    (UnknownJob, x.EXIT_UNKNOWN_JOB),
    (EditConflict, x.EXIT_CONFLICT),
    (StoreNotEditable, x.EXIT_NOT_EDITABLE),
    (DuplicateJob, x.EXIT_INVALID),
]


def command(func: Callable[[argparse.Namespace], int | None]) -> Callable[[argparse.Namespace], int]:
    """Decorate a command's ``run``: map every expected error to its line and exit code."""

    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        try:
            with aws_region_honoured():
                return int(func(args) or 0)
        except InvalidJobsFile as exc:
            return report_invalid(exc, getattr(args, "output", "text"))
        except (KeyboardInterrupt, BrokenPipeError):
            raise  # main() handles these the same way for every command
        except Exception as exc:  # noqa: BLE001 - the edge: everything becomes a line and a code
            if getattr(args, "debug", False):
                raise
            error = translate(exc, args)
            return report(error, code_of(error), getattr(args, "output", "text"))

    return run


def code_of(error: BaseException) -> int:
    """The exit code of an error (1 for an unexpected one)."""
    for kind, code in _CODES:
        if isinstance(error, kind):
            return code
    return x.EXIT_PARTIAL if isinstance(error, CronAdapterError) else 1


def report(error: BaseException, code: int, output: str) -> int:
    """Print the one-line error (and a JSON document with --output json); return ``code``."""
    if not isinstance(error, CronAdapterError):
        text = f"unexpected {type(error).__name__}: {error} (rerun with --debug for the traceback)"
    else:
        text = " ".join(str(error).split())  # one line, whatever the message held
    if output == "json":
        print(json.dumps({"ok": False, "exit_code": code, "error": text, "kind": type(error).__name__}, indent=2))
    print(f"error: {text}", file=sys.stderr)
    return code


# A command that stopped short on purpose reports it in the same shape (not an exception).
NOT_CONFIRMED, NOT_PAUSED = "NotConfirmed", "NotPaused"


def ask(prompt: str, output: str) -> str:
    """The answer typed at the terminal; with --output json the prompt is written to stderr."""
    if output != "json":
        return input(prompt)
    print(prompt, end="", file=sys.stderr, flush=True)
    return sys.stdin.readline()


def not_done(message: str, code: int, output: str, kind: str = NOT_CONFIRMED, **details: Any) -> int:
    """Print why nothing was done (stderr; with --output json also the document on stdout); return ``code``."""
    if output == "json":
        doc = {"ok": False, "exit_code": code, "error": message, "kind": kind, **details}
        print(json.dumps(doc, indent=2, default=str))
    print(f"error: {message}", file=sys.stderr)
    return code


def translate(exc: BaseException, args: argparse.Namespace | None = None) -> BaseException:
    """botocore's exceptions as AwsUnavailable (naming the cause and the fix); others unchanged."""
    from botocore import exceptions as bx

    if isinstance(exc, bx.NoRegionError):
        return AwsUnavailable(
            "no AWS region is configured",
            "set AWS_REGION (or AWS_DEFAULT_REGION, or a profile's region); for `cron-adapter dev` "
            "run `source .cron-adapter/dev.env`",
        )
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError | bx.ProfileNotFound):
        return AwsUnavailable(
            f"no usable AWS credentials ({exc})",
            "run `aws configure`, set AWS_PROFILE, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        )
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectTimeoutError | bx.ConnectionClosedError):
        where = getattr(exc, "kwargs", {}).get("endpoint_url", "the AWS endpoint")
        return AwsUnavailable(
            f"cannot reach {where}",
            "check the network and AWS_ENDPOINT_URL (unset it for real AWS); is `cron-adapter dev` still running?",
        )
    if isinstance(exc, bx.ClientError):
        return _known_client_error(exc, args) or _generic_client_error(exc)
    if isinstance(exc, CronAdapterError) and isinstance(exc.__cause__, bx.ClientError):
        # An adapter translated the AWS error (e.g. a run store's ClaimError); a missing table
        # or a denied call still deserves the precise fix.
        return _known_client_error(exc.__cause__, args) or exc
    return exc


def _known_client_error(exc: Any, args: argparse.Namespace | None) -> AwsUnavailable | None:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    op = str(getattr(exc, "operation_name", "call"))
    settings = getattr(args, "settings", None)
    if code == "ResourceNotFoundException" and op in _DYNAMODB_OPS:
        table = getattr(settings, "table", None) or getattr(args, "table", None) or "?"
        return AwsUnavailable(
            f"DynamoDB table {table!r} does not exist in this account and region",
            f"deploy the stack, or pass --table / set {c.ENV_TABLE} to the stack's table name",
        )
    if code == "NoSuchBucket":
        bucket = getattr(settings, "bucket", None) or getattr(args, "bucket", None) or "?"
        return AwsUnavailable(
            f"S3 bucket {bucket!r} does not exist",
            f"pass --bucket / set {c.ENV_BUCKET} to the stack's jobs bucket",
        )
    if code in _BAD_CREDENTIALS:
        return AwsUnavailable(f"AWS rejected the credentials on {op} ({code})", "refresh or fix your AWS credentials")
    if code in _DENIED:
        return AwsUnavailable(
            f"AWS denied {op} ({code})", "grant the permissions listed in docs/cli.md to this identity"
        )
    return None


def _generic_client_error(exc: Any) -> AwsUnavailable:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    op = str(getattr(exc, "operation_name", "call"))
    message = str(exc.response.get("Error", {}).get("Message", ""))
    return AwsUnavailable(f"AWS {op} failed: {code}: {message}", "see the AWS error above; nothing was changed")
