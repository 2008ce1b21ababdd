"""The finish write's worst case fits in the time the target calls keep back from the Lambda deadline.

Change the fire path's botocore config or ``DEADLINE_SAFETY_SECONDS`` alone and this fails.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.retries.standard import ExponentialBackoff

from cron_adapter.adapters import aws
from cron_adapter.adapters.aws import FIRE_PATH_CONFIG, worst_case_call_seconds
from cron_adapter.fire.policy import DEADLINE_SAFETY_SECONDS

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "fire-contract.md"


def test_the_finish_writes_worst_case_fits_in_the_safety_margin() -> None:
    assert worst_case_call_seconds(FIRE_PATH_CONFIG) <= DEADLINE_SAFETY_SECONDS


def test_the_worst_case_is_tries_times_timeouts_plus_the_backoff_ceilings() -> None:
    # 4 tries x (3 s + 5 s) + backoffs (1 + 2 + 4) + x-amz-retry-after (3 x 5): the old config, far past 10 s
    old = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=5)
    assert worst_case_call_seconds(old) == 32 + 7 + 15
    assert worst_case_call_seconds(Config(retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=2)) == 3


def test_the_worst_case_is_the_same_after_botocore_rewrites_the_config() -> None:
    config = copy.deepcopy(FIRE_PATH_CONFIG)
    client = boto3.client("dynamodb", region_name="us-east-1", config=config)  # rewrites max_attempts in place
    assert worst_case_call_seconds(client.meta.config) == worst_case_call_seconds(FIRE_PATH_CONFIG)


def test_the_backoff_model_matches_the_installed_botocore() -> None:
    assert ExponentialBackoff._MAX_BACKOFF == aws._MAX_BACKOFF
    assert getattr(ExponentialBackoff, "_RETRY_AFTER_MAX_ADDITIONAL", 0) <= aws._RETRY_AFTER_EXTRA
    scales = ExponentialBackoff._DEFAULT_BACKOFF_CONFIG
    assert max(scales.values()) == aws._BACKOFF_SCALE


def test_the_contract_states_the_numbers_in_force() -> None:
    text = " ".join(CONTRACT.read_text().split())
    worst, margin = worst_case_call_seconds(FIRE_PATH_CONFIG), DEADLINE_SAFETY_SECONDS
    assert re.search(rf"worst case is \*\*{worst:g} s\*\*", text), (
        "docs/fire-contract.md: update the finish's worst case"
    )
    assert re.search(rf"\*\*{margin:g} s\*\* safety margin", text), "docs/fire-contract.md: update the safety margin"
    assert f"{FIRE_PATH_CONFIG.connect_timeout:g} s to connect, {FIRE_PATH_CONFIG.read_timeout:g} s to read" in text
