"""Fire path benchmark, JWT mode: bench_fire.py's figures for a target with ``auth: jwt``.

Run: .venv/bin/python bench/bench_fire_jwt.py [--invocations N] [--trials T] [--imports R] [--tokens K]

Every fire of a jwt target signs a fresh ES256 token (per attempt) with the key read from
its Secrets Manager secret (cached per warm container), as a hermes-agent deployment fires.

1. AWS calls per warm fire, the real handler with AWS answered in-process. Goal: <= 4
   DynamoDB for the event's overlap skip (as bench_fire), 0 Secrets Manager (the key is
   read once per container, not per fire).
2. Cold: ``import handlers.fire`` plus the first jwt fire (key read + P-256 derivation +
   first signature) in a fresh interpreter, AWS answered in-process, against a bare
   ``import boto3`` and a first secret fire, median of R. Goal: ratio <= 1.3, as
   bench_coldstart.py's for a secret fire (see docs/decisions/cold-start.md).
3. p50/p99 handler overhead of warm jwt fires, target and AWS in-process. Goal: p50 < 10 ms.
   Secret fires are measured interleaved, so the difference is the jwt's cost on the same
   host at the same moment. Plus the cost of one signature (K tokens). Goal: < 2 ms per token.
4. A race of 64 duplicate deliveries per trial on moto DynamoDB, T trials: target calls per
   trial, and whether each call's token verifies (PyJWT, aud/iss/exp/purpose). Goal: exactly
   one call per trial, every token valid.

Each figure is printed with its goal and "ok" or "MISSED". It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_fire as base  # noqa: E402 - the secret-mode benchmark's fakes and helpers

AUDIENCE, ISSUER = "agent:bench", "https://cron.bench.test"
JWT_ENV = {
    "CRON_ADAPTER_JWT_SECRET_ID": "bench/fire-token-key",
    "CRON_ADAPTER_JWT_AUDIENCE": AUDIENCE,
    "CRON_ADAPTER_JWT_ISSUER": ISSUER,
}
say = base.say


def verdict(ok: bool) -> str:
    """The suffix of every figure: its goal met or not."""
    return "ok" if ok else "MISSED"


def jwt_event(i: int) -> dict[str, Any]:
    """bench_fire's event with a jwt target (the key secret answers with bench_fire's secret string)."""
    from cron_adapter.fire.inputsig import SIG_FIELD, InputKey, unseal

    e, _ = unseal(base.secret_event(i))
    e["job"]["target"]["auth"] = "jwt"
    return {**e, SIG_FIELD: InputKey(base.SECRET).sign(e)}  # signed again: the handler refuses a changed input


def use_jwt() -> None:
    """Point bench_fire's handler setup and events at jwt fires."""
    base.ENV.update(JWT_ENV)
    base.secret_event = base.event
    base.event = jwt_event


def bench_calls(fire_handler: Any, fake: Any) -> None:
    fire_handler.handler(base.event(0), base.Context())
    cold = dict(fake.calls)
    fake.calls.clear()
    fire_handler.handler(base.event(1), base.Context())
    warm = dict(fake.calls)
    # The event's overlap is the default, skip: a claim and a finish, each on the run row and the slot.
    ok = warm.get("dynamodb", 0) <= 4 and warm.get("secretsmanager", 0) == 0
    goal = "goal warm: dynamodb <= 4 for overlap skip, secretsmanager 0"
    say(f"1. AWS calls per jwt fire: cold {cold}; warm {warm} ({goal}) {verdict(ok)}")


def cold_child(kind: str) -> None:
    """Child mode: import the handler and run the first (cold) fire of ``kind``, AWS and target in-process."""
    if kind == "jwt":
        use_jwt()
    w, c = time.perf_counter(), time.process_time()
    fire_handler, _ = base.handler_with_fake_aws()
    fire_handler.handler(base.event(0), base.Context())
    print((time.perf_counter() - w) * 1000, (time.process_time() - c) * 1000, file=base.OUT)


def _child(code: list[str]) -> tuple[float, float]:
    """(wall ms, CPU ms) a fresh interpreter prints on its last line."""
    env = {**os.environ, "PYTHONPATH": str(base.ROOT)}
    out = subprocess.run([sys.executable, *code], capture_output=True, text=True, env=env, cwd=base.ROOT, check=True)
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


BOTO3 = "import time; w, c = time.perf_counter(), time.process_time(); import boto3; " + (
    "print((time.perf_counter() - w) * 1000, (time.process_time() - c) * 1000)"
)


def bench_cold(runs: int) -> None:
    jwt_first, secret_first = "handler import + first jwt fire", "handler import + first secret fire"
    kinds = {"boto3": ["-c", BOTO3], secret_first: [__file__, "--cold-child", "secret"]}
    kinds[jwt_first] = [__file__, "--cold-child", "jwt"]
    samples: dict[str, list[tuple[float, float]]] = {k: [] for k in kinds}
    _child(kinds[secret_first])  # warm the bytecode cache once
    for _ in range(runs):  # interleaved, so machine noise hits all alike
        for label, code in kinds.items():
            samples[label].append(_child(code))
    wall = {k: statistics.median(w for w, _ in v) for k, v in samples.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in samples.items()}
    say(f"2. cold, AWS in-process (median of {runs} fresh processes; wall / CPU ms; ratio to import boto3):")
    for label in samples:
        say(f"     {label:36s} {wall[label]:6.0f} / {cpu[label]:6.0f}   ratio {wall[label] / wall['boto3']:.2f}")
    ratio = wall[jwt_first] / wall["boto3"]
    extra_wall, extra_cpu = wall[jwt_first] - wall[secret_first], cpu[jwt_first] - cpu[secret_first]
    say(
        f"     jwt fire ratio {ratio:.2f} (goal <= 1.3, as for a secret fire) {verdict(ratio <= 1.3)}; a jwt "
        f"target adds {extra_wall:.0f} ms wall / {extra_cpu:.0f} ms CPU to a cold fire (CPU is steadier on a busy host)"
    )


def bench_overhead(fire_handler: Any, n: int, tokens: int) -> None:
    """Warm jwt fires and, interleaved, secret fires of the same handler: same host, same moment."""
    samples: dict[str, list[float]] = {"jwt": [], "secret": []}
    for i in range(n):
        for kind, make in (("jwt", base.event), ("secret", base.secret_event)):
            e, ctx = make(10 + 2 * i + (kind == "secret")), base.Context()
            t0 = time.perf_counter()
            fire_handler.handler(e, ctx)
            samples[kind].append((time.perf_counter() - t0) * 1000)
    p50 = {k: statistics.median(v) for k, v in samples.items()}
    p99 = {k: sorted(v)[int(0.99 * (len(v) - 1))] for k, v in samples.items()}
    say(
        f"3. handler overhead over {n} warm jwt fires (target and AWS in-process): "
        f"p50 {p50['jwt']:.2f} ms, p99 {p99['jwt']:.2f} ms (goal p50 < 10 ms) {verdict(p50['jwt'] < 10)}; "
        f"secret fires interleaved: p50 {p50['secret']:.2f} ms, p99 {p99['secret']:.2f} ms"
    )
    from cron_adapter.fire.jwt import Es256Signer

    signer = Es256Signer.from_secret(base.SECRET)
    t0 = time.perf_counter()
    for i in range(tokens):
        signer.sign({"aud": AUDIENCE, "iat": 0, "exp": 60, "jti": f"j:{i}", "purpose": "cron_fire"})
    per = (time.perf_counter() - t0) * 1000 / tokens
    say(f"   one ES256 signature: {per:.3f} ms (mean of {tokens}; goal < 2 ms) {verdict(per < 2)}")


def bench_race(trials: int, threads: int = 64) -> None:
    import jwt

    from cron_adapter.fire.jwt import Es256Signer
    from cron_adapter.fire.ports import TargetResponse
    from cron_adapter.fire.service import FireConfig
    from cron_adapter.fire.tokens import TokenDefaults

    public = Es256Signer.from_secret(base.SECRET).public_pem()

    class Verifying:
        """Counts calls and verifies each one's token as hermes does."""

        def __init__(self) -> None:
            self.n, self.bad, self.lock = 0, 0, threading.Lock()

        def call(self, request: Any, timeout: float) -> Any:
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            try:
                claims = jwt.decode(token, public, algorithms=["ES256"], audience=AUDIENCE, issuer=ISSUER, leeway=30)
                good = claims.get("purpose") == "cron_fire"
            except jwt.PyJWTError:
                good = False
            with self.lock:
                self.n += 1
                self.bad += not good
            return TargetResponse(202)

    caller = Verifying()
    config = FireConfig(tokens=TokenDefaults(lambda: base.SECRET, AUDIENCE, ISSUER))
    per_trial, took = base.run_races(trials, threads, caller, config)
    ok = set(per_trial) == {1} and caller.bad == 0
    say(
        f"4. race: {trials} trials x {threads} duplicate jwt deliveries on moto DynamoDB: target calls per trial "
        f"{dict(sorted(per_trial.items()))}, tokens refused {caller.bad} of {caller.n} "
        f"(goal: exactly 1 per trial, every token valid) {verdict(ok)} [{took:.1f} s]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invocations", type=int, default=2000)
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--imports", type=int, default=7)
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--cold-child", choices=("secret", "jwt"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_child:
        return cold_child(args.cold_child)
    say(f"fire benchmark, jwt targets: python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    use_jwt()
    fire_handler, fake = base.handler_with_fake_aws()
    bench_calls(fire_handler, fake)
    bench_cold(args.imports)
    bench_overhead(fire_handler, args.invocations, args.tokens)
    bench_race(args.trials)


if __name__ == "__main__":
    main()
