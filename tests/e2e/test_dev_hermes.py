"""`cron-adapter dev --hermes URL`: the local loop driving a hermes-agent app with signed fires.

A hermes store (two every-minute jobs) runs at 60x against a loopback stand-in that verifies
every token as hermes's chronos verifier does (PyJWT, not our signer). The stand-in knows one
of the jobs: its fires are accepted (202, recorded ``accepted``), the other one's answer is
``gone``, which stops its schedule. A session with a key hermes does not know gets 401s,
recorded ``failed``. The CLI refuses ``--hermes`` without a key or an audience in one line.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from cron_adapter.cli import main
from cron_adapter.fire.jwt import Es256Signer
from cron_adapter.local.options import DevOptions
from cron_adapter.local.session import DevSession
from tests.e2e.hermes_standin import HermesStandIn

pytestmark = pytest.mark.e2e

AUDIENCE, ISSUER = "agent:dev", "https://cron.dev.test"
KEY = "dev-fire-token-key-" + "k" * 40
OTHER_KEY = "another-fire-token-key-" + "o" * 40
SECONDS = 10.0  # ~10 simulated minutes at 60x


def hermes_store(path: Path) -> Path:
    jobs = [
        {"id": "a1b2c3", "name": "digest", "schedule": {"kind": "cron", "expr": "* * * * *"}, "enabled": True},
        {"id": "d4e5f6", "name": "removed", "schedule": {"kind": "cron", "expr": "* * * * *"}, "enabled": True},
    ]
    path.write_text(json.dumps({"jobs": jobs}))
    return path


def run_session(tmp: Path, standin: HermesStandIn, key: str) -> dict[str, Any]:
    session = DevSession(
        DevOptions(
            hermes_store(tmp / "jobs.json"),
            speed=60.0,
            duration=SECONDS,
            quiet=True,
            log_file=tmp / "dev.log",
            format="hermes",
            timezone="Europe/Berlin",
            base_url=standin.url,
            local_target=False,
            jwt_key=key,
            jwt_audience=AUDIENCE,
            jwt_issuer=ISSUER,
            hermes=standin.url,
        )
    )
    try:
        session.start()
        runner = threading.Thread(target=session.run, name="dev-hermes")
        runner.start()
        runner.join(SECONDS + 20)
        assert not runner.is_alive()
        session.bridge.drain(10)  # type: ignore[union-attr]
        return session.summary()
    finally:
        session.close()


@pytest.fixture
def standin() -> Any:
    server = HermesStandIn(Es256Signer.from_secret(KEY).public_pem(), AUDIENCE, ISSUER, {"a1b2c3"}).start()
    yield server
    server.stop()


def test_dev_drives_a_hermes_app_with_fires_it_verifies_and_records_what_it_answers(
    standin: HermesStandIn, tmp_path: Path
) -> None:
    summary = run_session(tmp_path, standin, KEY)

    accepted = [f for f in standin.fires if f.status == 202]
    assert len(accepted) >= 2, standin.fires
    assert all(f.status in (200, 202) for f in standin.fires), [f.error for f in standin.fires]
    for fire in accepted:
        assert fire.claims is not None
        assert fire.claims["job_id"] == fire.job_id == "a1b2c3" and fire.claims["fire_at"] == fire.fire_at
        assert fire.claims["jti"] == f"a1b2c3:{fire.fire_at}" and fire.claims["iss"] == ISSUER
    assert max(Counter(f.fire_at for f in accepted).values()) == 1  # each scheduled time reaches hermes once
    gone = [f for f in standin.fires if f.status == 200]
    # Answered gone, its schedule is deleted; at 60x a minute is a second, so the next minute's
    # delivery may already be on its way when the delete lands. Then nothing more.
    assert {f.job_id for f in gone} == {"d4e5f6"} and 1 <= len(gone) <= 2
    runs = summary["runs_by_job"]
    assert runs["a1b2c3"] == {"accepted": len(accepted)}
    assert runs["d4e5f6"] == {"gone": len(gone)}
    assert summary["handler_errors"] == 0


def test_a_key_hermes_does_not_know_gets_401_recorded_as_failed(standin: HermesStandIn, tmp_path: Path) -> None:
    summary = run_session(tmp_path, standin, OTHER_KEY)

    assert standin.fires and {f.status for f in standin.fires} == {401}
    assert set(summary["runs_by_job"]["a1b2c3"]) == {"failed"}


def test_hermes_mode_without_a_key_or_audience_is_one_line_and_starts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CRON_ADAPTER_JWT_AUDIENCE", raising=False)
    store = hermes_store(tmp_path / "jobs.json")
    assert main(["dev", str(store), "--hermes", "http://127.0.0.1:9", "--duration", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --hermes needs --jwt-key-file and --jwt-audience") and err.count("\n") == 1
    short = tmp_path / "short.key"
    short.write_text("too-short")
    argv = ["dev", str(store), "--hermes", "http://127.0.0.1:9", "--jwt-key-file", str(short), "--jwt-audience", "a"]
    assert main([*argv, "--duration", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --jwt-key-file {short}: the fire-token secret must have at least")
    assert "too-short" not in err  # the key's value never appears
