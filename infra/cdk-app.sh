#!/bin/sh
# cdk.json's app command: run app.py with the Python that has the `infra` extra.
# `npx aws-cdk@2` puts /usr/bin first on PATH, so a bare `python3` would be the system
# Python, not the venv's. In order: $CRON_ADAPTER_PYTHON, the active venv ($VIRTUAL_ENV,
# which npx keeps), the repository's .venv, and only then python3 from PATH.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
for python in "${CRON_ADAPTER_PYTHON:-}" "${VIRTUAL_ENV:+$VIRTUAL_ENV/bin/python}" "$here/../.venv/bin/python"; do
  if [ -n "$python" ] && [ -x "$python" ]; then
    exec "$python" "$@"
  fi
done
exec python3 "$@"
