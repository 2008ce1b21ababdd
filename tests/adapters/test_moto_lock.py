"""The locks that make moto's DynamoDB writes atomic never deadlock one another.

Once a dev emulator has run in a process, its lock wraps moto's writes for good; the race
tests add their own serialization on top (``fire_support.lock_moto_writes``, the one helper).
A second helper with a lock of its own once took the two in opposite orders: a reconcile
race in CI then hung every later test that used moto.
"""

from __future__ import annotations

import threading

import boto3
import pytest
from moto import mock_aws

from cron_adapter.local.emulator import _serialize_dynamodb_writes
from tests.adapters.fire_support import lock_moto_writes

ROUNDS = 150


def test_update_item_and_batch_write_race_to_the_end_under_both_patches(monkeypatch: pytest.MonkeyPatch) -> None:
    _serialize_dynamodb_writes()  # what any earlier emulator in the process left behind
    lock_moto_writes(monkeypatch)
    with mock_aws():
        db = boto3.client("dynamodb", region_name="us-east-1")
        db.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        finished: list[str] = []

        def updates() -> None:  # UpdateItem: locked at moto's response layer, then its backend
            for i in range(ROUNDS):
                values = {":v": {"N": str(i)}}
                db.update_item(TableName="t", Key={"k": {"S": "a"}}, UpdateExpression="SET v = :v",
                               ExpressionAttributeValues=values)  # fmt: skip
            finished.append("update")

        def batches() -> None:  # BatchWriteItem: locked at the backend only
            for i in range(ROUNDS):
                db.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": {"k": {"S": f"b{i}"}}}}]})
            finished.append("batch")

        threads = [threading.Thread(target=f, daemon=True) for f in (updates, batches)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(finished) == ["batch", "update"], "deadlocked: a thread never finished"
        assert db.scan(TableName="t", Select="COUNT")["Count"] == ROUNDS + 1


def test_the_race_helper_waits_on_the_emulators_own_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    # A helper with a lock of its own is what deadlocked: each op it wraps must wait on this one.
    from moto.dynamodb.models import DynamoDBBackend

    from cron_adapter.local.emulator import MOTO_WRITE_LOCK

    reached = threading.Event()
    monkeypatch.setattr(DynamoDBBackend, "get_item", lambda self, *args, **kwargs: reached.set())
    lock_moto_writes(monkeypatch)
    with MOTO_WRITE_LOCK:
        reader = threading.Thread(target=DynamoDBBackend.get_item, args=(None,), daemon=True)
        reader.start()
        assert not reached.wait(0.3), "the helper's get_item ran while the emulator's lock was held"
    assert reached.wait(10)
    reader.join(10)
