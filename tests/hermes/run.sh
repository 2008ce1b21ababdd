#!/usr/bin/env bash
# The hermes end-to-end step: a venv of its own with hermes-agent==0.19.0 and this package,
# then tests/hermes against the real hermes (its discovery, create_job, web server and verifier).
#   tests/hermes/run.sh [PYTEST ARGS...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PY=${PYTHON:-python3}
VENV=.venv-hermes
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
if [ ! -f "$VENV/.installed" ] || [ pyproject.toml -nt "$VENV/.installed" ]; then
  echo "installing hermes-agent==0.19.0 and cron-adapter into $VENV ..." >&2
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q "hermes-agent==0.19.0" uvicorn -e ".[local]" pytest
  touch "$VENV/.installed"
fi
exec "$VENV/bin/python" -m pytest -o addopts="" -q -p no:cacheprovider tests/hermes "$@"
