#!/usr/bin/env bash
# One command to set up and run the whole test suite (PostgreSQL and SQLite, real Redis,
# real HTTP, PHP). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements-dev.txt
scripts/ensure_services.sh
if [ -f .venv/.test-env ]; then set -a; . .venv/.test-env; set +a; fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy app bridge
exec .venv/bin/python -m pytest -p no:cacheprovider --timeout=600 "$@"
