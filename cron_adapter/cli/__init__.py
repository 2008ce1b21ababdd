"""The ``cron-adapter`` command line. Each command lives in its own module here.

A command module exposes ``register(subparsers)``, which adds its parser and sets
``func`` (taking the parsed ``args`` and returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

from cron_adapter import __version__

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


EPILOG = """\
first steps:
  cron-adapter validate examples/jobs.json       # check a file, offline
  cron-adapter next --schedule "every 15m" -n 3   # when would it fire?
  cron-adapter dev                                # the whole loop locally, no AWS account

Run `cron-adapter COMMAND --help` for a command's options, examples and exit codes
(all listed in docs/cli.md). `cron-adapter --debug COMMAND ...` shows the traceback of an
unexpected error."""


class ExactParser(argparse.ArgumentParser):
    """A parser that takes options only as spelled in full.

    argparse otherwise reads a prefix as the one option it starts: ``dev --for 1`` would
    be ``--format 1``, and a script would change meaning the day a second option shares the
    prefix. Subparsers are built with the class of their parent, so every command inherits it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every command registered."""
    parser = ExactParser(
        prog="cron-adapter",
        description="Scale-to-zero cron for HTTP jobs on Amazon EventBridge Scheduler. "
        "Keep jobs.json as desired state; cron-adapter plans, applies and fires it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cron-adapter {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"cron_adapter.cli.{name}").register(sub)
    return parser


def unknown_command(argv: list[str]) -> str | None:
    """The error for a mistyped command (with a suggestion), or None when the command is known."""
    from cron_adapter.jobs.suggest import did_you_mean

    words = [a for a in argv if not a.startswith("-")]  # (`next` here is the cli.next module)
    if not words or words[0] in COMMANDS:
        return None
    word = words[0]
    return f"unknown command {word!r}{did_you_mean(word, COMMANDS)} (commands: {', '.join(COMMANDS)})"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cron-adapter`` console script."""
    argv = sys.argv[1:] if argv is None else list(argv)
    problem = unknown_command(argv)
    if problem:
        print(f"cron-adapter: error: {problem}", file=sys.stderr)
        return 2
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
