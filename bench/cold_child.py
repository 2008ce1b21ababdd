"""A fresh interpreter of bench/bench_coldstart.py: times ``import boto3``, or the fire handler's import and first fire.

Nothing but ``time`` is imported before the clock starts, so each figure holds every module
its import pulls in. ``python bench/cold_child.py boto3|handler``; the handler's event is in
BENCH_EVENT. Prints ``BENCH <import wall ms> <import CPU ms> <total wall ms> <total CPU ms> <AWS operations>``.
"""

import time

WALL, CPU = time.perf_counter(), time.process_time()


class _Context:
    function_name, memory_limit_in_mb = "cron-adapter-fire", 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:cron-adapter-fire"
    aws_request_id = "bench-cold"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def _print(figures: tuple[float, ...], ops: str) -> None:
    print("BENCH", *(f"{(x - y) * 1000:.2f}" for x, y in zip(figures, (WALL, CPU) * 2, strict=True)), ops, flush=True)


def boto3_only() -> None:
    """Time ``import boto3``; its total is its import."""
    import boto3  # noqa: F401

    done = (time.perf_counter(), time.process_time())
    _print(done * 2, "-")


def handler() -> None:
    """Time ``import handlers.fire``, then its first invocation with the event in BENCH_EVENT."""
    import handlers.fire as fire_handler

    imported = (time.perf_counter(), time.process_time())
    import json
    import os

    import boto3  # already imported by the handler: only the counting hook is added here

    ops: list[str] = []
    boto3.setup_default_session()
    boto3.DEFAULT_SESSION.events.register("before-call", lambda model, **_: ops.append(model.name))
    out = fire_handler.handler(json.loads(os.environ["BENCH_EVENT"]), _Context())
    done = (time.perf_counter(), time.process_time())
    if out.get("status") != "succeeded":
        raise SystemExit(f"the handler's fire did not succeed: {out}")
    _print(imported + done, ",".join(ops))


if __name__ == "__main__":
    import sys

    boto3_only() if sys.argv[1] == "boto3" else handler()
