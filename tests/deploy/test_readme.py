import re

from backend.config import Settings
from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_install_and_test_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["./scripts/install.sh", "./scripts/test.sh"]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (REPO_ROOT / ".ci/run").read_text(encoding="utf-8")
    assert "exec scripts/test.sh" in ci


def test_every_setting_is_documented() -> None:
    missing = [name for name in Settings.model_fields if f"SONGDA_{name.upper()}" not in README]
    assert not missing
