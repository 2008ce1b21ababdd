"""Running the real Lambda handlers in-process: a context object, cold imports, quiet logs."""

from __future__ import annotations

import importlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cron_adapter import constants as c

_LOADED: set[str] = set()
# The handlers log JSON lines and EMF metrics to stdout, as on Lambda; locally that would
# scribble over the live view, so their logs go to a file and metrics are not printed.
QUIET_POWERTOOLS = {"POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "INFO"}


@dataclass
class LocalContext:
    """Looks like ``awslambdaric``'s LambdaContext to the handlers and to Powertools."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 256
    timeout_seconds: float = 900.0
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before this invocation's (real-time) deadline."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def load_module(module: str) -> Any:
    """Import a real Lambda handler's module, cold: a second session in one process reloads it."""
    loaded = importlib.import_module(module)
    if module in _LOADED:
        loaded = importlib.reload(loaded)  # a new container: no clients or settings cached
    _LOADED.add(module)
    return loaded


def load_handler(module: str) -> Any:
    """The ``handler`` of a real Lambda handler's module, imported cold (see :func:`load_module`)."""
    return load_module(module).handler


class HandlerLogs:
    """Points the Powertools logger's stdout stream at a file, and back on ``restore()``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._saved: list[tuple[logging.StreamHandler, Any]] = []
        self._stream: Any = None

    def redirect(self) -> HandlerLogs:
        """Send the handlers' log lines to ``path`` (silently keep stdout if it cannot be opened)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._stream = self.path.open("a", encoding="utf-8")
        except OSError:
            return self
        for handler in logging.getLogger(c.SERVICE_NAME).handlers:
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
                self._saved.append((handler, handler.setStream(self._stream)))
        return self

    def restore(self) -> None:
        """Give the handlers their original streams back and close the file."""
        for handler, stream in self._saved:
            handler.setStream(stream)
        self._saved.clear()
        if self._stream is not None:
            self._stream.close()
            self._stream = None
