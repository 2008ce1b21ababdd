"""The Lambda asset: built without Docker, for the Lambda platform, with the right contents."""

from __future__ import annotations

import importlib.util
import marshal
import re
import sys
import tomllib
from pathlib import Path

import pytest

from cron_adapter import constants as c

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def asset(synth) -> Path:
    """The staged asset directory both functions deploy."""
    [key] = {
        f["Properties"]["Code"]["S3Key"]
        for f in synth.resources("AWS::Lambda::Function").values()
        if "S3Key" in f["Properties"]["Code"]
    }
    directory = synth.outdir / f"asset.{key.removesuffix('.zip')}"
    assert directory.is_dir(), sorted(p.name for p in synth.outdir.iterdir())
    return directory


def _module_file(root: Path, entry_point: str) -> Path:
    module = entry_point.rsplit(".", 1)[0]
    return root / (module.replace(".", "/") + ".py")


@pytest.mark.parametrize("entry_point", [c.FIRE_HANDLER, c.RECONCILE_HANDLER])
def test_asset_contains_the_handler_modules(asset, entry_point):
    source = _module_file(ROOT, entry_point)
    if not source.is_file():
        pytest.skip(f"{source.relative_to(ROOT)} is not written yet; the asset bundles whatever exists at synth")
    assert _module_file(asset, entry_point).read_bytes() == source.read_bytes()


def test_asset_contains_every_source_file_and_bytecode_when_a_runtime_python_exists(asset):
    from cron_adapter_infra.bundling import DEFAULT_PYTHON_VERSION, SOURCE_PACKAGES, _source_files
    from cron_adapter_infra.bytecode import compiler_for

    for path in _source_files(ROOT, SOURCE_PACKAGES):
        assert (asset / path.relative_to(ROOT)).is_file(), path
    assert (asset / "cron_adapter" / "constants.py").is_file()
    tag = "cpython-" + DEFAULT_PYTHON_VERSION.replace(".", "")
    shipped = {p.name for p in asset.glob("cron_adapter/**/*.pyc")}
    assert (f"constants.{tag}.pyc" in shipped) == (compiler_for(DEFAULT_PYTHON_VERSION) is not None)
    assert all(tag in name for name in shipped), shipped  # never the synthesizing Python's own bytecode


def test_compiled_wheels_match_the_lambda_platform(asset):
    [so] = list((asset / "pydantic_core").glob("_pydantic_core*.so"))
    assert so.name == "_pydantic_core.cpython-313-aarch64-linux-gnu.so"
    [wheel] = list(asset.glob("pydantic_core-*.dist-info/WHEEL"))
    tags = re.findall(r"^Tag: (\S+)$", wheel.read_text(), re.MULTILINE)
    assert tags and all(t.startswith("cp313-cp313-manylinux") and t.endswith("_aarch64") for t in tags), tags
    # Every compiled extension in the bundle is for aarch64 Linux, none for the build host.
    for extension in asset.rglob("*.so"):
        assert "aarch64" in extension.name or not re.search(r"x86_64|darwin|win", extension.name), extension


def test_asset_bundles_the_runtime_dependencies_but_not_boto3(asset):
    packages = (
        "pydantic",
        "pydantic_core",
        "msgspec",
        "croniter",
        "dateutil",
        "tzdata",
        "aws_lambda_powertools",
        "jmespath",
    )
    for package in packages:
        assert (asset / package / "__init__.py").is_file(), package
    [core] = list((asset / "msgspec").glob("_core*.so"))  # the fire input's validator, built for Lambda
    assert core.name == "_core.cpython-313-aarch64-linux-gnu.so"
    for provided_by_runtime in ("boto3", "botocore", "s3transfer"):
        assert not (asset / provided_by_runtime).exists(), provided_by_runtime
    assert not (asset / "bin").exists()


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_pinned_requirements_cover_the_project_dependencies():
    from cron_adapter_infra.bundling import DEFAULT_REQUIREMENTS

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    wanted = {_normalise(re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0]) for dep in project} - {"boto3"}
    lines = [line.split("#")[0].strip() for line in DEFAULT_REQUIREMENTS.read_text().splitlines()]
    pins = dict(line.split("==") for line in lines if line)
    assert wanted <= {_normalise(name) for name in pins}
    assert "boto3" not in {_normalise(name) for name in pins}


# --- LambdaBundle without the network ------------------------------------------------------


def _fake_source(tmp_path: Path) -> Path:
    for package in ("cron_adapter", "handlers"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(f"# {package}\n")
    (tmp_path / "requirements.txt").write_text("six==1.17.0\n")
    return tmp_path


def _bundle(root: Path, **kwargs):
    from cron_adapter_infra.bundling import LambdaBundle

    return LambdaBundle(source_root=root, requirements=root / "requirements.txt", cache_dir=root / "cache", **kwargs)


def test_asset_hash_follows_source_but_not_bytecode(tmp_path):
    root = _fake_source(tmp_path)
    bundle = _bundle(root)
    first, deps = bundle.asset_hash(), bundle.deps_key()
    (root / "handlers" / "__pycache__").mkdir()
    (root / "handlers" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    assert bundle.asset_hash() == first
    (root / "handlers" / "fire.py").write_text("def handler(event, context): ...\n")
    assert bundle.asset_hash() != first
    assert bundle.deps_key() == deps  # code edits never re-download wheels


def test_dependency_key_depends_on_platform_python_and_pins(tmp_path):
    root = _fake_source(tmp_path)
    keys = {
        _bundle(root).deps_key(),
        _bundle(root, architecture="x86_64").deps_key(),
        _bundle(root, python_version="3.11").deps_key(),
    }
    assert len(keys) == 3
    before = _bundle(root).deps_key()
    (root / "requirements.txt").write_text("six==1.16.0\n")
    assert _bundle(root).deps_key() != before


def test_build_reuses_the_cached_dependency_tree(tmp_path):
    root = _fake_source(tmp_path)
    bundle = _bundle(root)
    cached = root / "cache" / bundle.deps_key()
    (cached / "six").mkdir(parents=True)
    (cached / "six" / "__init__.py").write_text("")
    (cached / ".complete").write_text(bundle.deps_key())
    out = tmp_path / "out"
    bundle.build(out)  # would fail without network if it ran pip: the cache short-circuits it
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.py")) == [
        "cron_adapter/__init__.py",
        "handlers/__init__.py",
        "six/__init__.py",
    ]
    assert not (out / ".complete").exists()


def _cached_deps(bundle, root: Path) -> None:
    cached = root / "cache" / bundle.deps_key()
    (cached / "six").mkdir(parents=True)
    (cached / "six" / "__init__.py").write_text("x = 1\n")
    (cached / ".complete").write_text(bundle.deps_key())


def _this_python() -> str:
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def test_the_asset_ships_unchecked_bytecode_named_for_the_lambda_paths(tmp_path, monkeypatch):
    monkeypatch.delenv("CRON_ADAPTER_BYTECODE_PYTHON", raising=False)
    root = _fake_source(tmp_path)
    (root / "handlers" / "fire.py").write_text("def handler(event, context):\n    return 1\n")
    bundle = _bundle(root, python_version=_this_python())
    _cached_deps(bundle, root)
    out = tmp_path / "out"
    bundle.build(out)
    for source in ("handlers/fire.py", "cron_adapter/__init__.py", "six/__init__.py"):
        path = Path(importlib.util.cache_from_source(str(out / source)))
        data = path.read_bytes()
        assert data[:4] == importlib.util.MAGIC_NUMBER, source
        assert int.from_bytes(data[4:8], "little") == 0b01, source  # hash-based, never checked against the source
        assert marshal.loads(data[16:]).co_filename == f"/var/task/{source}"


def test_without_a_runtime_python_the_asset_ships_sources_and_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CRON_ADAPTER_BYTECODE_PYTHON", str(tmp_path / "missing-python"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no python3.99 anywhere
    root = _fake_source(tmp_path)
    bundle = _bundle(root, python_version="3.99")
    _cached_deps(bundle, root)
    bundle.build(tmp_path / "out")
    assert not list((tmp_path / "out").rglob("*.pyc"))
    assert "no Python 3.99 found" in capsys.readouterr().err


def _fake_python(path: Path, prints: str, code: int = 0) -> str:
    path.write_text(f"#!/bin/sh\necho {prints}\nexit {code}\n")
    path.chmod(0o755)
    return str(path)


def test_a_compiler_is_taken_only_when_it_runs_and_has_the_runtime_version(tmp_path, monkeypatch):
    from cron_adapter_infra.bytecode import compiler_for

    monkeypatch.setenv("PATH", str(tmp_path))
    _fake_python(tmp_path / "python3.97", "pyenv: python3.97: command not found", 127)  # a shim that fails
    monkeypatch.setenv("CRON_ADAPTER_BYTECODE_PYTHON", _fake_python(tmp_path / "other", "3.12"))
    assert compiler_for("3.97") is None
    good = _fake_python(tmp_path / "good", "3.97")
    monkeypatch.setenv("CRON_ADAPTER_BYTECODE_PYTHON", good)
    assert compiler_for("3.97") == good
    monkeypatch.delenv("CRON_ADAPTER_BYTECODE_PYTHON")
    assert compiler_for("3.98") is None
    on_path = _fake_python(tmp_path / "python3.98", "3.98")
    assert compiler_for("3.98") == on_path


def test_asset_hash_changes_when_a_compiler_appears(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CRON_ADAPTER_BYTECODE_PYTHON", raising=False)
    bundle = _bundle(_fake_source(tmp_path), python_version="3.96")
    before = bundle.asset_hash()
    monkeypatch.setenv("CRON_ADAPTER_BYTECODE_PYTHON", _fake_python(tmp_path / "py", "3.96"))
    assert bundle.asset_hash() != before


def test_props_refuse_invalid_values():
    from cron_adapter_infra import CronAdapterProps

    with pytest.raises(ValueError, match="group_name"):
        CronAdapterProps(group_name="has space")
    with pytest.raises(ValueError, match="secret_length"):
        CronAdapterProps(secret_length=16)
    with pytest.raises(ValueError, match="architecture"):
        CronAdapterProps(architecture="arm")
    with pytest.raises(ValueError, match=r"allowed_cidrs entry '10.1.0.0/33' is not a CIDR block"):
        CronAdapterProps(allowed_cidrs=("10.1.0.0/16", "10.1.0.0/33"))
    with pytest.raises(ValueError, match="allowed_cidrs must be a tuple"):
        CronAdapterProps(allowed_cidrs="10.1.0.0/16")  # type: ignore[arg-type]


def test_the_tests_run_exactly_the_pinned_lambda_versions():
    from importlib.metadata import PackageNotFoundError, version

    from cron_adapter_infra.bundling import DEFAULT_REQUIREMENTS

    lines = [line.split("#")[0].strip() for line in DEFAULT_REQUIREMENTS.read_text().splitlines()]
    pins = dict(line.split("==") for line in lines if line)
    installed = {}
    for name in pins:
        try:
            installed[name] = version(name)
        except PackageNotFoundError:
            installed[name] = None
    # ./run installs the venv with these pins as constraints; a drift means the Lambda
    # would deploy versions the suite never ran (fix: bump the pin, re-run ./run test).
    assert installed == pins
