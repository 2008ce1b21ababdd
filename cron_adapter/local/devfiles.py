"""The files a dev session leaves for other shells: dev.env (exports) and dev.secret (0600).

A session removes only the files it wrote, and only while they still hold what it wrote:
a second ``dev`` that fails to start leaves the running session's dev.env alone.
"""

from __future__ import annotations

import contextlib
import shlex
from pathlib import Path

from cron_adapter.local.emulator import Resources

ENV_FILE_NAME = "dev.env"
SECRET_FILE_NAME = "dev.secret"


def env_file_text(res: Resources) -> str:
    """The shell exports that point the CLI at this emulator (no secret value in them)."""
    env = {
        "AWS_ENDPOINT_URL": res.endpoint,
        "AWS_DEFAULT_REGION": res.region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        **res.handler_env(),
    }
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env.items())


def write_session_files(files: OwnFiles, folder: Path, res: Resources, secret_source: str | None) -> tuple[Path, str]:
    """Write dev.env, then dev.secret unless the secret has a source of its own; return dev.env and the secret's."""
    env_file = files.write(folder / ENV_FILE_NAME, env_file_text(res))
    if secret_source:
        return env_file, secret_source
    return env_file, str(files.write(folder / SECRET_FILE_NAME, res.secret + "\n", private=True))


class OwnFiles:
    """The files one session wrote, with their content, so that removing them spares anyone else's."""

    def __init__(self) -> None:
        self._written: dict[Path, str] = {}

    def write(self, path: Path, text: str, *, private: bool = False) -> Path:
        """Write one of the session's files (mode 0600 when private) and remember its content."""
        path.parent.mkdir(parents=True, exist_ok=True)
        if private:
            path.touch(mode=0o600, exist_ok=True)
            path.chmod(0o600)
        path.write_text(text)
        self._written[path] = text
        return path

    def remove(self) -> None:
        """Remove every file still holding what this session wrote; forget them all."""
        for path, text in list(self._written.items()):
            with contextlib.suppress(OSError):
                if path.read_text() == text:  # still ours: another session may have replaced it
                    path.unlink()
            self._written.pop(path, None)
