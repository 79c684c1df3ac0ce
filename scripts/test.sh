#!/usr/bin/env bash
# Run Songda's full test suite: lint, then every test on SQLite and on PostgreSQL (at once), the
# real-Asterisk suites once.
# Debian/Ubuntu as root. Uses PostgreSQL/Redis on 127.0.0.1 when they answer (CI);
# otherwise starts private throwaway instances from Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
# shellcheck source=scripts/test-services.sh
source scripts/test-services.sh
ensure_postgres
ensure_redis

# The Asterisk tests start the managed Asterisk and leave it up for the rest of the run; stop it at the end
# unless it was already running (an installed demo's).
if pgrep -x asterisk >/dev/null; then asterisk_was_up=true; else asterisk_was_up=false; fi
stop_what_the_suite_started() {
    if [ "$asterisk_was_up" = false ] && pgrep -x asterisk >/dev/null; then
        .venv/bin/songda asterisk down >/dev/null 2>&1 || true
    fi
}
trap stop_what_the_suite_started EXIT

echo "==> ruff"
.venv/bin/ruff check .

echo "==> mypy --strict (telephony, asr, agent desk, backend core and deliveries)"
.venv/bin/mypy --strict telephony asr agent_desk backend/core backend/deliveries

check_rc() {
    local label=$1 rc=$2
    if [ "$rc" -eq 5 ]; then
        echo "pytest collected no tests on $label: failing the run" >&2
        exit 1
    fi
    [ "$rc" -eq 0 ] || { echo "pytest failed on $label (exit $rc)" >&2; exit "$rc"; }
}

run_pytest() {
    local label=$1
    shift
    echo "==> pytest on $label"
    set +e
    "$@"
    local rc=$?
    set -e
    check_rc "$label" "$rc"
}

# Redis database N of the test Redis (each concurrent run gets its own, so their streams never meet).
redis_db() { echo "${SONGDA_TEST_REDIS_URL%/*}/$1"; }

if [ "$#" -gt 0 ]; then  # the tests asked for, on each database in turn
    run_pytest SQLite env -u SONGDA_TEST_DATABASE_URL .venv/bin/pytest "$@"
    run_pytest PostgreSQL env SONGDA_TEST_DATABASE_URL="$PG_TEST_URL" .venv/bin/pytest "$@"
else
    # Everything but the real-Asterisk suites on both databases at once (two cores); then the Asterisk
    # suites once, alone (they share Asterisk's fixed ports and measure live audio), on PostgreSQL.
    logs=$(mktemp -d)
    echo "==> pytest on SQLite and on PostgreSQL at once (not the Asterisk suites); logs in $logs"
    set +e
    env -u SONGDA_TEST_DATABASE_URL SONGDA_TEST_REDIS_URL="$(redis_db 14)" \
        .venv/bin/pytest -m "not asterisk" -p no:cacheprovider >"$logs/sqlite.log" 2>&1 &
    sqlite_pid=$!
    env SONGDA_TEST_DATABASE_URL="$PG_TEST_URL" SONGDA_TEST_REDIS_URL="$(redis_db 15)" \
        .venv/bin/pytest -m "not asterisk" -p no:cacheprovider >"$logs/postgresql.log" 2>&1 &
    pg_pid=$!
    wait "$sqlite_pid"; sqlite_rc=$?
    wait "$pg_pid"; pg_rc=$?
    set -e
    echo "==> pytest on SQLite (not the Asterisk suites)"; cat "$logs/sqlite.log"
    echo "==> pytest on PostgreSQL (not the Asterisk suites)"; cat "$logs/postgresql.log"
    check_rc SQLite "$sqlite_rc"
    check_rc PostgreSQL "$pg_rc"
    run_pytest "PostgreSQL (the Asterisk suites)" \
        env SONGDA_TEST_DATABASE_URL="$PG_TEST_URL" .venv/bin/pytest -m asterisk -p no:cacheprovider
fi

# Once, not per database: schema-driven fuzzing of a live server with demo data, as each role.
if [ "$#" -eq 0 ]; then
    echo "==> API fuzzing (schemathesis) of a live songda serve"
    .venv/bin/python scripts/fuzz_api.py --seconds-per-role 20
fi
