"""Cold fire benchmark: the fire handler's cold import and whole first invocation, against `import boto3` and a floor.

Run: .venv/bin/python bench/bench_coldstart.py [--runs N]

One moto server on 127.0.0.1 (DynamoDB, Secrets Manager) and one loopback HTTP target serve
every run. Each run starts three fresh interpreters, interleaved so machine noise hits all alike:

- ``import boto3`` alone;
- the floor (bench/floor.py): bare boto3 and the standard library making the same AWS calls
  (the secret read, a claim write, a finish write) and the same HTTP call;
- the real handler (bench/cold_child.py): ``import handlers.fire``, then its first
  invocation with a fire event for the loopback target.

It prints the medians of N runs (wall and CPU ms), each figure as a ratio to ``import boto3``
and to the floor, with the goals beside them: the handler's import at most 1.3x ``import boto3``;
the whole first invocation measured against the floor. A goal not met is printed MISSED.
It measures and prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import compileall
import json
import logging
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
IMPORT_GOAL = 1.3
TABLE, SECRET_ID = "bench-cold", "bench/cold-secret"
SECRET = "bench-cold-secret-" + "c" * 40
INPUT_KEY_ID, INPUT_KEY = "bench/cold-input-key", "bench-cold-input-key-" + "k" * 40
KINDS = ("boto3", "floor", "handler")


class _Target(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802  (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


def _event(url: str, job: str, when: str) -> dict[str, Any]:
    event = json.loads((ROOT / "events" / "fire.json").read_text())
    event.update(job_id=job, schedule=job, scheduled_time=when)
    event["job"]["target"]["url"] = url
    event["job"]["schedules"] = [job]
    from cron_adapter.fire.inputsig import SIG_FIELD, InputKey

    return {**event, SIG_FIELD: InputKey(INPUT_KEY).sign(event)}  # signed as reconcile signs; the handler checks


def _run(kind: str, env: dict[str, str], url: str, i: int) -> tuple[list[float], str]:
    """One fresh interpreter of ``kind``: ([import wall, import CPU, total wall, total CPU] ms, AWS ops)."""
    job, when = f"cold-{kind}-{i}-{uuid.uuid4().hex[:6]}", time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime())
    child_env = {**env, "FLOOR_URL": url, "FLOOR_JOB": job, "FLOOR_TIME": when}
    child_env["BENCH_EVENT"] = json.dumps(_event(url, job, when))
    script = [str(ROOT / "bench" / "floor.py")] if kind == "floor" else [str(ROOT / "bench" / "cold_child.py"), kind]
    out = subprocess.run([sys.executable, *script], capture_output=True, text=True, env=child_env, cwd=ROOT)
    lines = [line for line in out.stdout.splitlines() if line.startswith("BENCH ")]
    if out.returncode or not lines:
        raise SystemExit(f"{kind} run failed ({out.returncode}): {out.stderr[-2000:] or out.stdout[-2000:]}")
    *figures, ops = lines[-1].split()[1:]
    return [float(x) for x in figures], ops


def _servers() -> tuple[Any, ThreadingHTTPServer, dict[str, str]]:
    """moto's server and the target on 127.0.0.1 (port 0), the table and secret made; the child environment."""
    from moto.server import ThreadedMotoServer

    from cron_adapter import constants as c

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CRON_ADAPTER_", "POWERTOOLS_"))},
        "PYTHONPATH": str(ROOT),
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        c.ENV_TABLE: TABLE,
        c.ENV_SECRET_ID: SECRET_ID,
        c.ENV_INPUT_KEY_ID: INPUT_KEY_ID,
        c.ENV_ALLOW_HTTP_LOOPBACK: "true",
    }
    os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
    import boto3

    boto3.client("dynamodb").create_table(TableName=TABLE, **c.TABLE_DEFINITION)
    boto3.client("secretsmanager").create_secret(Name=SECRET_ID, SecretString=SECRET)
    boto3.client("secretsmanager").create_secret(Name=INPUT_KEY_ID, SecretString=INPUT_KEY)
    target = ThreadingHTTPServer(("127.0.0.1", 0), _Target)
    threading.Thread(target=target.serve_forever, daemon=True).start()
    return moto, target, env


def _verdict(ratio: float, goal: float) -> str:
    return f"goal <= {goal}: met" if ratio <= goal else f"goal <= {goal}: MISSED"


def report(samples: dict[str, list[list[float]]], ops: dict[str, str], runs: int) -> None:
    """Print the medians and the ratios, goals beside them."""
    med = {k: [statistics.median(s[j] for s in v) for j in range(4)] for k, v in samples.items()}
    boto3_w, boto3_c = med["boto3"][0], med["boto3"][1]
    print(f"cold fire, median of {runs} fresh interpreters each (wall / CPU ms; ratios wall / CPU):")
    print(f"  import boto3                      {boto3_w:7.1f} / {boto3_c:7.1f}")
    for label, k, j in (("floor import", "floor", 0), ("floor whole fire", "floor", 2)):
        print(f"  {label:32s}  {med[k][j]:7.1f} / {med[k][j + 1]:7.1f}   x boto3 {_ratio(med[k], j, boto3_w, boto3_c)}")
    h, f = med["handler"], med["floor"]
    imp = (h[0] / boto3_w, h[1] / boto3_c)
    print(
        f"  handler import                    {h[0]:7.1f} / {h[1]:7.1f}   x boto3 {imp[0]:.2f} / {imp[1]:.2f}"
        f"   x floor import {h[0] / f[0]:.2f} / {h[1] / f[1]:.2f}   ({_verdict(max(imp), IMPORT_GOAL)})"
    )
    print(
        f"  handler import + first invocation {h[2]:7.1f} / {h[3]:7.1f}   x boto3 {_ratio(h, 2, boto3_w, boto3_c)}"
        f"   x floor whole fire {h[2] / f[2]:.2f} / {h[3] / f[3]:.2f}   (goal: measured against the floor)"
    )
    print(f"  AWS calls: handler {ops['handler']}; floor {ops['floor']}")
    print("  (the import goal is judged on the larger of the wall and CPU ratios; CPU is steadier on a busy host)")


def _ratio(m: list[float], j: int, wall: float, cpu: float) -> str:
    return f"{m[j] / wall:.2f} / {m[j + 1] / cpu:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="fresh interpreters per kind (default 9)")
    args = parser.parse_args()
    runs = max(1, min(args.runs, 200))
    print(f"cold fire benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {runs} runs", flush=True)
    # The asset ships compiled bytecode (infra bytecode.py); so does this tree, even where
    # PYTHONDONTWRITEBYTECODE would keep the warm-up run from writing it.
    for package in ("cron_adapter", "handlers"):
        compileall.compile_dir(ROOT / package, quiet=1)
    moto, target, env = _servers()
    url = f"http://127.0.0.1:{target.server_address[1]}/hook"
    try:
        for kind in KINDS:
            _run(kind, env, url, -1)  # warm the bytecode caches once, not timed
        samples: dict[str, list[list[float]]] = {k: [] for k in KINDS}
        ops: dict[str, str] = {}
        for i in range(runs):
            for kind in KINDS:
                figures, ops[kind] = _run(kind, env, url, i)
                samples[kind].append(figures)
            print(f"  run {i + 1}/{runs} done", file=sys.stderr, flush=True)
        report(samples, ops, runs)
    finally:
        target.shutdown()
        moto.stop()


if __name__ == "__main__":
    main()
