"""Typed settings: an empty value is an error, flags beat the environment, malformed values are named."""

from __future__ import annotations

import pytest

from cron_adapter import constants as c
from cron_adapter.cli.settings import CliSettings
from cron_adapter.errors import SettingsError
from cron_adapter.reconcile_settings import ReconcileSettings

RECONCILE = {
    c.ENV_TABLE: "t",
    c.ENV_BUCKET: "b",
    c.ENV_FIRE_ARN: "arn:aws:lambda:us-east-1:1:function:f",
    c.ENV_SCHEDULER_ROLE_ARN: "arn:aws:iam::1:role/r",
    c.ENV_INPUT_KEY_ID: "arn:aws:secretsmanager:us-east-1:1:secret:input-key",
}


def test_reconcile_requires_the_input_signing_key():
    env = {name: value for name, value in RECONCILE.items() if name != c.ENV_INPUT_KEY_ID}
    with pytest.raises(SettingsError, match="is not set") as info:
        ReconcileSettings.from_env(env)
    assert info.value.name == c.ENV_INPUT_KEY_ID


@pytest.mark.parametrize("name", [c.ENV_DLQ_ARN, c.ENV_STORE_FORMAT, c.ENV_BASE_URL])
def test_an_empty_optional_reconcile_setting_is_an_error_not_none(name: str):
    with pytest.raises(SettingsError, match="is empty") as info:
        ReconcileSettings.from_env({**RECONCILE, name: " "})
    assert info.value.name == name


def test_unset_optional_reconcile_settings_are_none():
    settings = ReconcileSettings.from_env(RECONCILE)
    assert (settings.dlq_arn, settings.store_format, settings.base_url) == (None, None, None)


def test_cli_flags_beat_the_environment():
    settings = CliSettings.from_env({c.ENV_TABLE: "from-env"}, flags={c.ENV_TABLE: "from-flag", c.ENV_GROUP: None})
    assert settings.table == "from-flag" and settings.group == c.DEFAULT_GROUP


def test_cli_malformed_number_names_the_variable_and_the_value():
    with pytest.raises(SettingsError, match=r"CRON_ADAPTER_MAX_DELETE_SHARE: 'half' is not a number"):
        CliSettings.from_env({c.ENV_MAX_DELETE_SHARE: "half"})


def test_cli_missing_setting_names_the_flag_and_the_variable():
    with pytest.raises(SettingsError, match=r"is not set; fix: pass --table or set CRON_ADAPTER_TABLE"):
        CliSettings.from_env({}).require(c.ENV_TABLE)


def test_cli_empty_flag_is_an_error_too():
    with pytest.raises(SettingsError, match=r"is empty.*--bucket"):
        CliSettings.from_env({}, flags={c.ENV_BUCKET: ""})
