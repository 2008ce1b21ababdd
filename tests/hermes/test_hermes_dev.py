"""`cron-adapter dev --hermes URL` driving the real hermes-agent 0.19.0 web app.

hermes's own store (made with its ``create_job``) is the dev session's jobs file; the session
fires with tokens signed by a key from a file, and hermes's real ``/api/cron/fire`` (uvicorn
on 127.0.0.1) verifies them with its chronos verifier and runs the ``no_agent`` job.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cron_adapter.fire.jwt import Es256Signer
from cron_adapter.hermes import install
from cron_adapter.local.options import DevOptions
from cron_adapter.local.session import DevSession
from tests.hermes.conftest import HOME, hermes_web_server

AUDIENCE, ISSUER = "agent:dev-e2e", ""  # no iss: hermes skips the check for portal_url ""
KEY = "dev-e2e-fire-token-key-" + "d" * 40


@pytest.fixture(scope="module")
def hermes_web() -> Iterator[str]:
    config = install.PluginConfig(
        "cron_adapter", "unused-bucket", "jobs.json", "us-east-1", AUDIENCE, ISSUER,
        Es256Signer.from_secret(KEY).public_pem(),
    )  # fmt: skip
    (HOME / "config.yaml").write_text("timezone: Europe/Berlin\n" + config.yaml())
    scripts = HOME / "scripts"
    scripts.mkdir(parents=True, exist_ok=True)
    (scripts / "hello.py").write_text("print('hello from a no_agent job')\n")
    with hermes_web_server("uvicorn-dev.log") as base:
        yield base


def test_dev_fires_reach_the_real_hermes_which_verifies_them_and_runs_the_job(hermes_web: str, tmp_path: Path) -> None:
    from cron.jobs import create_job, get_job

    job = create_job(prompt=None, schedule="every 1m", name="dev-fired", script="hello.py", no_agent=True)
    key_file = tmp_path / "fire-key.txt"
    key_file.write_text(KEY + "\n")
    session = DevSession(
        DevOptions(
            HOME / "cron" / "jobs.json", speed=30.0, duration=10.0, quiet=True, log_file=tmp_path / "dev.log",
            format="hermes", timezone="Europe/Berlin", base_url=hermes_web, local_target=False,
            jwt_key=key_file.read_text().strip(), jwt_audience=AUDIENCE, jwt_issuer=ISSUER, hermes=hermes_web,
        )
    )  # fmt: skip
    try:
        session.start()
        runner = threading.Thread(target=session.run, name="dev-hermes")
        runner.start()
        runner.join(40)
        assert not runner.is_alive()
        session.bridge.drain(20)  # type: ignore[union-attr]
        summary: dict[str, Any] = session.summary()
    finally:
        session.close()
    runs = summary["runs_by_job"].get(job["id"], {})
    assert runs.get("accepted", 0) >= 1 and "failed" not in runs, summary  # hermes took our tokens
    for _ in range(300):
        ran = get_job(job["id"])
        if ran and ran.get("last_status"):
            break
        time.sleep(0.1)
    assert ran is not None and ran["last_status"] == "ok"
