"""Shared botocore settings of the fire path's clients.

The fire Lambda makes a handful of small calls per invocation, so its clients fail fast
(3 s to connect, 5 s to read) and leave retrying to botocore's standard mode. Clients are
built with plain ``boto3.client(service, config=...)``, so the standard AWS environment
(``AWS_ENDPOINT_URL``, region, credentials) applies unchanged.
"""

from __future__ import annotations

import logging

from botocore.config import Config

FIRE_PATH_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=5)

# botocore logs whole request and response bodies at DEBUG, GetSecretValue's SecretString
# included, and Lambda's ApplicationLogLevel=DEBUG puts the root logger at DEBUG.
SDK_LOGGERS = ("botocore", "boto3", "urllib3", "s3transfer")


def quiet_sdk_logs() -> None:
    """Keep the AWS SDK's and urllib3's loggers at INFO or above, whatever the root level."""
    for name in SDK_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
