"""The files a dev session leaves for other shells: dev.env (exports) and dev.secret (0600).

A session removes only the files it wrote, and only while they still hold what it wrote:
a second ``dev`` that fails to start leaves the running session's dev.env alone. One
folder holds one live session: ``SessionLock`` (dev.lock) refuses a second one before it
starts anything, so it can neither replace nor delete the first one's dev.env.
"""

from __future__ import annotations

import contextlib
import os
import shlex
from pathlib import Path

from cron_adapter.errors import UsageError
from cron_adapter.local.emulator import Resources

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX (Windows): no lock, as before
    fcntl = None  # type: ignore[assignment]

ENV_FILE_NAME = "dev.env"
SECRET_FILE_NAME = "dev.secret"
LOCK_FILE_NAME = "dev.lock"


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


class SessionLock:
    """One live session per folder: an exclusive ``flock`` on dev.lock, which holds the session's pid.

    The kernel drops the lock when its process ends, however it ends, so a dev.lock left by
    a killed session never blocks the next one. The file is removed on release; a session
    that locked a file removed meanwhile (inode check) tries again on the new one.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_FILE_NAME
        self._fd: int | None = None

    def acquire(self) -> SessionLock:
        """Take the folder's lock, or raise UsageError naming the running session and the fix."""
        if fcntl is None or self._fd is not None:
            return self
        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                other = os.read(fd, 32).decode(errors="replace").strip()
                os.close(fd)
                raise UsageError(self._refusal(other)) from None
            with contextlib.suppress(OSError):
                if os.fstat(fd).st_ino == os.stat(self.path).st_ino:
                    break
            os.close(fd)  # released and removed by its owner meanwhile: lock the new file
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def _open(self) -> int:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise UsageError(
                f"cannot write {self.path}: {exc.strerror}; fix: run dev from a directory you can write to"
            ) from None

    def release(self) -> None:
        """Remove dev.lock and drop the lock (safe twice)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        os.close(self._fd)  # closing drops the flock
        self._fd = None

    def _refusal(self, pid: str) -> str:
        folder = self.path.parent.resolve()
        who = f"pid {pid}" if pid.isdigit() else "another process"
        stop = f"Ctrl-C in its terminal, or `kill {pid}`" if pid.isdigit() else "Ctrl-C in its terminal"
        return (
            f"another `cron-adapter dev` session ({who}) is running in this directory: {folder} holds its "
            f"{ENV_FILE_NAME} and {SECRET_FILE_NAME}, which a second session would replace and then delete; "
            f"fix: stop it ({stop}), or start this one from another directory"
        )
