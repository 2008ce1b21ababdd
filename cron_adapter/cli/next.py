"""``cron-adapter next``: the next fire times of a schedule or a job, as EventBridge fires them."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cron_adapter.cli.argtypes import bounded
from cron_adapter.cli.errors import command
from cron_adapter.cli.exitcodes import EXIT_INVALID
from cron_adapter.cli.neverfires import year_end_note
from cron_adapter.errors import UsageError
from cron_adapter.schedule import engine, phase
from cron_adapter.schedule.grammar import Schedule, parse_schedule

if TYPE_CHECKING:
    from cron_adapter.jobs.model import JobSet

__all__ = ["EXIT_INVALID", "MAX_FIRES", "register", "run"]
MAX_FIRES = 10_000  # enough for any window a person reads; keeps the answer instant
# `next` never calls a target, so a hermes or sidecar store without a base URL still loads.
PLACEHOLDER_BASE_URL = "https://base-url.invalid"
EPILOG = """examples:
  cron-adapter next --schedule "30 2 * * *" --timezone Europe/Berlin --after 2027-03-27T00:00 -n 3
  cron-adapter next --schedule "daily 07:00,13:30" --output json
  cron-adapter next --job nightly-sync jobs.json -n 10

Times print as ISO-8601 with their offset. A daylight-saving gap skips a fire (02:30 does
not exist on a spring-forward night); a fall-back hour fires once. Both are noted.
EventBridge fires nothing after the year 2199, so neither does this list; a cron whose year
field ends earlier (cron(0 9 * * ? 2020)) says so instead.
exit codes: 0 ok, 2 bad schedule, job, file or flag"""


@dataclass(frozen=True)
class Query:
    """What to compute: the schedule, its zone and the window from the job (if any)."""

    schedule: Schedule
    timezone: str
    start: datetime | None = None
    end: datetime | None = None
    warning: str = ""
    anchor: datetime | None = None  # a rate job's phase grid (None: count from --after)
    collisions: tuple[str, ...] = ()  # minutes of the next 24 h this job shares with many others
    jobset: JobSet | None = None  # with --job: the loaded file, read once


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``next`` command."""
    parser = subparsers.add_parser(
        "next",
        help="show the next fire times of a schedule or a job",
        description="Show the next fire times of a schedule expression or of a job in a jobs file, "
        "exactly as EventBridge Scheduler will fire them, with the DST gaps and overlaps that affect them.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--schedule", metavar="EXPR", help='a schedule, e.g. "every 15m", "0 9 * * 1-5", "cron(0 3 * * ? *)"'
    )
    source.add_argument("--job", nargs=2, metavar=("ID", "FILE"), help="a job id and the jobs file that holds it")
    parser.add_argument("--timezone", metavar="TZ", help="IANA timezone (default UTC; with --job: the store-wide zone)")
    parser.add_argument("--format", choices=("native", "hermes", "sidecar"), help="with --job: force the file's format")
    parser.add_argument("--base-url", metavar="URL", help="with --job: base URL of hermes/sidecar stores (unused here)")
    parser.add_argument("--after", metavar="ISO", help="list fires after this time (default: now; no offset = in TZ)")
    parser.add_argument(
        "-n", type=_count, default=5, metavar="N", help=f"how many fire times, 1..{MAX_FIRES:,} (default 5)"
    )
    parser.add_argument("--output", choices=("text", "json"), default="text", help="output format (default text)")
    parser.add_argument(
        "--collision-threshold",
        type=bounded(int, 1, 1_000_000),
        default=5,
        metavar="K",
        help="with --job: warn when K or more jobs fire in one of this job's minutes in the next 24 h (default 5)",
    )
    parser.set_defaults(func=run)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_FIRES:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_FIRES:,}")
    return value


@command
def run(args: argparse.Namespace) -> int:
    """Print the next fire times; 0 on success, 2 on a bad schedule, job or file."""
    query = _query(args)
    after = _after(args.after, query.timezone)
    if args.job is not None:
        query = _with_collisions(query, args, after)
    fires = engine.next_fires(
        query.schedule, query.timezone, after, args.n, anchor=query.anchor, start=query.start, end=query.end
    )
    notes = _notes(query, after, fires)
    if query.schedule.one_shot:
        if not fires:
            query = replace(query, warning=_also(query.warning, _passed(query, after, args.after is None)))
    elif len(fires) < args.n and query.end is None:
        # A year field that ends (2020) explains a short list; else only EventBridge's last year does.
        note = year_end_note(query.schedule, after, fires)
        if note or not fires or fires[-1].year >= engine.LAST_YEAR - 1:
            query = replace(query, warning=_also(query.warning, note or _LAST_YEAR_NOTE))
    if args.output == "json":
        print(json.dumps(_json(query, after, fires, notes), indent=2))
    else:
        print(_text(query, fires, notes))
    return 0


def _query(args: argparse.Namespace) -> Query:
    if args.schedule is not None:
        timezone = args.timezone or "UTC"
        return Query(parse_schedule(args.schedule, timezone=timezone), timezone)
    from cron_adapter.jobs.loader import load_path  # the loader pulls in formats only `--job` needs

    job_id, path = args.job
    from cron_adapter.cli.common import cli_settings

    base_url = cli_settings(args).api_url or PLACEHOLDER_BASE_URL
    jobs = load_path(path, format=args.format, timezone=args.timezone, base_url=base_url)
    job = next((j for j in jobs.jobs if j.id == job_id), None)
    if job is None:
        from cron_adapter.jobs.suggest import did_you_mean

        known = ", ".join(j.id for j in jobs.jobs[:10]) or "none"
        hint = did_you_mean(job_id, [j.id for j in jobs.jobs])
        raise UsageError(f"no job {job_id!r} in {path}{hint} (jobs: {known})")
    warning = (
        ""
        if job.enabled and not job.done
        else f"job {job_id!r} is {'done' if job.done else 'paused'}: EventBridge will not fire it"
    )
    schedule = parse_schedule(job.schedule, timezone=job.timezone)
    start = _zoned(job.start_at, job.timezone)
    _, offset = phase.rate_grid(schedule, job.id, job.phase, start)
    return Query(
        schedule,
        job.timezone,
        start,
        _zoned(job.end_at, job.timezone),
        warning,
        anchor=phase.anchor(offset) if offset is not None else None,
        jobset=jobs,
    )


def _with_collisions(query: Query, args: argparse.Namespace, after: datetime) -> Query:
    """The query with warnings for the minutes of the next 24 h this job shares with many others."""
    from cron_adapter.simulate.load import TEXT_LIMIT, collision_warnings, upcoming_collisions

    assert query.jobset is not None  # set by _query for --job
    job_id = args.job[0]
    found = upcoming_collisions(query.jobset, after.astimezone(UTC), args.collision_threshold)
    limit = None if args.output == "json" else TEXT_LIMIT  # JSON lists every collision
    mine = (c for c in found if job_id in c.jobs)
    return replace(query, collisions=collision_warnings(mine, limit=limit, threshold=args.collision_threshold))


def _notes(query: Query, after: datetime, fires: list[datetime]) -> list[engine.DstNote]:
    """The DST notes of the listed fires, a fall-back hour included when only its first part is listed."""
    horizon = fires[-1] + timedelta(minutes=1) if fires else after
    notes = engine.dst_notes(query.schedule, query.timezone, after, horizon)
    if fires:  # the clocks go back up to _MAX_SHIFT after a fire in the repeated hour
        last = fires[-1].replace(tzinfo=None)
        later = engine.dst_notes(query.schedule, query.timezone, horizon, horizon + _MAX_SHIFT)
        notes += [n for n in later if n.kind == "overlap" and n.at <= last]
    return notes


def _passed(query: Query, after: datetime, now: bool) -> str:
    """Why a one-shot lists no fire: its time has passed (or is before --after, or outside the job's window)."""
    expression = query.schedule.expressions[0].expression
    at = query.schedule.at
    fire = engine.localize(at, engine.zone(query.timezone)) if at is not None else None
    if fire is not None and fire <= after:
        return f"one-shot time {expression} has passed; not created" if now else f"{expression} is not after --after"
    return f"one-shot time {expression} is outside the job's start_at/end_at; it never fires"


_MAX_SHIFT = timedelta(hours=2)  # the largest DST shift in the tz database (Antarctica/Troll)
_LAST_YEAR_NOTE = f"EventBridge Scheduler fires nothing after the year {engine.LAST_YEAR}"


def _also(warning: str, more: str) -> str:
    return f"{warning}; {more}" if warning else more


def _zoned(value: datetime | None, timezone: str) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=engine.zone(timezone))  # naive start_at/end_at are job-local


def _after(text: str | None, timezone: str) -> datetime:
    if text is None:
        return datetime.now(UTC).astimezone(engine.zone(timezone))  # the clock is read here, at the edge
    try:
        value = datetime.fromisoformat(text)
        value = _zoned(value, timezone) or value
        value.astimezone(UTC)  # the engine works in UTC: the year 1 or 9999 in a zone may not fit
    except ValueError:
        raise UsageError(f"--after {text!r} is not an ISO-8601 time (e.g. 2027-03-27T00:00)") from None
    except OverflowError:
        raise UsageError(f"--after {text!r} is out of range; use a time between the years 1 and 9999") from None
    return value


def _json(query: Query, after: datetime, fires: list[datetime], notes: list[engine.DstNote]) -> dict[str, object]:
    return {
        "schedule": query.schedule.text,
        "timezone": query.timezone,
        "expressions": [{"expression": e.expression, "suffix": e.suffix} for e in query.schedule.eventbridge()],
        "after": after.isoformat(),
        "fires": [t.isoformat() for t in fires],
        "notes": [{"at": n.at.isoformat(), "kind": n.kind, "message": n.message} for n in notes],
        "warnings": ([query.warning] if query.warning else []) + list(query.collisions),
    }


def _text(query: Query, fires: list[datetime], notes: list[engine.DstNote]) -> str:
    expressions = ", ".join(e.expression for e in query.schedule.eventbridge())
    lines = [f"schedule:    {query.schedule.text}  ({query.timezone})", f"eventbridge: {expressions}"]
    if query.warning:
        lines.append(f"warning:     {query.warning}")
    lines += [f"warning:     {text}" for text in query.collisions]
    lines.append("next fires:" if fires else "next fires:  none")
    lines += [f"  {t.isoformat()}" for t in fires]
    if notes:
        lines.append("dst notes:")
        lines += [f"  - {n.message}" for n in notes]
    return "\n".join(lines)
