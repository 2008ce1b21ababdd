"""Render a :class:`~cron_adapter.simulate.model.Simulation` as JSON-ready data or as text. Pure."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import islice
from typing import Any

from cron_adapter.simulate.model import JobRun, Simulation

ISO = "%Y-%m-%dT%H:%M:%SZ"


def _iso(value: Any) -> str:
    return value.strftime(ISO)


class _Stamps:
    """Epoch seconds -> ISO text, memoized: a month of fires shares few distinct seconds."""

    def __init__(self) -> None:
        self._cache: dict[float, str] = {}

    def __call__(self, epoch: float) -> str:
        text = self._cache.get(epoch)
        if text is None:
            text = self._cache[epoch] = datetime.fromtimestamp(int(epoch), UTC).strftime(ISO)
        return text


def _job(sim: Simulation, run: JobRun, dominant: set[str]) -> dict[str, Any]:
    cost = sim.costs[run.job.id]
    total = sim.total.total
    return {
        "id": run.job.id,
        "schedule": run.job.schedule,
        "timezone": run.job.timezone,
        "enabled": run.job.enabled,
        "jitter_minutes": run.job.jitter,
        "fires": run.fires,
        "target_calls": run.fires * run.calls_per_fire,
        "failing": run.failing,
        "failed_fires": run.fires if run.failing else 0,
        "accepted_fires": run.fires if run.accepting else 0,
        "invocations_per_month": round(cost.invocations, 1),
        "cost_per_month": round(cost.total, 6),
        "cost_share": round(cost.total / total, 4) if total else 0.0,
        "dominates_cost": run.job.id in dominant,
        "capped": run.capped,
    }


def to_dict(sim: Simulation, max_fires: int | None = None) -> dict[str, Any]:
    """Everything, JSON-ready; ``max_fires`` bounds the listed fires (None: all)."""
    opts = sim.options
    dominant = set(sim.dominant())
    fires = _fires(sim, max_fires)
    return {
        "from": _iso(opts.start),
        "to": _iso(opts.end),
        "hours": round(opts.hours, 3),
        "totals": _totals(sim),
        "jobs": [_job(sim, r, dominant) for r in sim.runs],
        "dst": [
            {"job_id": r.job.id, "day": n.at.date().isoformat(), "kind": n.kind, "message": n.message}
            for r in sim.runs
            for n in r.dst
        ],
        "collisions": _collisions(sim),
        "quota": _quota(sim),
        "cost": _cost(sim, dominant),
        "fires": fires,
        "fires_listed": len(fires),
    }


def _fires(sim: Simulation, max_fires: int | None) -> list[dict[str, Any]]:
    stamp = _Stamps()
    return [
        {"at": stamp(at), "job_id": job, "scheduled": stamp(sched), "attempt": attempt, "outcome": outcome}
        for at, job, sched, attempt, outcome in islice(sim.fire_rows(), max_fires)
    ]


def _totals(sim: Simulation) -> dict[str, int]:
    return {
        "fires": sum(r.fires for r in sim.runs),
        "target_calls": sum(r.fires * r.calls_per_fire for r in sim.runs),
        "failed_fires": sum(r.fires for r in sim.runs if r.failing),
        "accepted_fires": sum(r.fires for r in sim.runs if r.accepting),
    }


def _collisions(sim: Simulation) -> dict[str, Any]:
    k = sim.options.collision_threshold
    return {
        "threshold": k,
        "minutes": sum(1 for n in sim.per_minute.values() if n >= k),
        "worst": [{"minute": _iso(c.minute), "fires": c.count, "jobs": list(c.jobs)} for c in sim.collisions],
    }


def _quota(sim: Simulation) -> dict[str, Any]:
    peak_at, peak = sim.peak
    quota = sim.options.pricing.invocations_per_second_quota
    return {
        "peak_fires_per_minute": peak,
        "peak_minute": _iso(peak_at) if peak_at else None,
        "invocations_per_second_quota": quota,
        # Exact schedules all fire at the top of their minute: assume the peak lands in one second.
        "worst_case_share_of_quota": round(peak / quota, 6),
    }


def _cost(sim: Simulation, dominant: set[str]) -> dict[str, Any]:
    fn, pricing = sim.options.fn, sim.options.pricing
    return {
        "assumptions": {
            "hours_per_month": 730,
            "lambda_memory_mb": fn.memory_mb,
            "lambda_arch": fn.arch,
            "lambda_ms_per_call": fn.duration_ms,
            "dynamodb_writes_per_fire": {
                "overlap allow": pricing.writes_no_state,
                "overlap skip": pricing.writes_slot,
                "overlap queue or max_runs": pricing.writes_transaction,
            },
            "scheduler_free_invocations_per_month": pricing.scheduler_free_invocations,
            "log_bytes_per_fire": pricing.log_bytes_per_fire,
        },
        "per_month": sim.total.to_dict(),
        "dominant_jobs": sorted(dominant),
    }


def _money(value: float) -> str:
    return f"${value:,.4f}"


def to_text(sim: Simulation, source: str, max_fires: int | None = 50) -> str:
    """The human report."""
    data = to_dict(sim, max_fires)
    lines = [f"simulated {source} from {data['from']} to {data['to']} ({data['hours'] / 24:g} days)", ""]
    lines.append(
        f"{'job':<24} {'schedule':<22} {'timezone':<18} {'fires':>7} {'calls':>7} {'$/month':>10} {'share':>6}"
    )
    for j in data["jobs"]:
        if not j["enabled"]:
            lines.append(f"{j['id']:<24} {j['schedule']:<22} {j['timezone']:<18} {'paused':>7}")
            continue
        flag = "  <- dominates cost" if j["dominates_cost"] else ""
        flag += "  (target fails: every retry counted)" if j["failing"] else ""
        flag += "  (asynchronous target: runs recorded accepted)" if j["accepted_fires"] else ""
        lines.append(
            f"{j['id']:<24} {j['schedule']:<22} {j['timezone']:<18} {j['fires']:>7} {j['target_calls']:>7} "
            f"{_money(j['cost_per_month']):>10} {j['cost_share']:>6.0%}{flag}"
        )
    lines += ["", "DST days:" if data["dst"] else "DST days: none that change a fire"]
    lines += [f"  {d['day']}  {d['job_id']}: {d['message']}" for d in data["dst"]]
    col = data["collisions"]
    lines += ["", f"collisions (minutes with >= {col['threshold']} fires): {col['minutes']}"]
    lines += [f"  {c['minute']}  {c['fires']} fires: {', '.join(c['jobs'])}" for c in col["worst"][:10]]
    q = data["quota"]
    lines += [
        "",
        f"peak: {q['peak_fires_per_minute']} fires in one minute ({q['peak_minute']}); even in one second that is "
        f"{q['worst_case_share_of_quota']:.2%} of the {q['invocations_per_second_quota']:,}/s invocation quota",
    ]
    lines += _cost_lines(data["cost"])
    lines += [
        "",
        f"fires (first {data['fires_listed']} of {data['totals']['target_calls']} target calls; --fires N for more):",
    ]
    lines += [
        f"  {f['at']}  {f['job_id']:<24} scheduled {f['scheduled']}  attempt {f['attempt']}  {f['outcome']}"
        for f in data["fires"]
    ]
    return "\n".join(lines)


def _cost_lines(cost: dict[str, Any]) -> list[str]:
    a, m = cost["assumptions"], cost["per_month"]
    free = f"invocations ({a['scheduler_free_invocations_per_month'] / 1e6:g}M free)"
    rows = [
        ("EventBridge Scheduler", m["invocations"], free, m["scheduler"]),
        ("Lambda requests", m["invocations"], "requests", m["lambda_requests"]),
        ("Lambda compute", m["billed_seconds"], "seconds billed", m["lambda_compute"]),
        ("DynamoDB writes", m["write_units"], "write units", m["dynamodb"]),
        ("CloudWatch Logs", m["log_bytes"] / 1e6, f"MB logged ({a['log_bytes_per_fire']:,} B/fire)", m["logs"]),
    ]
    lines = [
        "",
        f"cost per month (730 h, list price; Lambda {a['lambda_arch']} {a['lambda_memory_mb']} MB, "
        f"{a['lambda_ms_per_call']:g} ms per call):",
    ]
    lines += [f"  {label:<22} {qty:>14,.0f} {unit:<27} {_money(usd):>10}" for label, qty, unit, usd in rows]
    lines.append(f"  {'total':<22} {'':>14} {'':<27} {_money(m['total']):>10}")
    if cost["dominant_jobs"]:
        lines.append(f"  dominated by: {', '.join(cost['dominant_jobs'])}")
    return lines
