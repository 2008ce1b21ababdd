"""A 100,000-job store: cold import across Lambda-sized runs at 50 TPS, no-ops, a one-job change.

    .venv/bin/python bench/bench_store.py [--jobs 100000] [--tps 50] [--run-seconds 900]

The scheduler is the tests' in-memory fake holding every call to --tps per operation on a
virtual clock (tests/fakes/reconcile.py QuotaScheduler): quota time passes without real
waiting, so a 100k import that takes EventBridge over half an hour is measured in
minutes. The ledger is the in-memory fake; its item writes and BatchWriteItem calls are
counted. Each "Lambda run" gets --run-seconds of virtual time and is invoked again while
it reports partial, as Lambda's asynchronous retry does. "wall" is real time on this
machine (translation and planning); "virtual" is quota time. Measures and prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cron_adapter.jobs.loader import load_bytes  # noqa: E402
from cron_adapter.reconcile.service import Options, Reconciler  # noqa: E402
from cron_adapter.reconcile.translate import Wiring, translate_all  # noqa: E402
from tests.fakes.reconcile import FakeLedger, QuotaScheduler, VirtualClock  # noqa: E402

WIRING = Wiring("bench", "arn:aws:lambda:us-east-1:123456789012:function:fire", "arn:aws:iam::123456789012:role/s")
WRITES = ("create", "update", "delete")


def jobs_doc(n: int, changed: int | None = None) -> bytes:
    jobs = [
        {"id": f"job-{i:06d}", "schedule": f"every {5 + i % 50}m", "target": {"path": f"/run/{i}"}} for i in range(n)
    ]
    if changed is not None:
        jobs[changed]["schedule"] = "daily 04:15"
    return json.dumps(
        {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": jobs}
    ).encode()


class Store:
    """The fake scheduler and ledger, the virtual clock, and one reconcile run at a time."""

    def __init__(self, tps: float) -> None:
        self.clock = VirtualClock()
        self.scheduler, self.ledger = QuotaScheduler(self.clock, tps), FakeLedger()

    def run(self, jobset: Any, *, upload: bool, seconds: float | None = None) -> Any:
        deadline = None if seconds is None else self.clock.now + seconds
        remaining = None if deadline is None else (lambda: deadline - self.clock.now)
        options = Options(workers=8, from_ledger=upload)
        reconciler = Reconciler(
            self.scheduler, self.ledger, WIRING, clock=self.clock.datetime, remaining=remaining, options=options
        )
        return reconciler.run(lambda: jobset)

    def phase(self, title: str, fn: Any) -> dict[str, Any]:
        self.scheduler.calls.clear()
        writes, batches, virtual = self.ledger.writes, self.ledger.batches, self.clock.now
        start = time.perf_counter()
        out = fn()
        fig = {
            "wall": time.perf_counter() - start,
            "virtual": self.clock.now - virtual,
            "calls": dict(self.scheduler.calls),
            "ledger_items": self.ledger.writes - writes,
            "ledger_batches": self.ledger.batches - batches,
            "out": out,
        }
        calls = ", ".join(f"{k} {v}" for k, v in sorted(fig["calls"].items())) or "none"
        print(
            f"{title:<36} wall {fig['wall']:7.1f} s  virtual {fig['virtual']:8.1f} s  scheduler calls "
            f"{sum(fig['calls'].values()):7d} ({calls}); ledger items {fig['ledger_items']}, "
            f"batch calls {fig['ledger_batches']}"
        )
        return fig


def cold(store: Store, jobset: Any, seconds: float) -> list[tuple[str, float, float]]:
    """Lambda-sized runs until one is not partial: (status, virtual end, deadline) per run."""
    runs = []
    for _ in range(100):
        deadline = store.clock.now + seconds
        result = store.run(jobset, upload=True, seconds=seconds)
        runs.append((result.status, store.clock.now, deadline))
        if result.status != "partial":
            break
        store.clock.now += 1.0
    return runs


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--tps", type=float, default=50.0)
    parser.add_argument("--run-seconds", type=float, default=900.0, help="virtual seconds per Lambda run")
    args = parser.parse_args()
    n, store = args.jobs, Store(args.tps)
    base, changed = load_bytes(jobs_doc(n)), load_bytes(jobs_doc(n, changed=n // 2))
    wanted = {r.name for r in translate_all(base, WIRING)}
    print(f"store benchmark: {n:,} jobs, fake scheduler at {args.tps:g} TPS per operation (virtual clock)\n")
    c = store.phase(f"cold import, {args.run_seconds:g} s runs", lambda: cold(store, base, args.run_seconds))
    written = sum(c["calls"].get(k, 0) for k in ("create", "update"))
    lost = len(wanted - set(store.scheduler.items))
    extra = len(set(store.scheduler.items) - wanted)
    unconfirmed = sum(e.last_modified is None for e in store.ledger.rows.values())
    up = store.phase("no-op upload (ledger plan)", lambda: store.run(base, upload=True))
    dr = store.phase("no-op drift repair (full list)", lambda: store.run(base, upload=False))
    one = store.phase("one-job change upload", lambda: store.run(changed, upload=True))
    runs = c["out"]
    print()
    ok_runs = runs[-1][0] == "applied" and all(end <= deadline for _, end, deadline in runs)
    print(
        f"cold import runs        {len(runs):6d}    all before their deadline, last applied   {verdict(ok_runs)}"
        f"   ({c['virtual'] / 60:.1f} virtual min; {n / c['virtual']:.1f} creates/s vs {args.tps:g} TPS)"
    )
    intact = lost == 0 and extra == 0 and written == len(wanted) and unconfirmed == 0
    print(
        f"lost / extra / rewrites {lost:3d} / {extra} / {written - len(wanted)}   goal 0 / 0 / 0"
        f"                      {verdict(intact)}   ({unconfirmed} unconfirmed ledger entries)"
    )
    per = c["ledger_items"] / max(1, len(wanted))
    print(
        f"ledger per created      {per:6.2f} items, {c['ledger_batches'] / max(1, len(wanted)):.3f} calls"
        f"   goal: batched (< 0.1 calls)            {verdict(c['ledger_batches'] / max(1, len(wanted)) < 0.1)}"
    )
    for title, fig in (("no-op upload", up), ("no-op drift repair", dr)):
        writes = sum(fig["calls"].get(k, 0) for k in WRITES) + fig["ledger_items"]
        print(
            f"{title:<23} {sum(fig['calls'].values()):6d} scheduler calls, {writes} writes, {fig['wall']:.1f} s wall "
            f"+ {fig['virtual']:.1f} s quota   goal: 0 writes  {verdict(writes == 0)}"
        )
    one_calls = sum(one["calls"].values())
    print(
        f"one-job change          {one_calls:6d} scheduler calls ({one['calls']})   goal: O(changes), "
        f"no ListSchedules   {verdict(one_calls <= 3 and 'list' not in one['calls'])}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
