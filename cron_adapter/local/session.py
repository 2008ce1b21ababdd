"""One ``cron-adapter dev`` session: emulator + target + router + clock + watcher + view.

    jobs.json --watch--> S3 (moto) --notify--> SQS --poll--> handlers.reconcile.handler
        --> Scheduler group (moto) --LocalEventBridge--> handlers.fire.handler
        --> http://127.0.0.1:8787 (LocalTarget, checks the secret)

``run()`` loops on the real clock with short, bounded waits (``loop.DevLoop``) and returns
when the stop event is set (Ctrl-C) or the duration is over; ``close()`` stops everything
in reverse order.
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cron_adapter.local import wiring
from cron_adapter.local.audit import LocalAuditor
from cron_adapter.local.clock import LocalEventBridge
from cron_adapter.local.devfiles import OwnFiles, write_session_files
from cron_adapter.local.emulator import Emulator, Resources, client
from cron_adapter.local.journal import Journal
from cron_adapter.local.lambda_context import QUIET_POWERTOOLS, HandlerLogs, load_handler
from cron_adapter.local.loop import DevLoop
from cron_adapter.local.options import DevOptions, store_env
from cron_adapter.local.router import UploadRouter
from cron_adapter.local.simclock import SimClock
from cron_adapter.local.target import LocalTarget
from cron_adapter.local.view import LineView, Sources, make_view
from cron_adapter.local.watch import JobsFileWatcher
from cron_adapter.tablekeys import RUN_PREFIX

DRAIN_SECONDS = 15.0


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
        self._files = OwnFiles()  # what close() removes
        self.secret_where = ""

    def start(self) -> DevSession:
        """Start the emulator, the target, the clock and the view; push the jobs file."""
        opts = self.options
        res, env = self._start_emulator()
        if opts.local_target:
            self.target = LocalTarget(res.secret, opts.port, on_call=self._on_call).start()
        fire = self._fire_handler or wiring.load_fire_handler(self.clock)
        reconcile = self._reconcile_handler or load_handler("handlers.reconcile")
        self.logs = HandlerLogs(opts.log_file).redirect()
        self.bridge = wiring.make_bridge(opts, res, self.clock, self.journal, fire)
        self.router = UploadRouter(res, self.journal, self.clock, reconcile)
        self.auditor = LocalAuditor(env, self.clock, self.journal, {})
        self.watcher = wiring.make_watcher(opts, self.router.push, self._report, self._target_port())
        env_file, self.secret_where = write_session_files(self._files, opts.log_file.parent, res, opts.secret_source)
        if not opts.quiet:
            self.view = self._start_view(self.bridge, self.watcher)
        self._note_env(env_file)
        return self

    def _start_emulator(self) -> tuple[Resources, dict[str, str]]:
        """Start the emulator with the handlers' environment; return its resources and the auditor's environment."""
        # The handlers' metrics are disabled locally; Powertools still warns on every flush.
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        res = self.resources = self._emulator.start()
        token_env = wiring.token_env(self.options, res)
        self._emulator.set_env({**QUIET_POWERTOOLS, **store_env(self.options), **token_env})
        # The auditor reads the environment the emulator set (AWS_ENDPOINT_URL), as the handlers do.
        return res, {**res.handler_env(), **store_env(self.options), **token_env}

    def _start_view(self, bridge: LocalEventBridge, watcher: JobsFileWatcher) -> Any:
        """The live view (or plain lines) of the journal, the next fires and the target's calls, started."""
        sources = Sources(
            self.journal,
            bridge.upcoming,
            self.calls,
            self.header,
            self.clock.now,
            paused=bridge.paused,
            schedule_text=watcher.schedules.get,
        )
        view = make_view(sources, live=self.options.live)
        view.start()
        return view

    def _note_env(self, env_file: Path) -> None:
        """Tell the user how to point the CLI and their app at this session."""
        now = self.clock.now()
        self.journal.note(now, "env", f"source {env_file} to run cron-adapter plan/apply against this emulator")
        self.journal.note(now, "env", f"shared secret: {self.secret_where} (point your app's CRON_SECRET_FILE at it)")
        if self.options.jwt_key:
            aud = self.options.jwt_audience or "(per job)"
            self.journal.note(now, "env", f"jwt targets get ES256 fire tokens, audience {aud}; see docs/hermes.md")

    def _target_port(self) -> int | None:
        return self.target.port if self.target else None

    def calls(self) -> list[Any]:
        """The local target's calls so far (none without a local target)."""
        return self.target.log.snapshot() if self.target else []

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
        steps: list[Callable[[], object]] = [self.router.poll, self.bridge.tick]
        if self.auditor:
            steps.append(self.auditor.tick)
        loop = DevLoop(
            self.stop_event,
            self.clock,
            self.router,
            self.watcher,
            steps,
            trim=self._emulator.forget_model_instances,
            refresh=self._refresh_view,
            report=self._report,
        )
        loop.run(self.options.duration)

    def _refresh_view(self) -> None:
        if self.view:
            self.view.refresh()

    def close(self) -> None:
        """Stop everything, in reverse order of start (safe after a partial start, safe twice).

        Each step runs even when an earlier one fails (a closed pipe when piped output was
        cut by Ctrl-C, say), and only files this session wrote are removed: a second
        ``dev`` that fails to start leaves the running session's dev.env alone.
        """
        self.stop_event.set()
        self._files.remove()  # first: nothing below may keep a stale dev.env behind
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
