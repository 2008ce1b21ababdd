"""Error translation in the DynamoDB claim store (botocore Stubber: exact cancellation reasons)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import ANY, Stubber

from cron_adapter.adapters.claims import DynamoClaimStore
from cron_adapter.errors import ClaimConflict, ClaimError
from cron_adapter.fire.ports import Claim, JobState, RunKey
from tests.adapters.fire_support import fake_aws_env

KEY = RunKey("j", "2026-11-23T03:00:00Z")
CLAIM = Claim(KEY, "req-1", 1, 1000.0, 1100.0, 99999, "skip", None, "h")


@pytest.fixture
def stubbed(monkeypatch):
    fake_aws_env(monkeypatch)
    client = boto3.client("dynamodb")
    with Stubber(client) as stub:
        yield DynamoClaimStore("t", client=client), stub


def cancel(stub: Stubber, *reasons: dict) -> None:
    stub.add_client_error(
        "transact_write_items",
        "TransactionCanceledException",
        "cancelled",
        modeled_fields={"CancellationReasons": list(reasons)},
    )


def test_run_condition_failure_is_a_conflict_carrying_the_old_item(stubbed) -> None:
    store, stub = stubbed
    item = {"status": {"S": "claimed"}, "holder": {"S": "req-0"}, "lease_until": {"N": "1050"}}
    cancel(stub, {"Code": "ConditionalCheckFailed", "Item": item}, {"Code": "None"})
    with pytest.raises(ClaimConflict) as err:
        store.claim(CLAIM)
    assert (err.value.status, err.value.holder, err.value.lease_until) == ("claimed", "req-0", 1050)


def test_state_condition_failure_returns_the_job_state(stubbed) -> None:
    store, stub = stubbed
    item = {"running": {"S": "2026-11-23T02:55:00Z"}, "running_lease": {"N": "1200"}, "runs": {"N": "4"}}
    cancel(stub, {"Code": "None"}, {"Code": "ConditionalCheckFailed", "Item": item})
    assert store.claim(CLAIM) == JobState("2026-11-23T02:55:00Z", None, 1200, None, 4)


def test_transaction_conflict_is_retried(stubbed) -> None:
    store, stub = stubbed
    cancel(stub, {"Code": "TransactionConflict"}, {"Code": "None"})
    stub.add_response("transact_write_items", {})
    assert store.claim(CLAIM) is None


def test_other_failures_become_claim_errors(stubbed) -> None:
    store, stub = stubbed
    stub.add_client_error("transact_write_items", "ProvisionedThroughputExceededException", "slow down")
    with pytest.raises(ClaimError) as err:
        store.claim(CLAIM)
    assert not isinstance(err.value, ClaimConflict) and err.value.__cause__ is not None


def test_claim_request_shape(stubbed) -> None:
    store, stub = stubbed
    expected = {
        "TransactItems": [
            {
                "Update": {
                    "TableName": "t",
                    "Key": {"pk": {"S": "JOB#j"}, "sk": {"S": "RUN#2026-11-23T03:00:00Z"}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "UpdateExpression": ANY,
                    "ExpressionAttributeNames": ANY,
                    "ExpressionAttributeValues": ANY,
                }
            },
            {
                "Update": {
                    "TableName": "t",
                    "Key": {"pk": {"S": "JOB#j"}, "sk": {"S": "STATE"}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    "ConditionExpression": "(attribute_not_exists(#running) OR #running_lease < :now)",
                    "UpdateExpression": ANY,
                    "ExpressionAttributeNames": ANY,
                    "ExpressionAttributeValues": ANY,
                }
            },
        ]
    }
    stub.add_response("transact_write_items", {}, expected)
    assert store.claim(CLAIM) is None
