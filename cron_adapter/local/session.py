"""One ``cron-adapter dev`` session: emulator + target + router + clock + watcher + view.

    jobs.json --watch--> S3 (moto) --notify--> SQS --poll--> handlers.reconcile.handler
        --> Scheduler group (moto) --LocalEventBridge--> handlers.fire.handler
        --> http://127.0.0.1:8787 (LocalTarget, checks the secret)

``run()`` loops on the real clock with short, bounded waits and returns when the stop event
is set (Ctrl-C) or the duration is over; ``close()`` stops everything in reverse order.
"""

from __future__ import annotations

import contextlib
import shlex
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cron_adapter import constants as c
from cron_adapter.local.audit import LocalAuditor
from cron_adapter.local.clock import Chaos, LocalEventBridge
from cron_adapter.local.emulator import Emulator, Resources, client
from cron_adapter.local.journal import Journal
from cron_adapter.local.lambda_context import QUIET_POWERTOOLS, HandlerLogs, LocalContext, load_handler
from cron_adapter.local.provision import provision_fire_token_key
from cron_adapter.local.router import UploadRouter
from cron_adapter.local.simclock import SimClock
from cron_adapter.local.target import DEFAULT_PORT, LocalTarget
from cron_adapter.local.view import LineView, Sources, make_view
from cron_adapter.local.watch import JobsFileWatcher
from cron_adapter.tablekeys import RUN_PREFIX

TICK_SECONDS = 0.1
WATCH_EVERY_SECONDS = 0.5
TRIM_EVERY_SECONDS = 5.0
DRAIN_SECONDS = 15.0
FIRST_RECONCILE_SECONDS = 20.0  # the clock waits at most this long for the first reconcile
LOG_FILE = Path(".cron-adapter") / "dev.log"
ENV_FILE_NAME = "dev.env"
SECRET_FILE_NAME = "dev.secret"


@dataclass(frozen=True)
class DevOptions:
    """The knobs of ``cron-adapter dev``."""

    jobs_file: Path
    speed: float = 1.0
    chaos: bool = False
    seed: int = 0
    duration: float | None = None  # real seconds; the simulated span is duration x speed
    port: int = DEFAULT_PORT
    live: bool | None = None  # None: a live view on a terminal, lines otherwise; False + quiet: nothing
    quiet: bool = False
    format: str | None = None
    timezone: str | None = None
    base_url: str | None = None
    log_file: Path = LOG_FILE
    secret: str | None = None  # a known shared secret; None: a random one, written to dev.secret
    secret_source: str | None = None  # where the known secret came from (a path or a variable)
    local_target: bool = True  # False: no local target; the user's own app answers the jobs' URLs
    grace: float = 0.0  # seconds a newly created schedule waits before its first fire
    allowed_cidrs: tuple[str, ...] = ()  # private ranges the fire handler may call (--allow-cidr)
    jwt_key: str | None = None  # the fire-token key (PEM or secret string): jwt targets get signed fires
    jwt_audience: str | None = None
    jwt_issuer: str | None = None  # "" or None: tokens carry no iss
    hermes: str | None = None  # the base URL of a local hermes-agent app the fires go to


class DevSession:
    """Wires the local loop; ``start()``, ``run()``, then ``close()`` (or use ``with``)."""

    def __init__(self, options: DevOptions, *, fire_handler: Any = None, reconcile_handler: Any = None) -> None:
        self.options = options
        self.clock = SimClock(options.speed, running=False)  # released by run() once reconciled
        self.journal = Journal()
        self.stop_event = threading.Event()
        self._emulator = Emulator(secret=options.secret)
        self._fire_handler = fire_handler
        self._reconcile_handler = reconcile_handler
        self.resources: Resources | None = None
        self.target: LocalTarget | None = None
        self.bridge: LocalEventBridge | None = None
        self.router: UploadRouter | None = None
        self.auditor: LocalAuditor | None = None
        self.watcher: JobsFileWatcher | None = None
        self.view: Any = None
        self.logs: HandlerLogs | None = None
        self._last_error = ""
        self._written: dict[Path, str] = {}  # files this session wrote, with their content
        self.secret_where = ""

    def start(self) -> DevSession:
        """Start the emulator, the target, the clock and the view; push the jobs file."""
        # The handlers' metrics are disabled locally; Powertools still warns on every flush.
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        res = self.resources = self._emulator.start()
        token_env = self._token_env(res)
        self._emulator.set_env({**QUIET_POWERTOOLS, **self._store_env(), **token_env})
        if self.options.local_target:
            self.target = LocalTarget(res.secret, self.options.port, on_call=self._on_call).start()
        fire = self._fire_handler or load_handler("handlers.fire")
        reconcile = self._reconcile_handler or load_handler("handlers.reconcile")
        self.logs = HandlerLogs(self.options.log_file).redirect()
        context = lambda: LocalContext("cron-adapter-fire", res.fire_arn)  # noqa: E731 - one per invocation
        chaos = Chaos(seed=self.options.seed) if self.options.chaos else None
        self.bridge = LocalEventBridge(
            client("scheduler", res.endpoint, res.region),
            res.group,
            res.fire_arn,
            self.clock,
            self.journal,
            lambda event: fire(event, context()),
            chaos=chaos,
            seed=self.options.seed,
        )
        self.router = UploadRouter(res, self.journal, self.clock, reconcile)
        # The auditor reads the environment the emulator set (AWS_ENDPOINT_URL), as the handlers do.
        env = {**res.handler_env(), **self._store_env(), **token_env}
        self.auditor = LocalAuditor(env, self.clock, self.journal, {})
        self.watcher = JobsFileWatcher(
            self.options.jobs_file,
            self.router.push,
            self._report,
            format=self.options.format,
            timezone=self.options.timezone,
            base_url=self.options.base_url,
            local_port=self.target.port if self.target else None,
        )
        env_file = self._write(self.options.log_file.parent / ENV_FILE_NAME, env_file_text(res))
        self.secret_where = self._secret_where(res)
        if not self.options.quiet:
            sources = Sources(
                self.journal,
                self.bridge.upcoming,
                self.calls,
                self.header,
                self.clock.now,
                paused=self.bridge.paused,
                schedule_text=self.watcher.schedules.get,
            )
            self.view = make_view(sources, live=self.options.live)
            self.view.start()
        now = self.clock.now()
        self.journal.note(now, "env", f"source {env_file} to run cron-adapter plan/apply against this emulator")
        self.journal.note(now, "env", f"shared secret: {self.secret_where} (point your app's CRON_SECRET_FILE at it)")
        if self.options.jwt_key:
            aud = self.options.jwt_audience or "(per job)"
            self.journal.note(now, "env", f"jwt targets get ES256 fire tokens, audience {aud}; see docs/hermes.md")
        return self

    def _token_env(self, res: Resources) -> dict[str, str]:
        """The fire Lambda's fire-token settings, with the key stored in the emulator (none without a key)."""
        if not self.options.jwt_key:
            return {}
        opts = self.options
        return provision_fire_token_key(res.endpoint, opts.jwt_key or "", opts.jwt_audience, opts.jwt_issuer)

    def _secret_where(self, res: Resources) -> str:
        """Where the session's shared secret can be read: the user's own source, else dev.secret (0600)."""
        if self.options.secret_source:
            return self.options.secret_source
        path = self._write(self.options.log_file.parent / SECRET_FILE_NAME, res.secret + "\n", private=True)
        return str(path)

    def _write(self, path: Path, text: str, *, private: bool = False) -> Path:
        """Write one of the session's files, remembering its content so close() removes only its own."""
        path.parent.mkdir(parents=True, exist_ok=True)
        if private:
            path.touch(mode=0o600, exist_ok=True)
            path.chmod(0o600)
        path.write_text(text)
        self._written[path] = text
        return path

    def calls(self) -> list[Any]:
        """The local target's calls so far (none without a local target)."""
        return self.target.log.snapshot() if self.target else []

    def _store_env(self) -> dict[str, str]:
        """What the stack would set beyond the resources: store format, timezone, base URL, allowed CIDRs."""
        opts, env = self.options, {}
        for name, value in (
            (c.ENV_STORE_FORMAT, opts.format),
            (c.ENV_STORE_TIMEZONE, opts.timezone),
            (c.ENV_BASE_URL, opts.base_url),
        ):
            if value:
                env[name] = value
        env[c.ENV_CREATE_GRACE_SECONDS] = f"{opts.grace:g}"
        if opts.allowed_cidrs:  # as the stack's allowed_cidrs prop sets it for the fire Lambda
            env[c.ENV_ALLOWED_CIDRS] = ",".join(opts.allowed_cidrs)
        return env

    def header(self) -> str:
        """The view's first line."""
        res, opts = self.resources, self.options
        chaos = f" · chaos (seed {opts.seed})" if opts.chaos else ""
        target = f"http://127.0.0.1:{self.target.port}" if self.target else "your app (no local target)"
        if opts.hermes:
            target = f"hermes {opts.hermes} (signed fires)"
        return (
            f"cron-adapter dev · {opts.jobs_file} · emulator {res.endpoint if res else '-'} · target {target} · "
            f"secret {self.secret_where or '-'} · speed {opts.speed:g}x{chaos} · "
            f"now {self.clock.now():%Y-%m-%d %H:%M:%S}Z · Ctrl-C stops"
        )

    def run(self) -> None:
        """Loop until stopped or the duration is over (bounded waits only)."""
        assert self.bridge and self.router and self.watcher
        self._first_reconcile()
        deadline = time.monotonic() + self.options.duration if self.options.duration else None
        next_watch = time.monotonic() + WATCH_EVERY_SECONDS
        next_trim = 0.0
        while not self.stop_event.is_set():
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                break
            if now >= next_watch:
                self.watcher.check()
                next_watch = now + WATCH_EVERY_SECONDS
            if now >= next_trim:
                self._emulator.forget_model_instances()
                next_trim = now + TRIM_EVERY_SECONDS
            self._safely(self.router.poll)
            self._safely(self.bridge.tick)
            if self.auditor:
                self._safely(self.auditor.tick)
            if self.view:
                self.view.refresh()
            self.stop_event.wait(TICK_SECONDS)

    def _first_reconcile(self) -> None:
        """Push the jobs file and hold the clock until it is reconciled (bounded), then release it.

        Starting the emulator and the first reconcile take real seconds, which are minutes
        at 60x: a clock running meanwhile would pass a one-shot's time before it exists.
        """
        assert self.router and self.watcher
        if self.watcher.check():
            until = time.monotonic() + FIRST_RECONCILE_SECONDS
            while self.router.runs == 0 and time.monotonic() < until and not self.stop_event.is_set():
                self._safely(self.router.poll)
                self.stop_event.wait(TICK_SECONDS)
        self.clock.release()

    def _safely(self, step: Any) -> None:
        """Run one step of the loop; an emulator hiccup is shown once, not fatal."""
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - keep the loop alive, show the problem
            text = f"{getattr(step, '__qualname__', step)}: {type(exc).__name__}: {exc}"
            if text != self._last_error:
                self._last_error = text
                self._report("error", text)

    def close(self) -> None:
        """Stop everything, in reverse order of start (safe after a partial start, safe twice).

        Each step runs even when an earlier one fails (a closed pipe when piped output was
        cut by Ctrl-C, say), and only files this session wrote are removed: a second
        ``dev`` that fails to start leaves the running session's dev.env alone.
        """
        self.stop_event.set()
        self._remove_own_files()  # first: nothing below may keep a stale dev.env behind
        steps: list[tuple[Any, str, tuple[Any, ...]]] = [
            (self.bridge, "close", (DRAIN_SECONDS,)),
            (self.view, "stop", ()),
            (self.target, "stop", ()),
            (self.logs, "restore", ()),
            (self._emulator, "stop", ()),
        ]
        for part, method, arguments in steps:
            if part is not None:
                with contextlib.suppress(Exception):  # shutting down: finish every step whatever fails
                    getattr(part, method)(*arguments)
        self.bridge = self.view = self.target = self.logs = None

    def _remove_own_files(self) -> None:
        for path, text in list(self._written.items()):
            with contextlib.suppress(OSError):
                if path.read_text() == text:  # still ours: another session may have replaced it
                    path.unlink()
            self._written.pop(path, None)

    def __enter__(self) -> DevSession:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def runs(self) -> list[dict[str, Any]]:
        """Every run row the fire handler wrote (read back from the emulated table)."""
        assert self.resources
        ddb = client("dynamodb", self.resources.endpoint, self.resources.region)
        rows: list[dict[str, Any]] = []
        for page in ddb.get_paginator("scan").paginate(TableName=self.resources.table):
            for item in page["Items"]:
                if item.get("sk", {}).get("S", "").startswith(RUN_PREFIX):
                    rows.append({k: next(iter(v.values())) for k, v in item.items()})
        return rows

    def summary(self) -> dict[str, Any]:
        """The machine-readable result of the session (``--output json``); call before close()."""
        from cron_adapter.local.summary import build_summary

        return build_summary(
            self.journal,
            self.runs(),
            self.calls(),
            self.clock,
            reconciles=self.router.runs if self.router else 0,
        )

    def _report(self, kind: str, text: str) -> None:
        self.journal.note(self.clock.now(), kind, text)

    def _on_call(self, call: Any) -> None:
        if isinstance(self.view, LineView):
            self.view.emit(call)


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
