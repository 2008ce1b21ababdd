"""Spec hashes and schedule names do not change between releases.

The ledger keeps each schedule's spec hash, and a hash that differs from the ledger's
rewrites the schedule. So a release that changed how any job is translated, even by one
byte of its fire input, would rewrite every schedule of every store once it deploys
(100,000 UpdateSchedule calls at the quota rate is over half an hour). These values were
written by the translator as it stands; a change that moves one of them must be a choice,
made with that cost in view, and the pins updated with it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

from cron_adapter.fire.inputsig import InputKey
from cron_adapter.jobs.loader import load_path
from cron_adapter.reconcile.translate import Wiring, translate_all

JOBS = Path(__file__).parent / "data" / "pinned-jobs.json"
KEY = InputKey("pinned-input-signing-key-" + "p" * 40)

PINNED = [
    ("data-refresh", "56704d60410fcd24"),
    ("tenant-7-report-117ac89c", "f849e05714ab5652"),
    ("split-daily--0700", "e1a74841247204ec"),
    ("split-daily--1330", "007796d97ec20277"),
    ("dom-or-dow--dom", "6edc8cc723784b4a"),
    ("dom-or-dow--dow", "5313406de393e6ad"),
    ("one-shot", "d91544d2a6511268"),
    ("bounded", "cc2665593d8b755c"),
    ("agent-tick", "2a1ca147aa5f64b3"),
    ("a-very-long-job-identifier-that-does-not-fit-in-a-sched-3b0bc1dc", "7e06b85470804145"),
]
# SHA-256 of every request as sent (sorted-key JSON, one per line), unsigned and signed.
REQUESTS_DIGEST = "238e8c91db50de10edb6f49381d7ac0bd178bc482eafff05d6ac440fff6bf099"
SIGNED_DIGEST = "5cc7845dd8f45f8de7b70949550abee5a7da92558daeb5eb938919b169cf3074"


def _requests_digest(wiring: Wiring) -> str:
    lines = [json.dumps(dict(r.request), sort_keys=True) for r in translate_all(load_path(JOBS), wiring)]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_names_and_spec_hashes_are_the_released_ones():
    requests = translate_all(load_path(JOBS), Wiring.offline())
    assert [(r.name, r.spec_hash) for r in requests] == PINNED


def test_every_request_is_byte_for_byte_the_released_one():
    assert _requests_digest(Wiring.offline()) == REQUESTS_DIGEST


def test_signed_inputs_are_the_released_ones():
    assert _requests_digest(replace(Wiring.offline(), key=KEY)) == SIGNED_DIGEST
