"""Fire path benchmark: AWS calls per warm fire, handler overhead, duplicate race (cold start: bench_coldstart.py).

Run: .venv/bin/python bench/bench_fire.py [--invocations N] [--trials T]

1. AWS calls per warm fire: the real handler with real botocore clients whose HTTP is answered
   in-process (a botocore ``before-send`` hook), counted per service. Goal: <= 4 DynamoDB (skip), 0 SM.
2. Cold start: measured by bench/bench_coldstart.py (the handler's import and first invocation
   against ``import boto3`` and against a floor script, in fresh interpreters).
3. p50/p99 handler overhead, target excluded (an instant in-process transport), AWS answered by
   the same in-process fake. Goal: p50 < 10 ms.
4. A race of 64 duplicate deliveries per trial on moto DynamoDB (writes serialised, see
   a known moto limitation), T trials, counting target calls. Goal: exactly one per trial.

It measures and prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = sys.stdout
SECRET = "bench-secret-" + "b" * 40
ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "CRON_ADAPTER_TABLE": "bench-table",
    "CRON_ADAPTER_SECRET_ID": "bench/secret",
    "CRON_ADAPTER_INPUT_KEY_ID": "bench/input-key",  # FakeAWS answers it with SECRET too
    "CRON_ADAPTER_HMAC": "true",
    "CRON_ADAPTER_ALLOW_HTTP_LOOPBACK": "true",  # the instant target is 127.0.0.1: a fire that succeeds
}


def say(text: str) -> None:
    print(text, file=OUT, flush=True)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any):
        yield self._body


class FakeAWS:
    """Answers every AWS request in-process (before-send) and counts them by service."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def __call__(self, request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        service = "secretsmanager" if "secretsmanager" in target else "dynamodb" if "DynamoDB" in target else "other"
        self.calls[service] += 1
        body = json.dumps({"Name": "bench/secret", "SecretString": SECRET} if service == "secretsmanager" else {})
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": str(uuid.uuid4())}
        return AWSResponse(request.url, 200, headers, _Raw(body.encode()))


class Context:
    function_name, memory_limit_in_mb = "cron-adapter-fire", 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:cron-adapter-fire"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def instant_target(request: Any, timeout: float) -> Any:
    from cron_adapter.adapters.target import TransportResponse

    return TransportResponse(200, {}, b'{"ok":true}')


# The events are deliveries of the last day, a second apart (so any --invocations fits): the
# handler refuses a scheduled time far from now (cron_adapter/fire/time_window.py).
EVENT_T0 = int(time.time()) // 60 * 60 - 20 * 3600


def event(i: int) -> dict[str, Any]:
    e = json.loads((ROOT / "events" / "fire.json").read_text())
    e["job"]["target"]["url"] = "https://127.0.0.1:8443/hook"  # IP literal: no DNS in the measurement
    e["scheduled_time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(EVENT_T0 + i))
    from cron_adapter.fire.inputsig import SIG_FIELD, InputKey

    return {**e, SIG_FIELD: InputKey(SECRET).sign(e)}  # signed as reconcile signs it; the handler verifies


def handler_with_fake_aws() -> tuple[Any, FakeAWS]:
    """The real handler module, its factory given the instant transport, AWS answered in-process."""
    os.environ.update(ENV)
    sys.stdout = io.StringIO() if os.environ.get("BENCH_KEEP_LOGS") else open(os.devnull, "w")  # noqa: SIM115
    import boto3

    import handlers.fire as fire_handler
    from cron_adapter.bootstrap.fire import FireFactory

    fake = FakeAWS()
    boto3.setup_default_session()
    boto3.DEFAULT_SESSION.events.register("before-send", fake)
    fire_handler.factory = FireFactory(transport=instant_target)
    return fire_handler, fake


def bench_calls(fire_handler: Any, fake: FakeAWS) -> None:
    fire_handler.handler(event(0), Context())
    cold = dict(fake.calls)
    fake.calls.clear()
    fire_handler.handler(event(1), Context())
    warm = dict(fake.calls)
    met = warm.get("dynamodb", 0) <= 4 and warm.get("secretsmanager", 0) == 0
    goal = "goal warm: dynamodb <= 4 for overlap skip, secretsmanager 0"
    say(f"1. AWS calls per fire: cold {cold}; warm {warm} ({goal}) {'MET' if met else 'MISSED'}")


def bench_overhead(fire_handler: Any, n: int) -> None:
    samples = []
    for i in range(n):
        e, ctx = event(10 + i), Context()
        t0 = time.perf_counter()
        fire_handler.handler(e, ctx)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    p50, p99 = statistics.median(samples), samples[int(0.99 * (len(samples) - 1))]
    say(
        f"3. handler overhead over {n} warm fires (target and AWS in-process): "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms (goal p50 < 10 ms)"
    )


def bench_race(trials: int, threads: int = 64) -> None:
    from cron_adapter.fire.ports import TargetResponse

    class Counting:
        def __init__(self) -> None:
            self.n, self.lock = 0, threading.Lock()

        def call(self, request: Any, timeout: float) -> Any:
            with self.lock:
                self.n += 1
            return TargetResponse(200)

    caller = Counting()
    per_trial, took = run_races(trials, threads, caller)
    say(
        f"4. race: {trials} trials x {threads} duplicate deliveries on moto DynamoDB: target calls per trial "
        f"{dict(sorted(per_trial.items()))}, total {caller.n} (goal: exactly 1 per trial) [{took:.1f} s]"
    )


def run_races(trials: int, threads: int, caller: Any, config: Any = None) -> tuple[Counter[int], float]:
    """``trials`` races of ``threads`` duplicate deliveries through the fire service on moto DynamoDB.

    Returns how many trials made how many target calls (``caller.n`` counts them), and the seconds taken.
    """
    from moto import mock_aws
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    from cron_adapter.adapters.claims import DynamoClaimStore
    from cron_adapter.bootstrap.fire import SystemClock
    from cron_adapter.constants import TABLE_DEFINITION
    from cron_adapter.fire.input import FireInput, parse_input
    from cron_adapter.fire.inputsig import unseal
    from cron_adapter.fire.ports import Secret
    from cron_adapter.fire.service import FireConfig, FireService

    lock = threading.RLock()  # both layers: moto's UpdateItem response copies the old item outside the backend
    for cls in (DynamoDBBackend, DynamoHandler):
        for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
            original = getattr(cls, name)
            setattr(cls, name, lambda self, *a, __o=original, **k: _locked(lock, __o, self, *a, **k))

    class Null:
        def get(self) -> Secret:
            return Secret(SECRET)

        def stop(self, *a: Any) -> None: ...

        def add_metric(self, **k: Any) -> None: ...

    with mock_aws():
        import boto3

        client = boto3.client("dynamodb", region_name="us-east-1")
        null = Null()
        per_trial: Counter[int] = Counter()
        start = time.perf_counter()
        for trial in range(trials):
            # A fresh table per trial: moto deep-copies a table on every transaction, so a growing
            # table would make late trials slow; the race is the same on any table.
            client.create_table(TableName=f"race-{trial}", **TABLE_DEFINITION)
            store = DynamoClaimStore(f"race-{trial}", client=client)
            svc = FireService(store, caller, null, SystemClock(), null, null, config=config or FireConfig())
            fire = parse_input(unseal(event(100_000 + trial))[0])  # the service itself: no signature to check
            before, barrier = caller.n, threading.Barrier(threads)

            def deliver(i: int, svc: Any = svc, fire: FireInput = fire, barrier: threading.Barrier = barrier) -> None:
                barrier.wait()
                svc.fire(fire, holder=f"d{i}", deadline=time.time() + 60)

            pool = [threading.Thread(target=deliver, args=(i,)) for i in range(threads)]
            for t in pool:
                t.start()
            for t in pool:
                t.join()
            per_trial[caller.n - before] += 1
    return per_trial, time.perf_counter() - start


def _locked(lock: threading.RLock, original: Any, self: Any, *args: Any, **kwargs: Any) -> Any:
    with lock:
        return original(self, *args, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invocations", type=int, default=2000)
    parser.add_argument("--trials", type=int, default=500)
    args = parser.parse_args()
    say(f"fire benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    fire_handler, fake = handler_with_fake_aws()
    bench_calls(fire_handler, fake)
    say("2. cold start: see bench/bench_coldstart.py")
    bench_overhead(fire_handler, args.invocations)
    bench_race(args.trials)


if __name__ == "__main__":
    main()
