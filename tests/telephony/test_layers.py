"""telephony/ (and the dialplans it renders) and asr/ take a settings object and never import the
application's packages: of backend, only the thin shared core."""

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

_IMPORT_ALL = """
import importlib, pkgutil, sys
import asr, dialplans, telephony
for package in (telephony, dialplans, asr):
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
print(" ".join(sorted(name for name in sys.modules if name.split(".")[0] == "backend")))
"""


def test_telephony_and_asr_import_nothing_of_backend_but_its_core() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    imported = result.stdout.split()
    assert imported, result.stderr
    assert all(name == "backend" or name.startswith("backend.core") for name in imported), imported


def test_songda_asterisk_render_passes_the_application_settings(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from backend.cli import app
    from backend.config import get_settings

    result = CliRunner().invoke(app, ["asterisk", "render", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    manager = (tmp_path / "manager.conf").read_text()
    assert f"port = {get_settings().ami_port}" in manager and get_settings().ami_secret in manager
