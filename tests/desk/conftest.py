"""The API with its websocket hub, timers shortened so the tests see sweeps and token checks quickly."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from backend.auth.models import User
from backend.auth.roles import Role
from backend.config import get_settings
from tests.conftest import TEST_PASSWORD
from tests.desk.world import new_extension

FAST_TIMERS = {
    "desk_token_check_seconds": 0.2,
    "desk_sweep_seconds": 0.2,
    "desk_refresh_seconds": 0.3,
}


@dataclass(frozen=True)
class Session:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture()
def desk_client(db: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    settings = get_settings()
    for name, value in FAST_TIMERS.items():
        monkeypatch.setattr(settings, name, value)
    from backend.app import create_app

    with TestClient(create_app()) as client:
        yield client


@pytest.fixture()
def sign_in(desk_client: TestClient, make_user: Callable[..., User]) -> Callable[..., Session]:
    """Create a user of ROLE (agents get an extension) and log in through the API."""

    def make(role: Role, **fields: object) -> Session:
        if role is Role.agent:
            fields.setdefault("sip_extension", new_extension())
        user = make_user(role, **fields)
        response = desk_client.post(
            "/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD}
        )
        assert response.status_code == 200, response.text
        return Session(user=user, token=response.json()["token"])

    return make
