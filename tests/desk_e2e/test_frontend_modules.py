"""The desk's pure modules (server clock, SDP filter, queue rows) under node's own test runner."""

import subprocess

from tests.desk_e2e.conftest import FRONTEND_DIR


def test_frontend_modules_pass_their_node_tests() -> None:
    result = subprocess.run(["node", "--test"], cwd=FRONTEND_DIR, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout and "# pass 0" not in result.stdout
