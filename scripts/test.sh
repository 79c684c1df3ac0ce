#!/usr/bin/env bash
# Run Songda's full test suite: lint, then every test on SQLite and again on PostgreSQL.
# Debian/Ubuntu as root. Uses PostgreSQL/Redis on 127.0.0.1 when they answer (CI);
# otherwise starts private throwaway instances from Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
# shellcheck source=scripts/test-services.sh
source scripts/test-services.sh
ensure_postgres
ensure_redis

echo "==> ruff"
.venv/bin/ruff check .

echo "==> mypy --strict (telephony, asr, agent desk, backend core and deliveries)"
.venv/bin/mypy --strict telephony asr agent_desk backend/core backend/deliveries

run_pytest() {
    local label=$1
    shift
    echo "==> pytest on $label"
    set +e
    "$@"
    local rc=$?
    set -e
    if [ "$rc" -eq 5 ]; then
        echo "pytest collected no tests on $label: failing the run" >&2
        exit 1
    fi
    [ "$rc" -eq 0 ] || exit "$rc"
}

run_pytest SQLite env -u SONGDA_TEST_DATABASE_URL .venv/bin/pytest "$@"
run_pytest PostgreSQL env SONGDA_TEST_DATABASE_URL="$PG_TEST_URL" .venv/bin/pytest "$@"

# Once, not per database: schema-driven fuzzing of a live server with demo data, as each role.
if [ "$#" -eq 0 ]; then
    echo "==> API fuzzing (schemathesis) of a live songda serve"
    .venv/bin/python scripts/fuzz_api.py --seconds-per-role 20
fi
