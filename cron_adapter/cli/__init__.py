"""The ``cron-adapter`` command line. Each command lives in its own module here.

A command module exposes ``register(subparsers)``, which adds its parser and sets
``func`` (taking the parsed ``args`` and returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Command modules, in the order `--help` lists them.
COMMANDS = [
    "validate",
    "plan",
    "apply",
    "push",
    "jobs",
    "next",
    "schema",
    "dev",
    "simulate",
    # operations
    "runs",
    "status",
    "trigger",
    "backfill",
    "resume",
    "drift",
    # integrations
    "hermes",
    "keys",
]


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="cron-adapter",
        description="Scale-to-zero cron for HTTP jobs on Amazon EventBridge Scheduler. "
        "Keep jobs.json as desired state; cron-adapter plans, applies and fires it.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"cron_adapter.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cron-adapter`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `cron-adapter plan ... | head`: not an error of ours
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
