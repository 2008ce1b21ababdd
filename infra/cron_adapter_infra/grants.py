"""Grants for principals outside the construct: push jobs.json, read runs, read the secret.

Explicit actions (no ``s3:Abort*``-style wildcards from the L2 grant helpers), so a role
that receives them passes the cdk-nag gate unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_iam as iam

if TYPE_CHECKING:
    from cron_adapter_infra.construct import CronAdapter

# `cron-adapter runs/status` and `push --wait`: key lookups and Query on one partition.
READ_RUNS_ACTIONS = ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:DescribeTable")


def grant_push_jobs(adapter: CronAdapter, grantee: iam.IGrantable) -> iam.Grant:
    """Upload jobs.json (which triggers a reconcile), and read its versions back."""
    return iam.Grant.add_to_principal(
        grantee=grantee,
        actions=["s3:PutObject", "s3:GetObject", "s3:GetObjectVersion"],
        resource_arns=[adapter.bucket.arn_for_objects(adapter.props.jobs_key)],
    )


def grant_read_runs(adapter: CronAdapter, grantee: iam.IGrantable) -> iam.Grant:
    """Read run records and the reconcile status from the table (what ``push --wait`` reads)."""
    return iam.Grant.add_to_principal(
        grantee=grantee, actions=list(READ_RUNS_ACTIONS), resource_arns=[adapter.table.table_arn]
    )


def grant_read_secret(adapter: CronAdapter, grantee: iam.IGrantable) -> iam.Grant:
    """Read the target secret: for the app whose endpoints verify the bearer token."""
    return iam.Grant.add_to_principal(
        grantee=grantee, actions=["secretsmanager:GetSecretValue"], resource_arns=[adapter.secret.secret_arn]
    )
