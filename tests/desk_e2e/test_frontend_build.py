"""Rebuilding the desk (an upgrade on a running server) never leaves the pages missing meanwhile, and
what the new build no longer has goes."""

import json
import subprocess

from tests.desk_e2e.conftest import FRONTEND_DIR

STATIC_DIR = FRONTEND_DIR.parent / "static"
SERVED = ("desk.html", "wall.html", "login.html", "assets/desk.js", "assets/wall.js")


def test_a_rebuild_keeps_the_desk_served_throughout() -> None:
    version_before = json.loads((STATIC_DIR / "build.json").read_text())["version"]
    stale_chunk = STATIC_DIR / "assets" / "chunks" / "chunk-OLDBUILD.js"  # as a previous version left it
    stale_chunk.write_text("export {};\n")
    build = subprocess.Popen(
        ["npm", "run", "build"], cwd=FRONTEND_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    looks, missing = 0, set()
    while build.poll() is None:  # as often as we can while the build runs: the file server's view
        missing |= {name for name in SERVED if not (STATIC_DIR / name).is_file()}
        looks += 1
    output = build.stdout.read() if build.stdout else ""

    assert build.returncode == 0, output
    assert looks > 100 and missing == set(), (looks, missing)
    assert json.loads((STATIC_DIR / "build.json").read_text())["version"] == version_before  # same sources
    assert sorted(path.name for path in STATIC_DIR.parent.glob("static*")) == ["static"]
    assert not stale_chunk.exists()
