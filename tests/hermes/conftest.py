"""A hermes home with our plugin installed, set up BEFORE any hermes module is imported
(hermes freezes its store paths at import)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

HOME = Path(tempfile.mkdtemp(prefix="hermes-e2e-"))
os.environ["HERMES_HOME"] = str(HOME)
os.environ["HERMES_TIMEZONE"] = "Europe/Berlin"
os.environ.pop("HERMES_DESKTOP", None)  # keep hermes's in-app ticker off
for key, value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}.items():
    os.environ[key] = value


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def hermes_web_server(log_name: str) -> Iterator[str]:
    """hermes's real web app (``hermes_cli.web_server``) under uvicorn on 127.0.0.1; yields its base URL."""
    port = free_port()
    with open(HOME / log_name, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "hermes_cli.web_server:app", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/api/status", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        try:
            yield base
        finally:
            server.terminate()
            server.wait(10)
