"""The claim store's DynamoDB calls and their error translation.

A refused condition comes back with the item as it was (``ALL_OLD``): a refused run row
becomes :class:`~cron_adapter.errors.ClaimConflict` naming its holder and status, a refused
guard (the catch-up's row, or the late delivery's) a ClaimConflict naming that row, a refused
job state the :class:`~cron_adapter.fire.ports.JobState` the service decides on.
Anything else is a :class:`~cron_adapter.errors.ClaimError` raised ``from`` the AWS error.
"""

from __future__ import annotations

import random
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from cron_adapter.adapters.dynamo_expr import error_code, plain
from cron_adapter.errors import ClaimConflict, ClaimError
from cron_adapter.fire.ports import JobState, RunKey
from cron_adapter.tablekeys import RUN_PREFIX

CONFLICT_RETRIES = 3  # TransactionConflict: another transaction touched the item; brief retry


def job_state(old: dict[str, Any] | None) -> JobState:
    """The JobState of a STATE item (empty when there is none)."""
    p = plain(old)
    return JobState(
        p.get("running"), p.get("running_holder"), p.get("running_lease"), p.get("queued"), int(p.get("runs", 0))
    )


def conflict(key: RunKey, old: dict[str, Any] | None) -> ClaimConflict:
    """The ClaimConflict of a refused run row."""
    p = plain(old)
    return ClaimConflict(key.job_id, key.scheduled_time, p.get("holder"), p.get("status"), p.get("lease_until"))


def guarded(key: RunKey, old: dict[str, Any] | None) -> ClaimConflict:
    """The ClaimConflict of a refused guard: the scheduled time is run under the other key.

    A late delivery finds a catch-up's row, or a catch-up finds its time delivered late: the
    status names the other row's status and key (``claimed as <time>~catch-up``). No holder is
    named, so the fire path never takes the other row over: it is a duplicate.
    """
    p = plain(old)
    other = str(p.get("sk", "")).removeprefix(RUN_PREFIX) or "another key"
    return ClaimConflict(key.job_id, key.scheduled_time, None, f"{p.get('status') or 'written'} as {other}")


def unreachable(job_id: str, exc: BotoCoreError) -> ClaimError:
    """A timeout or reset that outlived botocore's retries: a store failure like a 5xx."""
    # The delivery fails (and is redelivered) and the "failed claims" alarm counts it.
    return ClaimError(f"claim store unreachable for job {job_id!r}: {type(exc).__name__}")


def applied(old: dict[str, Any] | None, mine: dict[str, Any] | None) -> bool:
    """True when the refused item already holds this very write (its answer was lost and it was retried).

    ``mine`` names values no other write leaves: the holder with its lease (or finish time).
    The holder alone would not do: Lambda retries a failed invocation under the same request
    id, and that retry must still see the earlier attempt's claim as another's.
    """
    if not mine or not old:
        return False
    p = plain(old)
    return all(p.get(name) == (round(v, 3) if isinstance(v, float) else v) for name, v in mine.items())


def transact(
    client: Any, key: RunKey, items: list[tuple[str, dict[str, Any]]], mine: dict[str, Any] | None = None
) -> JobState | None:
    """Run one transaction of ``(role, item)``; None when committed, the JobState if the state refused.

    A run row refused because it already holds ``mine`` means this transaction committed
    before (a transaction is all or nothing): None.
    """
    for attempt in range(CONFLICT_RETRIES + 1):
        try:
            client.transact_write_items(TransactItems=[op for _, op in items])
            return None
        except BotoCoreError as exc:
            raise unreachable(key.job_id, exc) from exc
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise ClaimError(f"claim store failed for job {key.job_id!r}: {error_code(exc)}") from exc
            reasons = exc.response.get("CancellationReasons") or []
            failed = {
                role: r
                for (role, _), r in zip(items, reasons, strict=False)
                if r.get("Code") == "ConditionalCheckFailed"
            }
            if failed:
                return _refused(key, failed, mine, exc)
            codes = {r.get("Code") for r in reasons}
            if (
                codes <= {"None", "TransactionConflict"}
                and "TransactionConflict" in codes
                and attempt < CONFLICT_RETRIES
            ):
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
                continue
            raise ClaimError(f"claim transaction for job {key.job_id!r} cancelled: {sorted(map(str, codes))}") from exc
    raise ClaimError(f"claim transaction for job {key.job_id!r} kept conflicting")


def _refused(
    key: RunKey, failed: dict[str, dict[str, Any]], mine: dict[str, Any] | None, exc: ClientError
) -> JobState | None:
    """Act on a transaction's refused conditions, by role: its own result, a conflict, a guard, the state."""
    old = {role: reason.get("Item") for role, reason in failed.items()}
    if "run" in old and applied(old["run"], mine):
        return None
    if "run" in old:
        raise conflict(key, old["run"]) from exc
    if "guard" in old:
        raise guarded(key, old["guard"]) from exc
    if "state" in old:
        return job_state(old["state"])
    raise ClaimError(f"claim transaction for job {key.job_id!r} refused on {sorted(old)}") from exc


def single(client: Any, key: RunKey, method: str, params: dict[str, Any], mine: dict[str, Any] | None = None) -> None:
    """One conditional write of the run row; a refused condition is a ClaimConflict (unless it holds ``mine``)."""
    try:
        getattr(client, method)(**{**params, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    except BotoCoreError as exc:
        raise unreachable(key.job_id, exc) from exc
    except ClientError as exc:
        if error_code(exc) == "ConditionalCheckFailedException" and applied(exc.response.get("Item"), mine):
            return
        if error_code(exc) == "ConditionalCheckFailedException":
            raise conflict(key, exc.response.get("Item")) from exc
        raise ClaimError(f"claim store failed for job {key.job_id!r}: {error_code(exc)}") from exc
