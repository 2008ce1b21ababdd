"""Many threads parsing their first fire inputs at once (what `dev`'s delivery pool does) never crash.

msgspec builds a Struct's type information on first use; unguarded, 16 threads racing it
crashed about one fresh interpreter in 15 with SIGSEGV. Each run is a fresh interpreter.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
RACE = """
import json, threading
from cron_adapter.fire.input import parse_input
event = {"v": 1, "job_id": "a", "scheduled_time": "2026-12-02T00:00:00Z", "attempt": "1", "schedule": "s",
         "spec_hash": "h", "job": {"target": {"url": "http://127.0.0.1:1/x", "headers": {"a": "b"}}}}
barrier = threading.Barrier(16)
def parse():
    barrier.wait()
    for _ in range(100):
        assert parse_input(json.loads(json.dumps(event))).job_id == "a"
threads = [threading.Thread(target=parse) for _ in range(16)]
for t in threads: t.start()
for t in threads: t.join()
print("ok")
"""


def test_first_parses_racing_in_sixteen_threads_do_not_crash_the_interpreter() -> None:
    for _ in range(20):
        done = subprocess.run([sys.executable, "-c", RACE], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr[-2000:]
