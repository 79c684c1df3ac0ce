# Sourced by scripts/test.sh: find or start PostgreSQL and Redis for the tests.

port_open() {
    .venv/bin/python -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1', int(sys.argv[1]))))" "$1"
}

pg_answers() {
    .venv/bin/python -c "import psycopg,sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$1" 2>/dev/null
}

ensure_postgres() {
    if [ -n "${SONGDA_TEST_DATABASE_URL:-}" ]; then
        PG_TEST_URL=$SONGDA_TEST_DATABASE_URL
        return
    fi
    if port_open 5432 && pg_answers "postgresql://postgres@127.0.0.1:5432/test"; then
        PG_TEST_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test"
        return
    fi
    if [ -n "${CI:-}" ]; then
        echo "CI expects PostgreSQL on 127.0.0.1:5432 (database test, trust auth)" >&2
        exit 1
    fi
    local port=55432 dir=/var/tmp/songda-test-pg
    if ! port_open $port; then
        command -v pg_ctlcluster >/dev/null || apt-get install -y -qq postgresql >/dev/null
        local bin
        bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
        if [ ! -f $dir/PG_VERSION ]; then
            mkdir -p $dir && chown postgres: $dir
            su postgres -c "$bin/initdb -D $dir -A trust -U postgres" >/dev/null
        fi
        su postgres -c "$bin/pg_ctl -D $dir -o '-p $port -k /tmp -c listen_addresses=127.0.0.1' -l $dir/log -w start" >/dev/null
        su postgres -c "$bin/createdb -h 127.0.0.1 -p $port test" 2>/dev/null || true
    fi
    PG_TEST_URL="postgresql+psycopg://postgres@127.0.0.1:$port/test"
}

ensure_redis() {
    if port_open 6379; then
        export SONGDA_TEST_REDIS_URL="${SONGDA_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
        return
    fi
    if [ -n "${CI:-}" ]; then
        echo "CI expects Redis on 127.0.0.1:6379" >&2
        exit 1
    fi
    command -v redis-server >/dev/null || apt-get install -y -qq redis-server >/dev/null
    port_open 56379 || redis-server --port 56379 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
    export SONGDA_TEST_REDIS_URL="redis://127.0.0.1:56379/15"
}
