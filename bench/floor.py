"""The floor of a cold fire: the same AWS and HTTP work as the fire handler, with bare boto3 and stdlib.

Run by bench/bench_coldstart.py in a fresh interpreter, with the fire handler's environment
(``AWS_ENDPOINT_URL`` pointing at moto's server on 127.0.0.1, the table and secret ids) and
FLOOR_URL / FLOOR_JOB / FLOOR_TIME naming the call. It makes the handler's AWS calls for
a job of the default policy (overlap ``skip``), in the same order: it reads the input-signing
key and checks the event's HMAC with ``hmac``, reads the target secret (two
GetSecretValue), claims the run and takes the job's slot (two conditional UpdateItem),
POSTs to the target with ``http.client``, then releases the slot and records the outcome
(two more). It validates nothing, logs nothing and counts nothing, which is what the
handler adds on top.

Prints ``BENCH <import wall ms> <import CPU ms> <total wall ms> <total CPU ms> <AWS operations>``.
"""

from __future__ import annotations

import time

WALL, CPU = time.perf_counter(), time.process_time()

import hashlib  # noqa: E402  (timed: these imports are the floor's import)
import hmac  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import boto3  # noqa: E402

IMPORT_WALL, IMPORT_CPU = time.perf_counter(), time.process_time()


def fire(url: str, job: str, when: str) -> list[str]:
    """One fire: key, check, secret, claim and slot, call, release and finish. Returns the AWS operations made."""
    ops: list[str] = []
    session = boto3.session.Session()
    session.events.register("before-call", lambda model, **_: ops.append(model.name))
    secrets = session.client("secretsmanager")
    key = secrets.get_secret_value(SecretId=os.environ["CRON_ADAPTER_INPUT_KEY_ID"])["SecretString"]
    _verify(json.loads(os.environ["BENCH_EVENT"]), key)
    secret = secrets.get_secret_value(SecretId=os.environ["CRON_ADAPTER_SECRET_ID"])["SecretString"]
    dynamodb, table = session.client("dynamodb"), os.environ["CRON_ADAPTER_TABLE"]
    run = {"pk": {"S": f"JOB#{job}"}, "sk": {"S": f"RUN#{when}"}}
    slot = {"pk": {"S": f"JOB#{job}"}, "sk": {"S": "SLOT"}}
    _set(dynamodb, table, run, "claimed", "attribute_not_exists(pk)")
    _set(dynamodb, table, slot, when, "attribute_not_exists(pk) OR #s = :free")
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    body = json.dumps({"job_id": job, "fire_at": when}).encode()
    conn.request("POST", parts.path or "/", body=body, headers={"Authorization": f"Bearer {secret}"})
    status = conn.getresponse().status
    conn.close()
    _set(dynamodb, table, slot, "", "#s = :held", held=when)
    _set(dynamodb, table, run, f"succeeded {status}", "#s = :held", held="claimed")
    return ops


def _verify(event: dict, key: str) -> None:
    """Check the event's ``sig`` as the handler does: HMAC-SHA256 of the sorted, compact JSON of its signed fields."""
    signed = {k: v for k, v in event.items() if k not in {"sig", "scheduled_time", "attempt"}}
    body = b"cron-adapter fire input v1\n" + json.dumps(signed, sort_keys=True, separators=(",", ":")).encode()
    digest = hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(digest, str(event.get("sig", "")).rsplit(".", 1)[-1]):
        raise SystemExit("the event's signature did not verify")


def _set(dynamodb: object, table: str, key: dict, status: str, condition: str, held: str = "") -> None:
    """One conditional UpdateItem of ``status`` (``:free`` is the empty slot, ``:held`` the expected value)."""
    values = {":s": {"S": status}, ":free": {"S": ""}, ":held": {"S": held}}
    values = {k: v for k, v in values.items() if k in condition or k == ":s"}
    dynamodb.update_item(  # type: ignore[attr-defined]
        TableName=table,
        Key=key,
        UpdateExpression="SET #s = :s",
        ConditionExpression=condition,
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues=values,
    )


def main() -> None:
    ops = fire(os.environ["FLOOR_URL"], os.environ["FLOOR_JOB"], os.environ["FLOOR_TIME"])
    wall, cpu = (time.perf_counter() - WALL) * 1000, (time.process_time() - CPU) * 1000
    imp_wall, imp_cpu = (IMPORT_WALL - WALL) * 1000, (IMPORT_CPU - CPU) * 1000
    print(f"BENCH {imp_wall:.2f} {imp_cpu:.2f} {wall:.2f} {cpu:.2f} {','.join(ops)}", flush=True)


if __name__ == "__main__":
    main()
