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
CLAIM = Claim(KEY, "req-1", 1, 1000.0, 1100.0, 99999, "skip", 5, "h")  # max_runs: one transaction
STEPS = Claim(KEY, "req-1", 1, 1000.0, 1100.0, 99999, "skip", None, "h")  # single-item writes


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
                    "ConditionExpression": (
                        "(attribute_not_exists(#running) OR #running_lease < :now)"
                        " AND (attribute_not_exists(#runs) OR #runs < :max)"
                    ),
                    "UpdateExpression": ANY,
                    "ExpressionAttributeNames": ANY,
                    "ExpressionAttributeValues": ANY,
                }
            },
        ]
    }
    stub.add_response("transact_write_items", {}, expected)
    assert store.claim(CLAIM) is None


# --- single-item writes (overlap skip/allow, no max_runs) -----------------------------------------


def ccf(stub: Stubber, method: str, item: dict) -> None:
    stub.add_client_error(
        method, "ConditionalCheckFailedException", "refused", response_meta=None, modeled_fields={"Item": item}
    )


def test_steps_a_refused_run_row_is_a_conflict_and_nothing_else_is_written(stubbed) -> None:
    store, stub = stubbed
    ccf(stub, "update_item", {"status": {"S": "claimed"}, "holder": {"S": "req-0"}, "lease_until": {"N": "1050"}})
    with pytest.raises(ClaimConflict) as err:
        store.claim(STEPS)
    assert (err.value.holder, err.value.status) == ("req-0", "claimed")
    stub.assert_no_pending_responses()


def test_steps_a_refused_slot_returns_the_state_and_undoes_the_run_row(stubbed) -> None:
    store, stub = stubbed
    stub.add_response("update_item", {})
    ccf(stub, "update_item", {"running": {"S": "2026-11-23T02:55:00Z"}, "running_lease": {"N": "1200"}})
    undo = {
        "TableName": "t",
        "Key": {"pk": {"S": "JOB#j"}, "sk": {"S": "RUN#2026-11-23T03:00:00Z"}},
        "ConditionExpression": "#status = :claimed AND #holder = :holder AND #lease_until = :lease_until",
        "ExpressionAttributeNames": ANY,
        "ExpressionAttributeValues": ANY,
    }
    stub.add_response("delete_item", {}, undo)
    assert store.claim(STEPS) == JobState("2026-11-23T02:55:00Z", None, 1200, None, 0)
    stub.assert_no_pending_responses()


def test_steps_other_failures_become_claim_errors(stubbed) -> None:
    store, stub = stubbed
    stub.add_response("update_item", {})
    stub.add_client_error("update_item", "InternalServerError", "boom")
    with pytest.raises(ClaimError) as err:
        store.claim(STEPS)
    assert not isinstance(err.value, ClaimConflict) and err.value.__cause__ is not None
