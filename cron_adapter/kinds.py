"""Value kinds shared by the job model and the fire path.

Kept apart from ``model.py`` so the cold-started fire Lambda does not build the jobs-file
input models (several ms of pydantic schema building) that it never uses.
"""

from __future__ import annotations

from typing import Literal

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
Overlap = Literal["skip", "allow", "queue"]
Delivery = Literal["at-least-once", "at-most-once"]
CatchUp = Literal["none", "latest", "all", "spread"]
Source = Literal["native", "hermes", "sidecar"]

# The fire Lambda runs at most 15 minutes; a target call is cut before the Lambda is.
MAX_TARGET_TIMEOUT_SECONDS = 840.0
