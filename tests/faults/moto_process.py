"""The embedded emulator in a child process, for the load test.

In-process, the emulator's moto server and the fire handlers under load share one
interpreter and so one core. As on AWS, where DynamoDB is not the Lambda's CPU, the load
test runs the emulator (the same ``Emulator``, writes serialized as there) in a child on
127.0.0.1 and points this process's AWS environment at it. The child exits when its stdin
closes, and is killed after a bounded wait.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from cron_adapter.local.emulator import aws_env

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import json, sys
from cron_adapter.local.emulator import Emulator, dev_input_key
emulator = Emulator()
resources = emulator.start()
print(json.dumps({"endpoint": resources.endpoint, "env": resources.handler_env(), "input_key": dev_input_key()}))
sys.stdout.flush()
sys.stdin.read()
emulator.stop()
"""


@contextmanager
def emulator_process(monkeypatch: pytest.MonkeyPatch, start_timeout: float = 60) -> Iterator[dict[str, Any]]:
    """Start the child; yield what it provisioned (``endpoint``, ``env``, ``input_key``)."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        line = child.stdout.readline()  # the child prints one line once it is provisioned
        if not line:
            raise RuntimeError(f"the emulator child exited ({child.wait(start_timeout)}) before it was ready")
        ready = json.loads(line)
        for name, value in {**aws_env(ready["endpoint"]), **ready["env"]}.items():
            monkeypatch.setenv(name, value)
        yield ready
    finally:
        if child.stdin:
            child.stdin.close()
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(10)
