"""The Lambda asset: built without Docker, for the Lambda platform, with the right contents."""

from __future__ import annotations

import re
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


def test_asset_contains_every_source_file_and_no_bytecode(asset):
    from cron_adapter_infra.bundling import SOURCE_PACKAGES, _source_files

    for path in _source_files(ROOT, SOURCE_PACKAGES):
        assert (asset / path.relative_to(ROOT)).is_file(), path
    assert (asset / "cron_adapter" / "constants.py").is_file()
    assert not list(asset.glob("cron_adapter/**/*.pyc"))


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
