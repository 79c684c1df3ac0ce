"""docker-compose.yml cannot be started here (no Docker engine), so check what can be checked."""

import re
from typing import Any

import pytest
import yaml

from backend.config import Settings
from tests.conftest import REPO_ROOT

COMPOSE = REPO_ROOT / "docker-compose.yml"
REQUIRED_SERVICES = {"postgres", "redis", "asterisk", "api", "worker", "beat"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_every_production_service_is_defined(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) >= REQUIRED_SERVICES


def test_every_service_has_an_image_or_a_build_whose_dockerfile_exists(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        assert "image" in service or "build" in service, name
        if "build" in service:
            context = service["build"] if isinstance(service["build"], str) else service["build"]["context"]
            assert (REPO_ROOT / context / "Dockerfile").is_file(), name


def test_every_songda_variable_is_a_real_setting(compose: dict[str, Any]) -> None:
    fields = {f"SONGDA_{name.upper()}" for name in Settings.model_fields}
    used = set(re.findall(r"\bSONGDA_[A-Z_]+", COMPOSE.read_text(encoding="utf-8")))
    assert used, "compose passes no settings"
    assert used <= fields, used - fields


def test_every_required_variable_is_documented(compose: dict[str, Any]) -> None:
    required = set(re.findall(r"\$\{([A-Z_]+):\?", COMPOSE.read_text(encoding="utf-8")))
    assert required
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    example = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    for variable in required:
        assert variable in readme, variable
        assert f"{variable}=" in example, variable


def test_services_that_need_the_database_wait_for_migrations(compose: dict[str, Any]) -> None:
    for name in ("api", "worker"):
        depends = compose["services"][name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name


def test_application_services_share_one_environment(compose: dict[str, Any]) -> None:
    envs = [compose["services"][name]["environment"] for name in ("api", "worker", "beat", "migrate")]
    shared = [{k: v for k, v in env.items() if k != "SONGDA_TELEPHONY_ENABLED"} for env in envs]
    assert all(env == shared[0] for env in shared)
    assert shared[0]["SONGDA_TASK_QUEUE_URL"].startswith("redis://")
    assert shared[0]["SONGDA_EVENT_BUS_URL"].startswith("redis://")
    assert shared[0]["SONGDA_DATABASE_URL"].startswith("postgresql")


def test_exactly_one_process_owns_the_ami_connection(compose: dict[str, Any]) -> None:
    owners = [
        name
        for name, service in compose["services"].items()
        if str((service.get("environment") or {}).get("SONGDA_TELEPHONY_ENABLED", "")).lower() == "true"
    ]
    assert owners == ["api"]


def test_asterisk_config_is_rendered_by_the_project_command(compose: dict[str, Any]) -> None:
    from typer.testing import CliRunner

    from backend.cli import app

    command = compose["services"]["asterisk-config"]["command"]
    assert command[:3] == ["songda", "asterisk", "render"]
    result = CliRunner().invoke(app, [*command[1:3], "--help"])
    assert result.exit_code == 0 and command[3] in result.output
