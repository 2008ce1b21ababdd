"""The load a jobs file puts on its target: collision warnings, and fires by minute of the day.

Pure. ``plan``, ``next`` and ``simulate`` warn about the same thing: a minute in the next
24 hours in which many jobs fire together. The warning names the minute and the jobs, and
says what spreads them: ``jitter`` for cron jobs, ``phase`` for every/rate jobs (which
already get a phase of their own unless they set ``phase: 0``).

The day heatmap folds a simulation's fires onto one day (UTC), hour against minute, so a
herd shows as a hot cell: 24 rows, 60 columns, each the fires of that minute summed over
every day of the window.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from cron_adapter.jobs.model import JobSet
from cron_adapter.simulate.model import Collision, SimOptions, Simulation
from cron_adapter.simulate.simulator import collisions, simulate

DEFAULT_THRESHOLD = 5
MAX_JOBS = 20_000  # above this, plan and next leave the check to simulate
HORIZON = timedelta(hours=24)
NEXT_DAY = "the next 24 h"
TEXT_LIMIT = 5  # collision lines the text output shows; JSON lists every one
GROUP_ALL_FIRES = 1_000_000  # above this, the text form groups only the worst collision minutes
_SHADES = " .:-=+*#%@"


def upcoming_collisions(
    jobset: JobSet, now: datetime, threshold: int = DEFAULT_THRESHOLD, *, phases: bool = True
) -> tuple[Collision, ...]:
    """Minutes of the next 24 hours in which at least ``threshold`` jobs fire together, in time order.

    Skipped (empty) for stores over ``MAX_JOBS``: a day of 100,000 jobs is run by ``simulate``.
    """
    if len(jobset.jobs) > MAX_JOBS:
        return ()
    window = now.replace(second=0, microsecond=0)
    opts = SimOptions(window, window + HORIZON, collision_threshold=threshold, phases=phases)
    sim = simulate(jobset, opts)
    found = collisions(sim, limit=None)
    return tuple(sorted((c for c in found if len(c.jobs) >= threshold), key=lambda c: c.minute))


def collision_warnings(
    jobs: Iterable[Collision],
    span: str = NEXT_DAY,
    limit: int | None = None,
    threshold: int | None = None,
    minutes: int | None = None,
) -> tuple[str, ...]:
    """One line per group of jobs that collide: the jobs, how often, the first minute, and the fix.

    ``span`` names the window (``the next 24 h``, or a simulated one). With ``limit``, the text
    form: the ``limit`` worst groups, then one line counting the minutes of the rest; ``minutes``
    is how many collide in all when ``jobs`` holds only the worst of them.
    """
    groups: dict[tuple[str, ...], list[Collision]] = {}
    for collision in jobs:
        groups.setdefault(tuple(sorted(collision.jobs)), []).append(collision)
    shown = list(groups.items())
    if limit is not None and len(shown) > limit:
        shown = sorted(shown, key=lambda g: (-max(c.count for c in g[1]), min(c.minute for c in g[1])))[:limit]
    lines = [_group_line(names, found, span) for names, found in shown]
    every = minutes if minutes is not None else sum(len(found) for found in groups.values())
    rest = every - sum(len(found) for _, found in shown)
    if rest > 0:
        over = f" ({threshold} or more fires)" if threshold else ""
        lines.append(
            f"... and {rest:,} more minutes of {span} over the collision threshold{over}; --output json lists every one"
        )
    return tuple(lines)


def _group_line(names: tuple[str, ...], found: list[Collision], span: str) -> str:
    shown = ", ".join(repr(j) for j in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    times = f"{len(found):,} minutes of {span}" if len(found) > 1 else f"one minute of {span}"
    first = min(c.minute for c in found)
    return (
        f"{len(names)} jobs ({shown}) fire together in {times}, first at {first:%Y-%m-%dT%H:%MZ}: "
        "spread them with jitter (cron jobs) or phase (every/rate jobs)"
    )


def window_warnings(
    sim: Simulation, limit: int | None, progress: Callable[[int, int], None] | None = None
) -> tuple[str, ...]:
    """The collision warnings of a simulated window; ``limit`` bounds the text form.

    Grouping every colliding minute by its jobs reads every fire (``progress`` after each job);
    the text form of a large run shows the worst minutes the simulation already found, and
    counts the others.
    """
    k, span = sim.options.collision_threshold, window_span(sim.options.start, sim.options.end)
    if limit is not None and sum(r.fires for r in sim.runs) > GROUP_ALL_FIRES:
        every = sum(1 for n in sim.per_minute.values() if n >= k)
        return collision_warnings((c for c in sim.collisions if len(c.jobs) >= k), span, limit, k, every)
    found = collisions(sim, limit=None, progress=progress)
    return collision_warnings((c for c in found if len(c.jobs) >= k), span, limit, k)


def window_span(start: datetime, end: datetime) -> str:
    """How a collision warning names a simulated window."""
    return f"the window {start:%Y-%m-%dT%H:%MZ} to {end:%Y-%m-%dT%H:%MZ}"


def day_matrix(sim: Simulation) -> list[list[int]]:
    """Fires per minute of the day (UTC): 24 rows of 60, summed over the window's days."""
    rows = [[0] * 60 for _ in range(24)]
    folded: Counter[int] = Counter()
    for minute, count in sim.per_minute.items():
        folded[minute % 1440] += count
    for minute_of_day, count in folded.items():
        rows[minute_of_day // 60][minute_of_day % 60] = count
    return rows


def hot_minutes(sim: Simulation) -> frozenset[int]:
    """Minutes of the day (0..1439, UTC) in which some day of the window had a collision."""
    k = sim.options.collision_threshold
    return frozenset(m % 1440 for m, n in sim.per_minute.items() if n >= k)


def peak(matrix: list[list[int]]) -> int:
    """The largest cell of a day matrix."""
    return max((max(row) for row in matrix), default=0)


def heatmap_text(matrix: list[list[int]], hot: frozenset[int] = frozenset(), threshold: int = 0) -> str:
    """The matrix as text: one row per hour, one character per minute, ``!`` where a minute collides."""
    top = peak(matrix)
    lines = ["      " + "".join(f"{m:<10d}" for m in range(0, 60, 10)).rstrip()]
    for hour, row in enumerate(matrix):
        cells = "".join("!" if hour * 60 + m in hot else _shade(n, top) for m, n in enumerate(row))
        lines.append(f"{hour:02d}h   {cells}")
    legend = f"fires per minute of the day (UTC), summed over the window: ' ' none .. '@' {top}"
    if hot:
        legend += f"; '!' a minute with >= {threshold} fires on some day"
    return "\n".join([*lines, legend])


def _shade(count: int, top: int) -> str:
    if count == 0 or top == 0:
        return " "
    return _SHADES[max(1, round(count / top * (len(_SHADES) - 1)))]
