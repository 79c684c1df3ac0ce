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
echo "==> demo data"
$songda demo | tee "$SONGDA_DATA_DIR/demo-logins.txt"

echo "==> starting the server"
scripts/server.sh restart
