"""`cron-adapter apply FILE`: plan, confirm, and converge the live schedule group."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cron_adapter.cli.common import add_live_args, live_reconciler
from cron_adapter.cli.errors import ask, command, not_done
from cron_adapter.cli.exitcodes import EXIT_DECLINED, EXIT_PARTIAL
from cron_adapter.cli.jobsargs import add_jobs_file_args, add_output_arg, load_from_args
from cron_adapter.reconcile.planner import check_guard
from cron_adapter.reconcile.render import action_dict, to_text
from cron_adapter.reconcile.service import Result

EPILOG = """examples:
  cron-adapter apply jobs.json                      # shows the plan, asks for "yes"
  cron-adapter apply jobs.json --yes --output json  # CI: no prompt, JSON result
  cron-adapter apply jobs.json --yes --allow-mass-delete

Wiring comes from --group/--table/--fire-arn/--role-arn or the CRON_ADAPTER_* environment;
AWS_ENDPOINT_URL points it at the local emulator. Without --yes a non-interactive run refuses.
exit codes: 0 converged, 1 partial (rerun to continue), 2 invalid file, flag or setting,
3 mass delete refused, 4 another reconcile holds the lock, 6 AWS unusable (no region or
credentials, endpoint unreachable, table missing, access denied), 7 declined or no --yes
off a terminal (nothing applied); docs/cli.md"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the apply command."""
    p = sub.add_parser(
        "apply",
        help="make the live schedule group match the jobs file",
        description="Plan, confirm and apply: create, update and delete EventBridge Scheduler "
        "schedules so the group matches the jobs file, with minimal writes.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_jobs_file_args(p)
    p.add_argument("--yes", "-y", action="store_true", help="apply without asking")
    p.add_argument(
        "--allow-mass-delete",
        action="store_true",
        help="allow deleting more than the guard's share (default 50%%) of the group",
    )
    add_output_arg(p)
    add_live_args(p, signing=True)
    p.set_defaults(func=run)


def _refusal(args: argparse.Namespace, count: int) -> str | None:
    """None when the plan may be applied, else the one line saying why not (the prompt never goes to JSON stdout)."""
    if args.yes:
        return None
    if not sys.stdin.isatty():
        return "refusing to apply without --yes on a non-interactive terminal; nothing was changed (fix: pass --yes)"
    answer = ask(f"Apply {count} action(s)? Only 'yes' will be accepted: ", args.output)
    return None if answer.strip() == "yes" else "apply cancelled; nothing was changed"


def _apply_with_progress(args: argparse.Namespace, jobset: Any, total: int, quiet: bool) -> Result:
    if quiet:
        return live_reconciler(args).run(lambda: jobset)
    from rich.progress import Progress

    with Progress(transient=False) as bar:
        task = bar.add_task("applying", total=total)
        return live_reconciler(args, progress=lambda _a, _ok: bar.advance(task)).run(lambda: jobset)


def _report(result: Result, output: str) -> int:
    code = 0 if result.status in ("applied", "no-op") else EXIT_PARTIAL
    if output == "json":
        print(
            json.dumps(
                {
                    "status": result.status,
                    "counts": result.counts,
                    "done": [action_dict(a) for a in result.done],
                    "failed": [{"name": a.name, "error": e} for a, e in result.failed],
                    "skipped": result.skipped,
                    "warnings": list(result.plan.warnings),
                },
                indent=2,
                default=str,
            )
        )
    else:
        c = result.counts
        print(
            f"Apply {result.status}: {c.get('created', 0)} created, {c.get('updated', 0)} updated, "
            f"{c.get('deleted', 0)} deleted."
        )
        for action, error in result.failed:
            print(f"failed: {action.action} {action.name}: {error}", file=sys.stderr)
    return code


@command
def run(args: argparse.Namespace) -> int:
    """Plan, confirm, apply."""
    jobset = load_from_args(args)
    reconciler = live_reconciler(args)
    observed = reconciler.observe(jobset)
    check_guard(observed.plan, reconciler.options.max_delete_share, args.allow_mass_delete or jobset.allow_mass_delete)
    if args.output != "json":
        print(to_text(observed.plan, reconciler.wiring.group))
    if observed.plan.empty:
        return _report(Result("no-op", observed.plan), args.output) if args.output == "json" else 0
    refusal = _refusal(args, len(observed.plan.actions))
    if refusal:
        actions = [action_dict(a) for a in observed.plan.actions]
        return not_done(refusal, EXIT_DECLINED, args.output, actions=actions)
    result = _apply_with_progress(args, jobset, len(observed.plan.actions), args.output == "json")
    return _report(result, args.output)
