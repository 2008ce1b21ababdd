"""Docker-free Lambda packaging: ``cron_adapter`` + ``handlers`` + pinned wheels.

CDK asks an :class:`aws_cdk.ILocalBundling` to fill the asset directory before it would
fall back to Docker. :class:`LocalPythonBundler` does it with the synthesizing Python's
own ``pip``, downloading *binary wheels for the Lambda platform* (``--platform
manylinux2014_aarch64 --only-binary=:all: --python-version 3.12 --implementation cp``),
so compiled packages such as pydantic-core match the function's architecture no matter
which machine synthesizes.

Two levels of caching keep synths fast:

* the dependency tree (the slow, networked part) is cached under
  ``$CRON_ADAPTER_BUNDLE_CACHE`` (default ``~/.cache/cron-adapter/lambda-deps``), keyed by
  a hash of the requirements file, platform and Python version;
* the asset hash (:meth:`LambdaBundle.asset_hash`) covers the dependency key plus every
  source file, so CDK re-uploads only when code or pins change.

boto3/botocore are deliberately absent: the Lambda Python runtime provides them
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jsii
from aws_cdk import BundlingOptions, DockerImage, ILocalBundling

from cron_adapter import constants
from cron_adapter_infra import bytecode

# Bump when the bundle layout changes, to invalidate every cache entry.
BUNDLER_VERSION = "2"
# Where the runtime packages are installed: a checkout (editable install) or site-packages.
# The asset is built from the installed packages, never from a repository layout.
SOURCE_ROOT = Path(constants.__file__).resolve().parents[1]
DEFAULT_REQUIREMENTS = Path(__file__).resolve().parent / "lambda-requirements.txt"
SOURCE_PACKAGES: tuple[str, ...] = ("cron_adapter", "handlers")
# The Lambda runtime: the longest support window whose wheels exist for every pin (docs/deploy.md).
DEFAULT_PYTHON_VERSION = "3.13"
# Never shipped: the runtime provides boto3 and friends; caches are rebuilt on the host.
_FORBIDDEN_TOP_LEVEL = ("boto3", "botocore", "s3transfer")
_IGNORED_PARTS = ("__pycache__",)
_IGNORED_SUFFIXES = (".pyc", ".pyo")

PIP_PLATFORMS: dict[str, str] = {
    "arm64": "manylinux2014_aarch64",
    "x86_64": "manylinux2014_x86_64",
}


def default_cache_dir() -> Path:
    """Where built dependency trees are kept between synths."""
    override = os.environ.get("CRON_ADAPTER_BUNDLE_CACHE")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cron-adapter" / "lambda-deps"


def _ensure(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _source_files(root: Path, packages: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for package in packages:
        for path in sorted((root / package).rglob("*")):
            if not path.is_file() or path.suffix in _IGNORED_SUFFIXES:
                continue
            if any(part in _IGNORED_PARTS for part in path.relative_to(root).parts):
                continue
            files.append(path)
    return files


@dataclass(frozen=True)
class LambdaBundle:
    """What goes into the one asset both functions share."""

    architecture: str = "arm64"  # "arm64" | "x86_64" (Lambda's names)
    python_version: str = DEFAULT_PYTHON_VERSION
    source_root: Path = SOURCE_ROOT
    requirements: Path = DEFAULT_REQUIREMENTS
    packages: tuple[str, ...] = SOURCE_PACKAGES
    cache_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.architecture not in PIP_PLATFORMS:
            raise ValueError(f"architecture must be one of {sorted(PIP_PLATFORMS)}, got {self.architecture!r}")
        for package in self.packages:
            if not (self.source_root / package / "__init__.py").is_file():
                raise FileNotFoundError(f"{self.source_root / package} is not a Python package")

    @property
    def pip_platform(self) -> str:
        """The manylinux tag pip must select wheels for."""
        return PIP_PLATFORMS[self.architecture]

    def deps_key(self) -> str:
        """Hash of everything that decides the dependency tree."""
        digest = hashlib.sha256()
        for part in (BUNDLER_VERSION, self.pip_platform, self.python_version, self.requirements.read_text()):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def asset_hash(self) -> str:
        """Hash of the dependency key plus every bundled source file (path and bytes)."""
        digest = hashlib.sha256(self.deps_key().encode())
        digest.update(b"bytecode\0" if self.compiler() else b"sources\0")  # a compiler found later rebuilds
        for path in _source_files(self.source_root, self.packages):
            digest.update(path.relative_to(self.source_root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
        return digest.hexdigest()

    def deps_dir(self) -> Path:
        """Build (once) and return the cached dependency tree."""
        cache = (self.cache_dir or default_cache_dir()) / self.deps_key()
        if (cache / ".complete").is_file():
            return cache
        cache.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=cache.parent))
        try:
            self._pip_install(staging)
            (staging / ".complete").write_text(self.deps_key())
            try:
                staging.rename(cache)
            except OSError:  # a concurrent synth won the race; its tree is identical
                shutil.rmtree(staging, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return cache

    def _pip_install(self, target: Path) -> None:
        # --no-deps: the requirements file is the complete, pinned closure, which is what
        # keeps boto3/botocore (provided by the runtime) out of the bundle.
        command = [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
            "--disable-pip-version-check", "--only-binary=:all:", "--implementation", "cp",
            "--platform", self.pip_platform, "--python-version", self.python_version,
            "--target", str(target), "--requirement", str(self.requirements),
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"pip could not build the Lambda dependencies:\n{result.stderr[-4000:]}")
        for name in _FORBIDDEN_TOP_LEVEL:
            if (target / name).exists():
                raise RuntimeError(f"{name} must not be bundled (the Lambda runtime provides it)")
        shutil.rmtree(target / "bin", ignore_errors=True)  # console scripts are useless in Lambda

    def stage_sources(self) -> Path:
        """A directory holding only the sources and pins: the asset's input, never a whole checkout.

        CDK zips the asset input as it is when bundling is skipped (``cdk synth --exclusively``,
        ``aws:cdk:bundling-stacks``), so it must not be the repository or site-packages.
        """
        staged = (self.cache_dir or default_cache_dir()).parent / "sources" / self.asset_hash()
        if (staged / ".complete").is_file():
            return staged
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=_ensure(staged.parent)))
        for path in _source_files(self.source_root, self.packages):
            destination = staging / path.relative_to(self.source_root)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
        shutil.copy2(self.requirements, staging / "lambda-requirements.txt")
        (staging / ".complete").write_text(self.asset_hash())
        try:
            staging.rename(staged)
        except OSError:  # a concurrent synth staged the same hash
            shutil.rmtree(staging, ignore_errors=True)
        return staged

    def compiler(self) -> str | None:
        """The interpreter that compiles the asset's bytecode (:mod:`cron_adapter_infra.bytecode`)."""
        return bytecode.compiler_for(self.python_version)

    def build(self, output_dir: Path) -> None:
        """Fill ``output_dir`` with the dependency tree, the source packages and their bytecode."""
        shutil.copytree(self.deps_dir(), output_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".complete"))
        # Only the packages: lambda-requirements.txt stays out of the deployed zip.
        for path in _source_files(self.source_root, self.packages):
            destination = output_dir / path.relative_to(self.source_root)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
        python = self.compiler()
        if python is None:
            bytecode.warn_no_compiler(self.python_version)
        else:
            bytecode.compile_tree(python, output_dir)

    def bundling_options(self) -> BundlingOptions:
        """CDK bundling: local first; the Docker command is only a fallback CDK never reaches."""
        return BundlingOptions(
            image=DockerImage.from_registry(f"public.ecr.aws/sam/build-python{self.python_version}"),
            command=[
                "bash",
                "-c",
                "pip install --no-deps -r lambda-requirements.txt -t /asset-output"
                " && cp -r " + " ".join(self.packages) + " /asset-output/"
                " && " + " ".join(bytecode.compile_command("python", "/asset-output")),
            ],  # fmt: skip
            local=LocalPythonBundler(self),
        )


@jsii.implements(ILocalBundling)
class LocalPythonBundler:
    """The jsii callback CDK calls to bundle without Docker."""

    def __init__(self, bundle: LambdaBundle) -> None:
        self._bundle = bundle

    def try_bundle(self, output_dir: str, *args: object, **kwargs: object) -> bool:
        """Build into ``output_dir``; errors propagate so a broken build fails the synth."""
        self._bundle.build(Path(output_dir))
        return True
