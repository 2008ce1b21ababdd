"""`cron-adapter hermes install-plugin`: files, names, config keys (no hermes needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cron_adapter.cli import main
from cron_adapter.hermes import install as inst

PEM = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"


def test_install_copies_the_plugin_and_prints_the_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code = main(
        ["hermes", "install-plugin", "--hermes-home", str(tmp_path), "--bucket", "b", "--region", "eu-west-1",
         "--skip-boto3", "--output", "json"]
    )  # fmt: skip
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    plugin = tmp_path / "plugins" / "cron_adapter"
    assert report["plugin_dir"] == str(plugin)
    assert {p.name for p in plugin.iterdir()} == {"__init__.py", "pusher.py", "plugin.yaml"}
    # hermes only counts a directory whose __init__.py mentions CronScheduler in its first 8 KB
    assert "CronScheduler" in (plugin / "__init__.py").read_text()[:8192]
    assert 'provider: "cron_adapter"' in report["config_yaml"] and 'bucket: "b"' in report["config_yaml"]


@pytest.mark.parametrize("name", ["chronos", "builtin", "_hidden", ".dot", "a/b", ""])
def test_names_hermes_would_not_load_as_ours_are_refused(tmp_path: Path, name: str, capsys: pytest.CaptureFixture):
    assert main(["hermes", "install-plugin", "--hermes-home", str(tmp_path), "--name", name, "--skip-boto3"]) == 2
    assert "error: provider name" in capsys.readouterr().err
    assert not (tmp_path / "plugins").exists()


def test_another_plugin_in_the_directory_is_not_overwritten(tmp_path: Path):
    other = tmp_path / "plugins" / "cron_adapter"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("# someone else's provider\n")
    with pytest.raises(inst.InstallError, match="another plugin"):
        inst.install_files(tmp_path, "cron_adapter")
    inst.install_files(tmp_path, "mine")  # a free name works, and a reinstall replaces our own copy
    inst.install_files(tmp_path, "mine")


def test_config_keys_carry_the_fire_token_settings():
    config = inst.PluginConfig("ca", "b", "jobs.json", None, "agent:prod", "", PEM)
    keys = dict(config.pairs())
    assert keys["cron.provider"] == "ca" and keys["cron.ca.bucket"] == "b"
    assert keys["cron.chronos.expected_audience"] == "agent:prod"
    assert keys["cron.chronos.portal_url"] == ""  # an empty issuer skips hermes's iss check
    assert keys["cron.chronos.nas_jwks_url"].startswith("-----BEGIN PUBLIC KEY-----")
    yaml = config.yaml()
    assert "    nas_jwks_url: |\n      -----BEGIN PUBLIC KEY-----\n" in yaml
    assert '    portal_url: ""' in yaml


def test_keys_public_prints_the_pem_and_jwks_of_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    from cron_adapter.fire.jwt import Es256Signer

    key = tmp_path / "key.txt"
    key.write_text("fire-token-key-" + "q" * 40)
    assert main(["keys", "public", "--key-file", str(key)]) == 0
    pem = capsys.readouterr().out
    assert pem == Es256Signer.from_secret(key.read_text()).public_pem() and "PRIVATE" not in pem
    assert main(["keys", "public", "--key-file", str(key), "--format", "jwks"]) == 0
    (jwk,) = json.loads(capsys.readouterr().out)["keys"]
    assert jwk["kty"] == "EC" and "d" not in jwk


def test_keys_public_without_a_key_names_the_fix(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.delenv("CRON_ADAPTER_JWT_SECRET_ID", raising=False)
    assert main(["keys", "public"]) == 2
    assert "--secret-id" in capsys.readouterr().err


def test_a_home_that_cannot_hold_the_plugin_is_one_line_with_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture):
    home = tmp_path / "not-a-dir"
    home.write_text("a file, not hermes's home")
    assert main(["hermes", "install-plugin", "--hermes-home", str(home), "--skip-boto3"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1
    assert "cannot write the plugin to" in err and "fix: pass --hermes-home" in err
