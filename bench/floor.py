"""The floor of a cold fire: the same AWS and HTTP work as the fire handler, with bare boto3 and stdlib.

Run by bench/bench_coldstart.py in a fresh interpreter, with the fire handler's environment
(``AWS_ENDPOINT_URL`` pointing at moto's server on 127.0.0.1, the table and secret ids) and
FLOOR_URL / FLOOR_JOB / FLOOR_TIME naming the call. It reads the secret (one
GetSecretValue), claims the run with one conditional PutItem, POSTs to the target with
``http.client`` and records the outcome with one conditional UpdateItem: the least a fire
can do and still be at-most-once-per-claim. It validates nothing, logs nothing and counts
nothing, which is what the handler adds on top.

Prints ``BENCH <import wall ms> <import CPU ms> <total wall ms> <total CPU ms> <AWS operations>``.
"""

from __future__ import annotations

import time

WALL, CPU = time.perf_counter(), time.process_time()

import http.client  # noqa: E402  (timed: these imports are the floor's import)
import json  # noqa: E402
import os  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import boto3  # noqa: E402

IMPORT_WALL, IMPORT_CPU = time.perf_counter(), time.process_time()


def fire(url: str, job: str, when: str) -> list[str]:
    """One fire: secret, claim, call, finish. Returns the AWS operations made, in order."""
    ops: list[str] = []
    session = boto3.session.Session()
    session.events.register("before-call", lambda model, **_: ops.append(model.name))
    table = os.environ["CRON_ADAPTER_TABLE"]
    secret = session.client("secretsmanager").get_secret_value(SecretId=os.environ["CRON_ADAPTER_SECRET_ID"])
    dynamodb = session.client("dynamodb")
    key = {"pk": {"S": f"JOB#{job}"}, "sk": {"S": f"RUN#{when}"}}
    dynamodb.put_item(
        TableName=table,
        Item={**key, "status": {"S": "claimed"}},
        ConditionExpression="attribute_not_exists(pk)",
    )
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    body = json.dumps({"job_id": job, "fire_at": when}).encode()
    headers = {"Authorization": f"Bearer {secret['SecretString']}", "Content-Type": "application/json"}
    conn.request("POST", parts.path or "/", body=body, headers=headers)
    status = conn.getresponse().status
    conn.close()
    dynamodb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET #s = :s, http_status = :h",
        ConditionExpression="#s = :claimed",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "succeeded"}, ":h": {"N": str(status)}, ":claimed": {"S": "claimed"}},
    )
    return ops


def main() -> None:
    ops = fire(os.environ["FLOOR_URL"], os.environ["FLOOR_JOB"], os.environ["FLOOR_TIME"])
    wall, cpu = (time.perf_counter() - WALL) * 1000, (time.process_time() - CPU) * 1000
    imp_wall, imp_cpu = (IMPORT_WALL - WALL) * 1000, (IMPORT_CPU - CPU) * 1000
    print(f"BENCH {imp_wall:.2f} {imp_cpu:.2f} {wall:.2f} {cpu:.2f} {','.join(ops)}", flush=True)


if __name__ == "__main__":
    main()
