"""Arguments shared by the commands that read a jobs file, and how they load it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cron_adapter.cli.argtypes import bounded
from cron_adapter.cli.common import cli_settings
from cron_adapter.errors import InvalidJobsFile
from cron_adapter.jobs.loader import FORMATS, load_path
from cron_adapter.jobs.model import JobSet

BASE_URL_HELP = "target base URL for hermes/sidecar stores (default: $API_URL)"


def add_jobs_file_args(
    parser: argparse.ArgumentParser, *, file_required: bool = True, base_url_help: str = BASE_URL_HELP
) -> None:
    """Add FILE, --format, --timezone and --base-url (``base_url_help``: its help, where a command means more)."""
    parser.add_argument(
        "file",
        metavar="FILE",
        nargs=None if file_required else "?",
        help="jobs file: native jobs.json, a hermes-agent jobs.json, or a sidecar job list",
    )
    parser.add_argument("--format", choices=FORMATS, help="force the format instead of detecting it")
    parser.add_argument(
        "--timezone",
        metavar="TZ",
        help=(
            "store-wide IANA timezone for hermes/sidecar stores, "
            "and native files without defaults.timezone (default UTC)"
        ),
    )
    parser.add_argument("--base-url", metavar="URL", help=base_url_help)


def add_output_arg(parser: argparse.ArgumentParser) -> None:
    """Add --output text|json."""
    parser.add_argument("--output", choices=("text", "json"), default="text", help="output format (default text)")


# --timeout of --wait: the status is polled once a second, and a reconcile Lambda runs 15 minutes at most.
MIN_WAIT_SECONDS, MAX_WAIT_SECONDS, DEFAULT_WAIT_SECONDS = 1.0, 3600.0, 180.0


def add_timeout_arg(parser: argparse.ArgumentParser) -> None:
    """Add --timeout, the seconds --wait waits (checked before anything is uploaded or written)."""
    parser.add_argument(
        "--timeout",
        type=bounded(float, MIN_WAIT_SECONDS, MAX_WAIT_SECONDS),
        default=DEFAULT_WAIT_SECONDS,
        metavar="SECONDS",
        help=f"seconds to wait with --wait, {MIN_WAIT_SECONDS:g}..{MAX_WAIT_SECONDS:,g} "
        f"(default {DEFAULT_WAIT_SECONDS:g})",
    )


def load_from_args(args: argparse.Namespace) -> JobSet:
    """Load the jobs file named by the parsed arguments (raises InvalidJobsFile)."""
    return load_path(args.file, format=args.format, timezone=args.timezone, base_url=cli_settings(args).api_url)


def problems_json(exc: InvalidJobsFile) -> list[dict[str, Any]]:
    """The problems of an invalid file as JSON-ready dicts."""
    return [{"job_id": p.job_id, "field": p.field, "message": p.message, "fix": p.fix} for p in exc.problems]


def report_invalid(exc: InvalidJobsFile, output: str) -> int:
    """Print an invalid file's problems and return exit code 2.

    Text: the first problems on stderr (``--output json`` lists every one). JSON: the
    problems as a document on stdout (where a script reads), and one summary line on stderr.
    """
    if output == "json":
        print(json.dumps({"valid": False, "source": exc.source, "problems": problems_json(exc)}, indent=2))
        print(f"error: {exc.source} is invalid ({len(exc.problems)} problem(s))", file=sys.stderr)
    else:
        print(f"error: {exc}", file=sys.stderr)
        if len(exc.problems) > exc.LISTED:
            print("(--output json lists every problem)", file=sys.stderr)
    return 2
