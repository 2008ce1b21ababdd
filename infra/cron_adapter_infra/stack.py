"""A deployable stack around :class:`CronAdapter`, with outputs and an alarm e-mail parameter."""

from __future__ import annotations

import dataclasses
from typing import Any

from aws_cdk import CfnCondition, CfnParameter, Fn, Stack
from aws_cdk import aws_sns as sns
from constructs import Construct

from cron_adapter_infra.construct import CronAdapter
from cron_adapter_infra.props import CronAdapterProps


class CronAdapterStack(Stack):
    """``cdk deploy`` target: the whole system plus the outputs the CLI and README refer to."""

    def __init__(
        self, scope: Construct, construct_id: str, *, props: CronAdapterProps | None = None, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        props = props or CronAdapterProps()
        if props.name is None:  # one adapter per stack: the stack name is the deployment name
            props = dataclasses.replace(props, name=self.stack_name)
        self.adapter = CronAdapter(self, "CronAdapter", props=props)

        alarm_email = CfnParameter(
            self,
            "AlarmEmail",
            type="String",
            default="",
            description="E-mail address subscribed to cron-adapter alarms (empty: no subscription)",
            allowed_pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$",
            constraint_description="must be empty or an e-mail address",
        )
        has_email = CfnCondition(
            self, "HasAlarmEmail", expression=Fn.condition_not(Fn.condition_equals(alarm_email.value_as_string, ""))
        )
        subscription = sns.CfnSubscription(
            self,
            "AlarmEmailSubscription",
            protocol="email",
            endpoint=alarm_email.value_as_string,
            topic_arn=self.adapter.alarm_topic.topic_arn,
        )
        subscription.cfn_options.condition = has_email

        self.adapter.add_outputs(self)  # stack-level: the stable names the docs and CLI use
