"""Hypothesis strategies for jobs files in all three formats, valid and malformed.

Malformed on purpose: wrong types, huge and negative numbers, unicode and very long ids,
duplicate ids, bad timezones, every kind of schedule syntax error, deep nesting, NaN, lone
surrogates; then, at the byte level, a BOM, bytes that are not UTF-8 and oversized files.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

GOOD_SCHEDULES = [
    "every 15m", "every 1h", "every 2d", "daily 03:00", "daily 07:00,13:30", "0 9 * * 1-5", "*/5 * * * *",
    "@hourly", "0 0 1 * *", "30 8 * * MON-FRI", "0 3 * * ? *", "cron(0 3 * * ? *)", "cron(0 9 ? * 2#1 *)",
    "rate(5 minutes)", "at 2030-06-01T10:00", "2030-06-01T10:00:00+02:00", "0 0 29 2 *", "cron(0 12 15W * ? *)",
    "* * * * *" + " " * 300, "every 3650d", "cron(0/5 8-17 ? * MON-FRI 2030-2032)",
]  # fmt: skip
BAD_SCHEDULES = [
    "", " ", "every", "every 0m", "every -5m", "every 30s", "every 99999999999999999999m", "every 1000000000d",
    "every " + "9" * 5000 + "m", "every 5 fortnights", "daily 25:00", "daily 7", "daily", "61 * * * *",
    "* * * *", "* * * * * * *", "*/0 * * * *", "5-1 * * * *", "0 0 31 2 *", "@sometimes", "cron(0 3 * * * *)",
    "cron(0 3 ? * 8 *)", "cron(0 3 1 * ? 1800)", "rate(0 minutes)", "rate(5 weeks)", "at 0001-01-01T00:00",
    "at 9999-12-31T23:59", "at 0999-01-01T00:00", "at 2030-13-01T00:00", "at(2030-06-01)", "cron()", "rate()",
    "every \u0661\u0662m", "\u0661 * * * *", "0 9 * * MON-FRI,L", "0 9 ? * 6L *",
]  # fmt: skip
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati", "Australia/Lord_Howe"]
BAD_ZONES = ["Europe", "Europe/Berlinn", "A" * 5000, "../../etc/passwd", "UT\x00C", "", " UTC", "\ud800", "America/"]

ints = st.one_of(
    st.integers(-3, 2000),
    st.sampled_from([0, -1, 10**20, -(10**20), 2**63, 10**38, 10**4000]),
)
floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-1, 900))
texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\ud800", "x\udfff", "\U0001f600", "\u202e", "\x00", "é" * 600, "a" * 10_000]),
)
junk = st.one_of(st.none(), st.booleans(), ints, floats, texts, st.lists(st.none(), max_size=2), st.just({}))


def nested(depth: int) -> Any:
    """A list nested ``depth`` levels deep."""
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def maybe(valid: st.SearchStrategy[Any], p_junk: float = 0.15) -> st.SearchStrategy[Any]:
    """Mostly ``valid``, sometimes anything at all."""
    return st.one_of(valid, junk) if p_junk else valid


schedules = st.one_of(st.sampled_from(GOOD_SCHEDULES), st.sampled_from(BAD_SCHEDULES), st.text(max_size=40))
zones = st.one_of(st.sampled_from(ZONES), st.sampled_from(BAD_ZONES))
ids = st.one_of(
    st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
    st.sampled_from(["dup", "dup", "x" * 513, "x" * 512, "\ud800", "ümlaut-jöb", "a/b", "a b", ""]),
    st.text(max_size=12),
)
times = st.one_of(
    st.sampled_from(["2030-01-01T00:00:00", "2030-01-01T00:00:00+05:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59"]),
    st.sampled_from(["9999-12-31T23:59:59-05:00", "2030-02-30T00:00:00", "yesterday", "1969-12-31T23:59:59"]),
)
bodies = st.one_of(
    st.none(),
    st.recursive(st.one_of(st.integers(), st.text(max_size=8), st.booleans()), lambda c: st.lists(c, max_size=3)),
    st.sampled_from([nested(33), nested(300), {"a": "\ud800"}, "x" * 9000]),
)
urls = st.one_of(
    st.sampled_from(["https://app.example.com/run", "https://a.example/x?y=1", "http://127.0.0.1:8080/x"]),
    st.sampled_from(["http://169.254.169.254/latest", "ftp://x", "https://user:pw@a.example/", "not a url", ""]),
    st.sampled_from(["https://[fd00:ec2::254]/", "https://a.example/\ud800", "https://" + "a" * 300 + ".example"]),
)
headers = st.one_of(
    st.dictionaries(st.sampled_from(["X-Team", "X-Job", "Authorization", "X-Cron-Sig", "\ud800"]), texts, max_size=3),
    junk,
)


@st.composite
def native_job(draw: st.DrawFn) -> dict[str, Any]:
    """One native job; each field present or not, valid or not."""
    job: dict[str, Any] = {"id": draw(maybe(ids)), "schedule": draw(maybe(schedules))}
    target: dict[str, Any] = {}
    for key, strategy in (
        ("url", urls),
        ("path", st.sampled_from(["/run", "run?x=1", "/\ud800"])),
        ("method", st.sampled_from(["GET", "POST", "get", "TRACE"])),
        ("headers", headers),
        ("body", bodies),
        ("timeout", st.one_of(floats, st.sampled_from(["30", True, 0, 841]))),
    ):
        if draw(st.booleans()):
            target[key] = draw(maybe(strategy))
    job["target"] = draw(maybe(st.just(target), 0.05))
    optional = {
        "timezone": zones,
        "description": texts,
        "enabled": st.one_of(st.booleans(), st.sampled_from(["false", 0, "yes"])),
        "start_at": times,
        "end_at": times,
        "max_runs": ints,
        "jitter": ints,
        "overlap": st.sampled_from(["skip", "allow", "queue", "sometimes"]),
        "retry": st.fixed_dictionaries({}, optional={"attempts": ints, "backoff": floats, "max_backoff": floats}),
        "unknown_field": junk,
    }
    for key, strategy in optional.items():
        if draw(st.integers(0, 4)) == 0:
            job[key] = draw(maybe(strategy))
    return job


clean_job = st.fixed_dictionaries(
    {
        "id": st.from_regex(r"[a-z][a-z0-9-]{0,30}", fullmatch=True),
        "schedule": st.sampled_from(GOOD_SCHEDULES),
        "target": st.fixed_dictionaries(
            {"url": st.sampled_from(["https://app.example.com/run", "https://b.example/x?y=1"])},
            optional={
                "body": st.recursive(
                    st.one_of(st.integers(-9, 9), st.text(max_size=8)), lambda c: st.lists(c, max_size=3)
                ),
                "timeout": st.integers(1, 900),
                "method": st.sampled_from(["GET", "POST"]),
            },
        ),
    },
    optional={"timezone": st.sampled_from(ZONES), "description": st.text(max_size=20), "jitter": st.integers(0, 60)},
)


@st.composite
def native_file(draw: st.DrawFn) -> Any:
    """A native jobs.json (as a Python value)."""
    if draw(st.integers(0, 2)) == 0:  # a third are clean, so valid files are well exercised too
        return {"version": 1, "jobs": draw(st.lists(clean_job, max_size=6, unique_by=lambda j: j["id"]))}
    doc: dict[str, Any] = {
        "version": draw(st.one_of(st.just(1), st.sampled_from([1, 1, 2, True, 1.0, "1", None]))),
        "jobs": draw(st.lists(st.one_of(clean_job, clean_job, native_job()), max_size=6)),
    }
    if draw(st.booleans()):
        defaults: dict[str, Any] = {"target": {"base_url": draw(maybe(urls))}}
        if draw(st.booleans()):
            defaults["timezone"] = draw(zones)
        doc["defaults"] = draw(maybe(st.just(defaults), 0.05))
    if draw(st.integers(0, 5)) == 0:
        doc["allow_mass_delete"] = draw(st.sampled_from([True, False, "yes", 1, None]))
    return draw(maybe(st.just(doc), 0.03))


@st.composite
def hermes_file(draw: st.DrawFn) -> Any:
    """A hermes-agent store."""
    kinds = st.one_of(
        st.fixed_dictionaries({"kind": st.just("cron"), "expr": maybe(schedules)}),
        st.fixed_dictionaries({"kind": st.just("interval"), "minutes": maybe(ints)}),
        st.fixed_dictionaries({"kind": st.just("once"), "run_at": maybe(times)}),
        st.fixed_dictionaries({"kind": maybe(st.sampled_from(["weekly", "cron"]))}),
        st.fixed_dictionaries({"kind": st.sampled_from([[], ["cron"], {}, {"cron": 1}])}),  # unhashable kinds
        junk,
    )
    job = st.fixed_dictionaries(
        {"id": maybe(ids), "schedule": kinds},
        optional={
            "name": maybe(texts),
            "repeat": st.one_of(st.fixed_dictionaries({"times": maybe(ints)}), junk),
            "enabled": junk,
            "state": st.sampled_from(["scheduled", "paused", "completed", "weird"]),
            "deliver": texts,
        },
    )
    if draw(st.integers(0, 2)) == 0:
        clean = st.fixed_dictionaries(
            {
                "id": st.from_regex(r"[a-f0-9]{12}", fullmatch=True),
                "name": st.text(max_size=20),
                "schedule": st.sampled_from(
                    [{"kind": "cron", "expr": "0 9 * * *"}, {"kind": "interval", "minutes": 30}]
                    + [{"kind": "once", "run_at": "2030-01-01T09:00:00+00:00"}]
                ),
            },
            optional={"repeat": st.fixed_dictionaries({"times": st.integers(1, 9)}), "enabled": st.booleans()},
        )
        return {"jobs": draw(st.lists(clean, max_size=6, unique_by=lambda j: j["id"]))}
    return draw(maybe(st.fixed_dictionaries({"jobs": st.lists(maybe(job, 0.05), max_size=6)}), 0.03))


@st.composite
def sidecar_file(draw: st.DrawFn) -> Any:
    """A sidecar job list."""
    job = st.fixed_dictionaries(
        {
            "name": maybe(ids),
            "schedule": maybe(schedules),
            "endpoint": maybe(st.sampled_from(["/x", "x", "", "/\ud800"])),
        },
        optional={
            "method": maybe(st.sampled_from(["GET", "post", "BREW"])),
            "timeout": st.one_of(floats, ints, st.just("30")),
            "extra": junk,
        },
    )
    if draw(st.integers(0, 2)) == 0:
        clean = st.fixed_dictionaries(
            {
                "name": st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
                "schedule": st.sampled_from(GOOD_SCHEDULES),
                "endpoint": st.sampled_from(["/api/a", "api/b"]),
            },
            optional={"method": st.sampled_from(["GET", "post"]), "timeout": st.integers(1, 900)},
        )
        return draw(st.lists(clean, max_size=6, unique_by=lambda j: j["name"]))
    return draw(maybe(st.lists(maybe(job, 0.05), max_size=6), 0.03))


@st.composite
def encoded(draw: st.DrawFn, files: st.SearchStrategy[Any]) -> bytes:
    """A file as bytes: plain JSON, or with a BOM, broken bytes, deep nesting or padding."""
    text = json.dumps(draw(files), allow_nan=True, ensure_ascii=draw(st.booleans()))
    data = text.encode("utf-8", "surrogatepass")
    mutation = draw(st.integers(0, 9))
    if mutation == 0:
        return b"\xef\xbb\xbf" + data
    if mutation == 1:
        cut = draw(st.integers(0, len(data)))
        return data[:cut] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"])) + data[cut:]
    if mutation == 2:
        depth = draw(st.sampled_from([900, 1000, 5000]))
        return data.replace(b"[", b"[" * depth + b"[", 1).replace(b"]", b"]" + b"]" * depth, 1)
    if mutation == 3:
        return data + b" " * draw(st.sampled_from([0, 1_000_000]))  # oversized but valid
    if mutation == 4:
        return data[: draw(st.integers(0, len(data)))]  # truncated
    return data
