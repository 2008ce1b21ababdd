"""The construct as a package: installed from the wheel into a fresh venv, used by a user's app.

The wheel is built from this checkout and installed into a new venv; the app lives in a
temporary directory outside the repository and runs without ``PYTHONPATH``. To keep the
test off the network and fast, the fresh venv sees the dev venv's third-party packages
(aws-cdk-lib, pydantic, ...) through a ``.pth`` line; cron_adapter, handlers and
cron_adapter_infra are not among them (the dev venv has them only as an editable install,
whose hook a ``.pth`` path line does not run), so they can only come from the wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]

USER_APP = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path

    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks
    from cron_adapter_infra import CronAdapter, CronAdapterProps

    import cron_adapter, handlers

    app = cdk.App(outdir="cdk.out")
    stack = cdk.Stack(app, "Platform")
    cron = CronAdapter(stack, "Cron", props=CronAdapterProps(hmac=True))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    assembly = app.synth()
    template = assembly.get_stack_by_name("Platform").template
    codes = {
        r["Properties"]["Code"]["S3Key"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function" and "S3Key" in r["Properties"]["Code"]
    }
    print(json.dumps({
        "cron_adapter": cron_adapter.__file__,
        "handlers": handlers.__file__,
        "group": cron.group_name,
        "assets": sorted(codes),
    }))
    """
)


def _site_packages(env_dir: Path) -> Path:
    paths = sysconfig.get_paths(vars={"base": str(env_dir), "platbase": str(env_dir)})
    return Path(paths["purelib"])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=out,
    )
    [built] = out.glob("cron_adapter-*.whl")
    return built


def test_a_user_app_synthesizes_with_the_installed_construct(wheel, tmp_path):
    fresh = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(fresh)
    python = fresh / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    site = _site_packages(fresh)
    (site / "dev-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    app_dir = tmp_path / "user-app"
    app_dir.mkdir()
    (app_dir / "app.py").write_text(USER_APP)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        [str(python), "app.py"], cwd=app_dir, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(report["cron_adapter"]).is_relative_to(site)  # the wheel's copy, not the checkout
    assert Path(report["handlers"]).is_relative_to(site)
    assert report["group"] == "Platform-Cron"
    [key] = report["assets"]
    asset = app_dir / "cdk.out" / f"asset.{key.removesuffix('.zip')}"
    assert (asset / "handlers" / "fire.py").read_bytes() == (site / "handlers" / "fire.py").read_bytes()
    assert (asset / "cron_adapter" / "constants.py").is_file()
    assert (asset / "pydantic_core").is_dir()  # the pinned closure was bundled
    for stray in ("infra", "tests", "cron_adapter_infra", "pyproject.toml", "lambda-requirements.txt"):
        assert not (asset / stray).exists(), stray
