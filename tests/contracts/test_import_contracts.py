"""The import contracts bite: a core module that imports boto3 fails ``lint-imports``.

The package is copied to a temporary directory (the worktree is never touched), checked
once as it is (the contracts hold), then with ``import boto3`` added to a core module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CORE_MODULE = Path("cron_adapter") / "jobs" / "model.py"


def _copy(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "cdk.out", "node_modules")
    for package in ("cron_adapter", "handlers", "infra/cron_adapter_infra"):
        shutil.copytree(ROOT / package, dest / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")


def _lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(where), str(where / "infra")])}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=where, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_core_module_importing_boto3_breaks_the_contract(tmp_path: Path):
    _copy(tmp_path)
    kept = _lint_imports(tmp_path)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    module = tmp_path / CORE_MODULE
    module.write_text(
        module.read_text().replace(
            "from __future__ import annotations\n",
            "from __future__ import annotations\n\nimport boto3  # noqa: F401\n",
            1,
        )
    )
    broken = _lint_imports(tmp_path)
    assert broken.returncode != 0
    assert "The core imports no boto3" in broken.stdout and "BROKEN" in broken.stdout
    assert "cron_adapter.jobs.model -> boto3" in broken.stdout
