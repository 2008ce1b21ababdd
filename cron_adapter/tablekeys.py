"""Every item key of the one DynamoDB table, defined once (pure: no boto3).

The fire path, reconcile, the CLI, ``cron-adapter dev`` and the tests build keys only
through this module, so a prefix can never be spelt two ways::

    pk                      sk                          written by   read by
    JOB#<job id>            RUN#<2026-11-23T03:00:00Z>  fire         fire, dev, runs
    JOB#<job id>            STATE                       fire         fire
    EXHAUSTED               <job id>                    fire         reconcile
    LEDGER#<group>          <schedule name>             reconcile    reconcile
    LOCK                    reconcile#<group>           reconcile    reconcile
    STATUS#<group>          <jobs object ETag> | latest reconcile    push --wait
    UNSCHEDULED             <group>                     reconcile    reconcile

The key attribute names themselves (``pk``, ``sk``) are in ``constants``, which the CDK
stack shares.
"""

from __future__ import annotations

from typing import Final

JOB_PREFIX: Final = "JOB#"
RUN_PREFIX: Final = "RUN#"
STATE_SK: Final = "STATE"
EXHAUSTED_PK: Final = "EXHAUSTED"
LEDGER_PREFIX: Final = "LEDGER#"
LOCK_PK: Final = "LOCK"
LOCK_SK_PREFIX: Final = "reconcile#"
STATUS_PREFIX: Final = "STATUS#"
LATEST_SK: Final = "latest"
UNSCHEDULED_PK: Final = "UNSCHEDULED"  # the hermes jobs a group's last reconcile left out (no ttl)


def job_pk(job_id: str) -> str:
    """The partition of one job's runs and state."""
    return f"{JOB_PREFIX}{job_id}"


def run_sk(scheduled_time: str) -> str:
    """The sort key of one run (scheduled time as UTC ISO)."""
    return f"{RUN_PREFIX}{scheduled_time}"


def ledger_pk(group: str) -> str:
    """The partition of one schedule group's ledger entries."""
    return f"{LEDGER_PREFIX}{group}"


def lock_sk(group: str) -> str:
    """The sort key of one schedule group's reconcile lease (under ``LOCK_PK``)."""
    return f"{LOCK_SK_PREFIX}{group}"


def status_pk(group: str) -> str:
    """The partition of one schedule group's reconcile outcomes."""
    return f"{STATUS_PREFIX}{group}"
