#!/usr/bin/env bash
# Install Songda's system packages and Python environment (.venv). Debian/Ubuntu, as root.
# Usage: scripts/setup.sh [--test]   (--test also installs the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

missing_apt_packages() {
    grep -vE '^\s*(#|$)' scripts/apt-packages.txt | while read -r pkg; do
        # A node/npm installed otherwise (e.g. NodeSource's nodejs, which bundles npm) is kept as it is.
        case "$pkg" in
            nodejs) command -v node >/dev/null && continue ;;
            npm) command -v npm >/dev/null && continue ;;
        esac
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
    done
}

packages=$(missing_apt_packages | tr '\n' ' ')
if [ -n "$packages" ]; then
    echo "==> apt-get install $packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $packages >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    python3 -m venv .venv
fi
echo "==> pip install -e .${extras}"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".${extras}"

# The agent desk's front end (JsSIP bundled with esbuild into agent_desk/static; not committed).
if [ -f agent_desk/frontend/package.json ]; then
    echo "==> building the agent desk (npm ci, npm run build)"
    (cd agent_desk/frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
fi
