#!/usr/bin/env bash
# One command to run Korea Checkout locally: set up, migrate, print a sandbox key on first
# start, and run web (gunicorn) + worker (RQ). SQLite and an embedded Redis under var/
# unless DATABASE_URL / REDIS_URL say otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements.txt
exec .venv/bin/flask --app app serve "$@"
