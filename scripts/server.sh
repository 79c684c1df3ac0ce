#!/usr/bin/env bash
# Start, stop or restart the Songda web server in the background (embedded setup).
set -euo pipefail
cd "$(dirname "$0")/.."
export SONGDA_DATA_DIR="${SONGDA_DATA_DIR:-$PWD/var}"
# The embedded setup's one server process owns the AMI connection.
export SONGDA_TELEPHONY_ENABLED="${SONGDA_TELEPHONY_ENABLED:-true}"
pidfile="$SONGDA_DATA_DIR/songda.pid"
logfile="$SONGDA_DATA_DIR/songda.log"
host="${SONGDA_HOST:-127.0.0.1}"
port="${SONGDA_PORT:-8000}"

stop() {
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        kill "$(cat "$pidfile")"
        while kill -0 "$(cat "$pidfile")" 2>/dev/null; do sleep 0.2; done
    fi
    rm -f "$pidfile"
}

start() {
    nohup .venv/bin/songda serve --host "$host" --port "$port" >"$logfile" 2>&1 &
    echo $! >"$pidfile"
    .venv/bin/python - "$host" "$port" <<'PY'
import sys, time, urllib.request
url = f"http://{sys.argv[1]}:{sys.argv[2]}/api/health"
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                break
    except OSError:
        time.sleep(0.3)
else:
    sys.exit(f"server did not answer {url} within 60 s; see the log")
PY
    echo "Songda is running: http://$host:$port/  (API docs: http://$host:$port/api/docs)"
    echo "Log: $logfile   Stop: scripts/server.sh stop"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    restart) stop; start ;;
    *) echo "usage: $0 start|stop|restart" >&2; exit 2 ;;
esac
