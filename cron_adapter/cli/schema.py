"""`cron-adapter schema`: print the JSON Schema of the native jobs.json."""

from __future__ import annotations

import argparse
import sys

from cron_adapter.cli.errors import command
from cron_adapter.jobs.schema import schema_text


def register(sub: argparse._SubParsersAction) -> None:
    """Add the schema command."""
    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of jobs.json (for editors)",
        description="Print the JSON Schema of the native jobs.json. The same schema is "
        'committed at schema/jobs.schema.json; point "$schema" in your jobs.json at it '
        "so editors validate while you type.",
        epilog="examples:\n  cron-adapter schema > jobs.schema.json\n"
        "  cron-adapter schema --output json > jobs.schema.json\n\n"
        "The schema is JSON either way; --output is accepted as by the other commands.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--output", choices=("json", "text"), default="json", help="json (default) or text: the same")
    p.set_defaults(func=run)


@command
def run(args: argparse.Namespace) -> int:
    """Print the schema."""
    sys.stdout.write(schema_text())
    return 0
