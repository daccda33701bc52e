#!/usr/bin/env bash
# The whole check, as CI runs it: lint, migrations, generated docs, the test suite on SQLite
# and on PostgreSQL (with Redis), and the browser tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export TERTULIA_ENV=test
export TERTULIA_DATA_DIR=${TERTULIA_DATA_DIR:-$PWD/var/test}
export TERTULIA_REQUIRE_SERVICES=1
export NO_MKDOCS_2_WARNING=1
BIN=.venv/bin
started=$(date +%s)

bash scripts/system-packages.sh
# shellcheck source=scripts/services.sh
source scripts/services.sh
start_services

step() { echo; echo "== $* ($(( $(date +%s) - started )) s)"; }

step "ruff"
$BIN/ruff check src tests bench
step "migrations are complete"
$BIN/tertulia manage makemigrations --check --dry-run
step "generated documentation is up to date"
$BIN/tertulia docs generate --check
step "documentation builds (mkdocs --strict)"
$BIN/mkdocs build --strict --quiet --site-dir "$TERTULIA_DATA_DIR/site"
# Two workers: the machine has two cores. Each worker gets its own test database.
step "tests on SQLite"
$BIN/pytest -q -m "not browser" -n 2
step "tests on PostgreSQL"
TERTULIA_DATABASE_URL=$TERTULIA_TEST_POSTGRES_URL $BIN/pytest -q -m "not browser" -n 2
step "browser tests (Chromium)"
$BIN/pytest -q -m browser
step "done in $(( $(date +%s) - started )) s"
