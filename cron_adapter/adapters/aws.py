"""Shared botocore settings of the fire path's clients.

The fire Lambda makes a handful of small calls per invocation, so its clients fail fast
(3 s to connect, 5 s to read) and leave retrying to botocore's standard mode. Clients are
built with plain ``boto3.client(service, config=...)``, so the standard AWS environment
(``AWS_ENDPOINT_URL``, region, credentials) applies unchanged.
"""

from __future__ import annotations

from botocore.config import Config

FIRE_PATH_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=5)
