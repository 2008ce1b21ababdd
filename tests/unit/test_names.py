from __future__ import annotations

import re

from cron_adapter.schedule.names import MAX_NAME, schedule_name

VALID = re.compile(r"[0-9A-Za-z\-_.]{1,64}")


def test_clean_short_id_is_used_verbatim():
    assert schedule_name("data-refresh") == "data-refresh"


def test_suffix_is_appended_for_split_schedules():
    assert schedule_name("report", "dom") == "report--dom"


def test_odd_characters_are_sanitized_and_hashed():
    name = schedule_name("session-processor:verification")
    assert VALID.fullmatch(name)
    assert name.startswith("session-processor-verification-")


def test_ids_that_sanitize_alike_get_different_names():
    names = {schedule_name(i) for i in ("a:b", "a/b", "a b", "a-b", "a--b")}
    assert len(names) == 5


def test_long_ids_fit_in_64_characters_and_stay_distinct():
    a, b = "x" * 200 + "1", "x" * 200 + "2"
    assert len(schedule_name(a, "0730")) <= MAX_NAME
    assert schedule_name(a) != schedule_name(b)
    assert VALID.fullmatch(schedule_name(a, "0730"))


def test_names_are_stable():
    assert schedule_name("ünïcode job ☃") == schedule_name("ünïcode job ☃")
    assert VALID.fullmatch(schedule_name("ünïcode job ☃"))
