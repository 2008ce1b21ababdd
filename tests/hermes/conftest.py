"""A hermes home with our plugin installed, set up BEFORE any hermes module is imported
(hermes freezes its store paths at import)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

HOME = Path(tempfile.mkdtemp(prefix="hermes-e2e-"))
os.environ["HERMES_HOME"] = str(HOME)
os.environ["HERMES_TIMEZONE"] = "Europe/Berlin"
os.environ.pop("HERMES_DESKTOP", None)  # keep hermes's in-app ticker off
for key, value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}.items():
    os.environ[key] = value
