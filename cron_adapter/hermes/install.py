"""Install the provider plugin into a hermes home and produce its config.yaml keys.

Pure filesystem and subprocess work for ``cron-adapter hermes install-plugin``; the CLI
module only parses flags and prints. hermes loads a user provider from
``$HERMES_HOME/plugins/<name>/__init__.py`` when ``cron.provider`` is ``<name>``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from cron_adapter.errors import InstallError

PLUGIN_FILES = ("__init__.py", "pusher.py")
MARKER = "cron-adapter as a hermes-agent cron scheduler provider"  # first line of our __init__.py
# hermes's bundled provider wins a name clash, and these names mean its built-in ticker.
RESERVED_NAMES = frozenset({"chronos", "builtin", "in-process", "inprocess"})
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")  # hermes skips directories starting _ or .
BOTO3_REQUIREMENT = "boto3>=1.34"
DEFAULT_NAME = "cron_adapter"


@dataclass(frozen=True)
class PluginConfig:
    """The config.yaml keys of the provider and of hermes's fire-token verifier."""

    name: str
    bucket: str | None = None
    key: str = "jobs.json"
    region: str | None = None
    audience: str | None = None
    issuer: str | None = None
    public_key_pem: str | None = field(default=None, repr=False)

    def pairs(self) -> list[tuple[str, str]]:
        """(dotted key, value) pairs, in the order ``hermes config set`` takes them."""
        pairs = [("cron.provider", self.name)]
        if self.bucket:
            pairs.append((f"cron.{self.name}.bucket", self.bucket))
        pairs.append((f"cron.{self.name}.key", self.key))
        if self.region:
            pairs.append((f"cron.{self.name}.region", self.region))
        if self.audience:
            pairs.append(("cron.chronos.expected_audience", self.audience))
        if self.issuer is not None:
            pairs.append(("cron.chronos.portal_url", self.issuer))
        if self.public_key_pem:
            pairs.append(("cron.chronos.nas_jwks_url", self.public_key_pem.strip() + "\n"))
        return pairs

    def yaml(self) -> str:
        """The same keys as a config.yaml fragment."""
        own = f"cron.{self.name}."
        mine = [f"    {k.rsplit('.', 1)[1]}: {_quote(v)}" for k, v in self.pairs() if k.startswith(own)]
        lines = ["cron:", f"  provider: {_quote(self.name)}", f"  {self.name}:", *mine]
        chronos = [(k.rsplit(".", 1)[1], v) for k, v in self.pairs() if k.startswith("cron.chronos.")]
        if chronos:
            lines.append("  chronos:")
        for key, value in chronos:
            if "\n" in value:
                lines.append(f"    {key}: |")
                lines.extend("      " + line for line in value.strip().splitlines())
            else:
                lines.append(f"    {key}: {_quote(value)}")
        return "\n".join(lines) + "\n"


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_name(name: str) -> None:
    """Refuse a provider name hermes would not load as ours."""
    if name.lower() in RESERVED_NAMES:
        raise InstallError(f"provider name {name!r} is taken by hermes itself; fix: pass --name cron_adapter")
    if not _NAME.match(name):
        raise InstallError(
            f"provider name {name!r} is not a plain directory name; fix: use letters, digits, _ and - "
            "(not starting with _ or .)"
        )


def hermes_home(explicit: str | None) -> Path:
    """--hermes-home, else $HERMES_HOME, else ~/.hermes (hermes's own order)."""
    home = explicit or os.environ.get("HERMES_HOME") or str(Path.home() / ".hermes")
    return Path(home).expanduser()


def install_files(home: Path, name: str) -> Path:
    """Copy the plugin into ``home/plugins/<name>/`` (replacing an older copy of ours); its directory."""
    check_name(name)
    target = home / "plugins" / name
    try:
        _copy_plugin(target, name)
    except OSError as exc:  # a home that is a file, not writable, on a read-only disk ...
        why = exc.strerror or type(exc).__name__
        raise InstallError(
            f"cannot write the plugin to {target}: {why}; fix: pass --hermes-home with hermes's home "
            "directory (it holds config.yaml), one you can write to"
        ) from None
    return target


def _copy_plugin(target: Path, name: str) -> None:
    init = target / "__init__.py"
    if init.exists() and MARKER not in init.read_text(errors="replace")[:2048]:
        raise InstallError(f"{target} holds another plugin; fix: pass --name with a free name")
    target.mkdir(parents=True, exist_ok=True)
    source = resources.files("cron_adapter.hermes") / "plugin"
    for filename in PLUGIN_FILES:
        (target / filename).write_bytes((source / filename).read_bytes())
    (target / "plugin.yaml").write_text(
        f'name: {name}\ndescription: "cron-adapter: EventBridge Scheduler fires the jobs (scale to zero on AWS)"\n'
    )


def hermes_python(explicit: str | None, hermes_bin: str | None) -> str | None:
    """The interpreter hermes runs on: --hermes-python, else the shebang of the hermes script."""
    if explicit:
        return explicit
    script = shutil.which(hermes_bin or "hermes")
    if not script:
        return None
    try:
        first = Path(script).read_bytes()[:512].split(b"\n", 1)[0].decode("utf-8", "replace")
    except OSError:
        return None
    interpreter = first[2:].strip().split(" ")[0] if first.startswith("#!") else ""
    return interpreter if interpreter and Path(interpreter).exists() else None


def ensure_boto3(python: str, timeout: float = 600.0) -> str:
    """Make boto3 importable in hermes's interpreter: ``present`` or ``installed``; InstallError otherwise."""
    probe = subprocess.run([python, "-c", "import boto3"], capture_output=True, timeout=60)
    if probe.returncode == 0:
        return "present"
    done = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", BOTO3_REQUIREMENT], capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise InstallError(
            f"could not install boto3 into {python}: {tail[0]}; fix: run `{python} -m pip install {BOTO3_REQUIREMENT}`"
        )
    return "installed"


def write_config(config: PluginConfig, home: Path, hermes_bin: str | None) -> list[str]:
    """Set the keys with hermes's own ``hermes config set --force`` (keeps the rest of config.yaml)."""
    binary = shutil.which(hermes_bin or "hermes")
    if not binary:
        raise InstallError("the hermes command is not on PATH; fix: pass --hermes-bin, or paste the printed keys")
    env = {**os.environ, "HERMES_HOME": str(home)}
    written = []
    for key, value in config.pairs():
        done = subprocess.run(
            [binary, "config", "set", "--force", key, value], capture_output=True, text=True, timeout=120, env=env
        )
        if done.returncode != 0:
            raise InstallError(f"`hermes config set {key}` failed: {(done.stderr or done.stdout).strip()[-300:]}")
        written.append(key)
    return written
