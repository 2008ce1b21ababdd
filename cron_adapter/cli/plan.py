"""`cron-adapter plan FILE`: what apply would change, offline or against the live group."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cron_adapter.cli.argtypes import bounded
from cron_adapter.cli.common import add_live_args, cli_settings, live_reconciler, now
from cron_adapter.cli.errors import command
from cron_adapter.cli.jobsargs import add_jobs_file_args, add_output_arg, load_from_args
from cron_adapter.errors import CronAdapterError, MassDeleteRefused, SettingsError
from cron_adapter.reconcile.model import Create, Delete, Plan
from cron_adapter.reconcile.planner import check_guard, plan
from cron_adapter.reconcile.render import FireTimes, to_json, to_text
from cron_adapter.reconcile.translate import Wiring, translate_all
from cron_adapter.simulate.load import TEXT_LIMIT, collision_warnings, upcoming_collisions

EPILOG = """examples:
  cron-adapter plan examples/sidecar-jobs.json --offline --base-url https://app.example.com
  cron-adapter plan jobs.json --offline --output json > plan.json
  AWS_ENDPOINT_URL=http://127.0.0.1:4566 cron-adapter plan jobs.json \\
      --table cron-adapter --fire-arn arn:aws:lambda:...:function:fire --role-arn arn:aws:iam::...:role/scheduler

Offline, the plan is against an empty account with placeholder ARNs. Live (the default),
it lists the group, reads the ledger and shows each changed job's next fire times before
and after. Nothing is written either way.
exit codes: 0 ok, 2 invalid jobs file, flag or setting (no actions), 6 AWS unusable
(no region or credentials, endpoint unreachable, table missing, access denied); docs/cli.md"""
FIRES = 3


def register(sub: argparse._SubParsersAction) -> None:
    """Add the plan command."""
    p = sub.add_parser(
        "plan",
        help="show what apply would create, update and delete (changes nothing)",
        description="Plan the EventBridge Scheduler changes that make the schedule group match "
        "the jobs file, like `terraform plan`.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_jobs_file_args(p)
    p.add_argument("--offline", action="store_true", help="plan against an empty account with placeholder ARNs")
    add_output_arg(p)
    p.add_argument(
        "--collision-threshold",
        type=bounded(int, 0, 1_000_000),
        default=5,
        metavar="K",
        help="warn about minutes of the next 24 h in which K or more jobs fire together (default 5; 0: off)",
    )
    add_live_args(p, signing=True)
    p.set_defaults(func=run)


def _next(request: Mapping[str, Any], at: datetime) -> tuple[str, ...]:
    """The next fire times of a schedule request as sent (empty if DISABLED or it cannot be evaluated).

    The shared engine gets what EventBridge will use: StartDate and EndDate, and for a rate
    its anchor (StartDate, else the schedule's CreationDate, else now: created now).
    """
    from cron_adapter.schedule.engine import next_fires
    from cron_adapter.schedule.grammar import parse_schedule

    expression, timezone = request.get("ScheduleExpression"), request.get("ScheduleExpressionTimezone") or "UTC"
    if not expression or _disabled(request):
        return ()
    try:
        schedule = parse_schedule(expression, timezone=timezone)
        start, end = _instant(request.get("StartDate")), _instant(request.get("EndDate"))
        anchor = start or _instant(request.get("CreationDate"))
        fires = next_fires(schedule, timezone, at, FIRES, anchor=anchor, start=start, end=end)
    except (CronAdapterError, ValueError):
        return ()
    return tuple(t.isoformat() for t in fires)


def _instant(value: object) -> datetime | None:
    """A request's StartDate/EndDate (ISO text as sent, or a datetime from GetSchedule), UTC if naive."""
    if not value:
        return None
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def fire_times(result: Plan, current: dict[str, dict[str, Any]], at: datetime) -> dict[str, FireTimes]:
    """Before/after fire times per changed schedule; ``current`` holds GetSchedule answers."""
    out = {}
    for action in result.actions:
        old = current.get(action.name) or {}
        new = {} if isinstance(action, Delete) else action.request
        out[action.name] = FireTimes(
            () if isinstance(action, Create) else _next(old, at),
            _next(new, at),
            before_disabled=not isinstance(action, Create) and _disabled(old),
            after_disabled=not isinstance(action, Delete) and _disabled(new),
        )
    return out


def _disabled(request: Mapping[str, Any]) -> bool:
    return request.get("State") == "DISABLED"


def _live(args: argparse.Namespace, jobset: Any) -> tuple[Plan, str, dict[str, FireTimes]]:
    reconciler = live_reconciler(args)
    observed = reconciler.observe(jobset)
    current = {
        a.name: reconciler.scheduler.get_schedule(a.name)  # type: ignore[attr-defined]
        for a in observed.plan.actions
        if not isinstance(a, Create)
    }
    result = observed.plan
    try:
        check_guard(result, reconciler.options.max_delete_share, observed.allow_mass_delete)
    except MassDeleteRefused as exc:
        result = Plan(result.actions, result.warnings + (f"apply will refuse: {exc}",), result.forget, result.total)
    return result, reconciler.wiring.group, fire_times(result, {k: v for k, v in current.items() if v}, now())


@command
def run(args: argparse.Namespace) -> int:
    """Print the plan."""
    jobset = load_from_args(args)
    if args.offline:
        wiring = Wiring.offline(group=cli_settings(args).group)
        result = plan(translate_all(jobset, wiring), [], {}, now(), group=wiring.group)
        result = Plan(result.actions, tuple(jobset.warnings) + result.warnings)
        group, times = wiring.group, fire_times(result, {}, now())
        if args.output == "json":
            times = {}  # offline JSON is exactly {"actions": [...], "warnings": [...]}
    else:
        try:
            result, group, times = _live(args, jobset)
        except SettingsError as exc:  # a new user with no deployment yet: say how to plan without one
            raise SettingsError(exc.name, f"{exc.detail}; or plan without AWS: add --offline") from None
    if args.collision_threshold > 0:
        found = upcoming_collisions(jobset, now(), args.collision_threshold)
        limit = None if args.output == "json" else TEXT_LIMIT  # JSON lists every collision
        advice = collision_warnings(found, limit=limit, threshold=args.collision_threshold)
        result = Plan(result.actions, result.warnings + advice, result.forget, result.total)
    print(to_json(result, times) if args.output == "json" else to_text(result, group, times))
    return 0
