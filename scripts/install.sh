#!/usr/bin/env bash
# Install Songda with its embedded defaults (SQLite, in-process queue, a local Asterisk),
# load demo data and start it. Debian/Ubuntu, as root. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

export SONGDA_DATA_DIR="${SONGDA_DATA_DIR:-$PWD/var}"
songda=.venv/bin/songda
mkdir -p "$SONGDA_DATA_DIR"

echo "==> database"
$songda db upgrade
echo "==> Asterisk (private Debian sid root, built once)"
$songda asterisk up
echo "==> SMS gateway (Kannel with its fake SMSC)"
if $songda sms up; then
    export SONGDA_SMS_GATEWAY_URL="${SONGDA_SMS_GATEWAY_URL:-kannel+http://127.0.0.1:13013}"
else
    echo "Kannel 未能启动：短信将留在发件箱（SONGDA_SMS_GATEWAY_URL=fake://），可稍后运行 songda sms up"
fi
echo "==> demo data"
$songda demo | tee "$SONGDA_DATA_DIR/demo-logins.txt"

echo "==> starting the server"
scripts/server.sh restart
