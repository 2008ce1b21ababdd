"""The embedded AWS emulator: moto's server on 127.0.0.1, provisioned like the stack.

``Emulator.start()`` starts ``ThreadedMotoServer`` on a free loopback port, points this
process's standard AWS environment at it (``AWS_ENDPOINT_URL``, fake credentials, region)
so the real handlers' clients reach it unchanged, and provisions the bucket, table,
schedule group, secret and queues from ``cron_adapter.constants`` (the stack's source of
truth). ``stop()`` shuts the server down and restores the environment.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import urllib.request
from typing import Any

from cron_adapter.local.provision import REGION, Resources, client, new_secret, provision

__all__ = ["MOTO_WRITE_LOCK", "Emulator", "Resources", "client"]
# Never let a dev session pick up a real profile or instance credentials.
_CLEARED = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE")

# The one lock around moto's DynamoDB writes. Tests that serialize more of moto take this
# same lock: two locks taken in opposite orders (UpdateItem: handler then backend;
# BatchWriteItem: backend only) deadlock.
MOTO_WRITE_LOCK = threading.RLock()
# A warm Lambda container keeps its boto3 clients and its cached secret. Consecutive sessions
# in one process (tests) therefore get the same address, secret and input key as the previous one.
_PROCESS: dict[str, Any] = {}


def _serialize_dynamodb_writes() -> None:
    """Make moto's conditional writes atomic, as DynamoDB's are.

    moto checks a ConditionExpression and writes in two steps, so two concurrent duplicate
    deliveries can both win a claim. One lock around the backend's writes
    restores DynamoDB's guarantee; the patch is idempotent and only affects moto.
    """
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    # The response layer too: its UpdateItem copies the old item outside the backend's write.
    for cls in (DynamoDBBackend, DynamoHandler):
        for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
            original = getattr(cls, name)
            if not getattr(original, "_cron_adapter_locked", False):
                setattr(cls, name, _locked(original))


def _locked(method: Any) -> Any:
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with MOTO_WRITE_LOCK:
            return method(self, *args, **kwargs)

    locked._cron_adapter_locked = True  # type: ignore[attr-defined]
    return locked


def aws_env(endpoint: str, region: str = REGION) -> dict[str, str]:
    """The standard AWS environment that points boto3 at the emulator at ``endpoint``, and nowhere else."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def dev_input_key() -> str:
    """This process's dev input-signing key (a warm fire handler caches it, like the secret)."""
    return str(_PROCESS.setdefault("input_key", new_secret()))


class Emulator:
    """moto's server on 127.0.0.1:<free port>, provisioned like the stack."""

    def __init__(self, region: str = REGION, secret: str | None = None) -> None:
        self.region = region
        self._secret = secret  # a known secret (dev --secret-file); None: one random per process
        self._server: Any = None
        self._saved_env: dict[str, str | None] = {}
        self.resources: Resources | None = None

    def start(self) -> Resources:
        """Start the server, point the AWS environment at it and provision everything."""
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log lines
        _serialize_dynamodb_writes()
        port = _PROCESS.get("port", 0)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=port if _port_free(port) else 0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        _PROCESS["port"] = port
        _reset(endpoint)  # moto's backends are process-global: start from a clean state
        self._set_env(aws_env(endpoint, self.region))
        if self._secret:
            _PROCESS["secret"] = self._secret
        self.resources = provision(
            endpoint,
            self.region,
            _PROCESS.setdefault("secret", new_secret()),
            dev_input_key(),
        )
        self._set_env(self.resources.handler_env())
        return self.resources

    def stop(self) -> None:
        """Stop the server and restore the environment (safe to call twice)."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()

    @staticmethod
    def forget_model_instances() -> None:
        """Let moto drop its dashboard's list of every model object ever created.

        moto appends each model instance, including the full-table deep copy it makes for
        every TransactWriteItems, to a class-level list that only its web dashboard reads;
        a long dev session would otherwise grow by a table copy per fire.
        """
        from moto.core.model_instances import reset_model_data

        reset_model_data()

    def __enter__(self) -> Resources:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_env(self, values: dict[str, str]) -> None:
        """Set process environment variables until ``stop()`` restores them."""
        self._set_env(values)

    def _set_env(self, values: dict[str, str]) -> None:
        for name in (*values, *_CLEARED):
            self._saved_env.setdefault(name, os.environ.get(name))
        for name in _CLEARED:
            os.environ.pop(name, None)
        os.environ.update(values)


def _port_free(port: int) -> bool:
    """True when 127.0.0.1:port can be bound (moto's server thread would hang on a busy port)."""
    if not port:
        return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310 - our own loopback server
        pass
