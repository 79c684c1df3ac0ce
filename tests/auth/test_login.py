from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.auth.roles import Role
from tests.conftest import TEST_PASSWORD


def _login(client: TestClient, username: str, password: str) -> int:
    return client.post("/api/auth/login", json={"username": username, "password": password}).status_code


def test_login_gives_token_that_reaches_me_and_logout_revokes_it(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.agent)
    response = client.post("/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    assert client.get("/api/auth/me", headers=headers).json()["username"] == user.username
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_password_is_stored_as_argon2_hash(make_user: Callable[..., User]) -> None:
    user = make_user(Role.clerk)
    assert user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in user.password_hash


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    client: TestClient, make_user: Callable[..., User], db_session: Session
) -> None:
    user = make_user(Role.agent)
    for _ in range(5):
        assert _login(client, user.username, "wrong-password") == 401
    response = client.post("/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 401
    assert "锁定" in response.json()["detail"]
    actions = db_session.scalars(select(AuditLog.action).where(AuditLog.actor_username == user.username))
    assert list(actions).count("login_failed") == 6


def test_disabling_a_user_ends_their_sessions(
    client: TestClient, login: Callable[..., dict[str, str]], make_user: Callable[..., User]
) -> None:
    admin = login(Role.admin)
    target = make_user(Role.agent)
    token = client.post("/api/auth/login", json={"username": target.username, "password": TEST_PASSWORD})
    agent_headers = {"Authorization": f"Bearer {token.json()['token']}"}
    assert (
        client.patch(f"/api/users/{target.id}", json={"is_active": False}, headers=admin).status_code == 200
    )
    assert client.get("/api/auth/me", headers=agent_headers).status_code == 401
    assert _login(client, target.username, TEST_PASSWORD) == 401


def test_unknown_user_and_missing_token_are_refused(client: TestClient) -> None:
    assert _login(client, "nobody", "whatever-pass") == 401
    assert client.get("/api/auth/me").status_code == 401
    assert client.get("/api/auth/me", headers={"Authorization": "Bearer forged"}).status_code == 401
