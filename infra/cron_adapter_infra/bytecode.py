"""Compiled bytecode in the Lambda asset, so a cold start does not compile every module.

Lambda's ``/var/task`` is read-only: Python cannot write ``__pycache__`` there, so an asset
without ``.pyc`` files compiles every module it imports from source on every cold start.
The bundler compiles the asset with an interpreter of the runtime's own version (bytecode
is version-specific), found as:

1. ``$CRON_ADAPTER_BYTECODE_PYTHON``, a path to that interpreter;
2. the synthesizing Python, when its version is the runtime's;
3. ``python3.13`` (for instance) on ``PATH``.

Each candidate is run once to check its version (a pyenv shim may exist and fail). With no
such interpreter the asset ships sources only and the synth says so on stderr.

The ``.pyc`` files are ``unchecked-hash``: the asset never changes once built, so nothing
need compare them against the sources (CDK's zip does not keep the sources' timestamps,
which timestamp-checked bytecode would need). Their file names are rewritten to
``/var/task/...``, where Lambda unpacks the asset, so tracebacks name real paths.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

ENV_PYTHON = "CRON_ADAPTER_BYTECODE_PYTHON"
LAMBDA_TASK_ROOT = "/var/task"
_VERSION_CODE = "import sys; print('%d.%d' % sys.version_info[:2])"


@cache  # one run per interpreter: the asset hash asks on every synth step
def _version_of(python: str) -> str | None:
    try:
        out = subprocess.run([python, "-c", _VERSION_CODE], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _candidates(python_version: str) -> list[str]:
    found = [os.environ.get(ENV_PYTHON, "")]
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == python_version:
        found.append(sys.executable)
    found.append(shutil.which(f"python{python_version}") or "")
    return [python for python in found if python]


def compiler_for(python_version: str) -> str | None:
    """An interpreter of ``python_version`` ("3.13") to compile the asset with, else None."""
    for python in _candidates(python_version):
        if _version_of(python) == python_version:
            return python
    return None


def compile_command(python: str, directory: str) -> list[str]:
    """The ``compileall`` command line for ``directory`` (also the Docker fallback's)."""
    return [
        python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
        "-s", directory, "-p", LAMBDA_TASK_ROOT, directory,
    ]  # fmt: skip


def compile_tree(python: str, directory: Path) -> None:
    """Compile every module under ``directory`` as ``/var/task/...`` (``unchecked-hash`` bytecode).

    A file that does not compile gets a note on stderr: as ``pip install`` does, the asset
    still ships, and that one module is compiled at import, or fails there as it would.
    """
    result = subprocess.run(compile_command(python, str(directory)), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        text = (result.stdout + result.stderr)[-2000:]
        print(f"cron-adapter: some asset files did not compile:\n{text}", file=sys.stderr)


def warn_no_compiler(python_version: str) -> None:
    """Say on stderr that the asset ships without bytecode, and how to ship it."""
    print(
        f"cron-adapter: no Python {python_version} found to compile the Lambda asset, so it ships"
        f" sources only and every cold start compiles its modules first. Install python{python_version}"
        f" on PATH, or set {ENV_PYTHON} to one, and synthesize again.",
        file=sys.stderr,
    )
