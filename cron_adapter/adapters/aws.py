"""Shared botocore settings of the fire path's clients.

The fire Lambda makes a handful of small calls per invocation (each answered in milliseconds),
so its clients fail fast (1 s to connect, 2 s to read) and leave retrying to botocore's
standard mode. Clients are built with plain ``boto3.client(service, config=...)``, so the
standard AWS environment (``AWS_ENDPOINT_URL``, region, credentials) applies unchanged.

The outcome is written after the target calls, in the time the calls keep back from the
Lambda's deadline (``DEADLINE_SAFETY_SECONDS``), so one write's worst case must fit in it::

    4 tries x (1 s connect + 2 s read)        12 s
    backoff before tries 2, 3, 4: 1 + 2 + 4    7 s   (throttling scale 1 s, doubling)
    x-amz-retry-after, up to 5 s more each    15 s
                                              ----
                                              34 s  <= 35 s kept back
"""

from __future__ import annotations

import logging

from botocore.config import Config

# max_attempts is the retries after the first try (botocore turns it into total_max_attempts=4)
FIRE_PATH_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=1, read_timeout=2)

# botocore's standard-mode backoff (botocore/retries/standard.py ExponentialBackoff): before
# retry i, rand * min(scale * 2**(i-1), 20) s, with scale 1 s for throttling; a response's
# x-amz-retry-after header can raise it by up to 5 s more.
_BACKOFF_SCALE, _MAX_BACKOFF, _RETRY_AFTER_EXTRA = 1.0, 20.0, 5.0


def worst_case_call_seconds(config: Config) -> float:
    """The longest one API call with ``config`` can take: every try timing out, every backoff at its ceiling."""
    retries = dict(config.retries or {})
    tries = int(retries.get("total_max_attempts", retries.get("max_attempts", 0) + 1))
    waits = sum(min(_BACKOFF_SCALE * 2 ** (i - 1), _MAX_BACKOFF) + _RETRY_AFTER_EXTRA for i in range(1, tries))
    return tries * (float(config.connect_timeout) + float(config.read_timeout)) + waits


# botocore logs whole request and response bodies at DEBUG, GetSecretValue's SecretString
# included, and Lambda's ApplicationLogLevel=DEBUG puts the root logger at DEBUG.
SDK_LOGGERS = ("botocore", "boto3", "urllib3", "s3transfer")


def quiet_sdk_logs() -> None:
    """Keep the AWS SDK's and urllib3's loggers at INFO or above, whatever the root level."""
    for name in SDK_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
