from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import database
from backend.audit.models import AuditLog
from backend.auth import throttle
from backend.auth.models import User
from backend.auth.roles import Role
from backend.config import get_settings
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


def _client_at(app: object, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000))  # type: ignore[arg-type]


def _attempt(client: TestClient, username: str, password: str) -> tuple[int, dict[str, object], str | None]:
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    return response.status_code, response.json(), response.headers.get("retry-after")


def test_guessing_from_one_address_is_slowed_there_and_the_owner_still_logs_in_from_another(
    client: TestClient, make_user: Callable[..., User], db_session: Session
) -> None:
    owner = make_user(Role.admin)
    attacker = _client_at(client.app, "203.0.113.66")
    answers = [_attempt(attacker, owner.username, f"guess-{n}") for n in range(230)]
    assert [status for status, _, _ in answers[:5]] == [401] * 5
    slowed = [(body, retry) for status, body, retry in answers if status == 429]
    guesses = sum(status == 401 for status, _, _ in answers)
    # Past five failures every guess waits 1 s, 2 s, 4 s...: in the seconds this loop takes, only a few more.
    assert guesses <= 5 + 6 and len(slowed) == 230 - guesses
    assert all(retry and int(retry) >= 1 and "秒后再试" in str(body["detail"]) for body, retry in slowed)
    assert _attempt(attacker, owner.username, TEST_PASSWORD)[0] == 429  # even the right password waits there

    status, body, _ = _attempt(_client_at(client.app, "198.51.100.7"), owner.username, TEST_PASSWORD)
    assert status == 200 and body["user"]["username"] == owner.username
    actions = list(
        db_session.scalars(select(AuditLog.action).where(AuditLog.actor_username == owner.username))
    )
    assert (actions.count("login_failed"), actions.count("login_throttled")) == (guesses, len(slowed) + 1)


def test_each_further_failure_doubles_the_wait_up_to_the_cap(db_session: Session) -> None:
    settings = get_settings()
    start = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
    waits = []
    for n in range(settings.login_free_failures + 12):
        now = start + timedelta(hours=n / 1000)
        waits.append(throttle.retry_after_seconds(db_session=db_session, client_ip="192.0.2.9", now=now))
        throttle.record_failure(db_session=db_session, client_ip="192.0.2.9", username="x", now=now)
    last = start + timedelta(hours=(settings.login_free_failures + 11) / 1000)
    assert waits[: settings.login_free_failures] == [0] * settings.login_free_failures
    assert throttle.retry_after_seconds(db_session=db_session, client_ip="192.0.2.9", now=last) == min(
        2**12, settings.login_max_delay_seconds
    )
    assert throttle.retry_after_seconds(db_session=db_session, client_ip="192.0.2.10", now=last) == 0


def test_failures_from_many_addresses_lock_the_account_until_an_admin_lifts_it(
    client: TestClient,
    make_user: Callable[..., User],
    login: Callable[..., dict[str, str]],
    db_session: Session,
) -> None:
    target = make_user(Role.supervisor)
    settings = get_settings()
    per_address = settings.login_free_failures - 1  # never slowed: the lock must come from the spread
    addresses = [f"203.0.113.{n}" for n in range(1, 6)]
    for address in addresses:
        for n in range(per_address):
            assert _attempt(_client_at(client.app, address), target.username, f"wrong-{n}")[0] == 401
    elsewhere = _client_at(client.app, "198.51.100.8")
    status, body, _ = _attempt(elsewhere, target.username, TEST_PASSWORD)
    assert (status, body["detail"]) == (401, "用户名或密码错误")  # locked, and says no more than that
    assert (
        "account_locked"
        in db_session.scalars(select(AuditLog.action).where(AuditLog.actor_username == target.username)).all()
    )
    assert client.post(f"/api/users/{target.id}/unlock", headers=login(Role.admin)).status_code == 200
    assert _attempt(elsewhere, target.username, TEST_PASSWORD)[0] == 200


def test_unknown_disabled_and_locked_accounts_get_the_same_answer(
    client: TestClient, make_user: Callable[..., User], db_session: Session
) -> None:
    disabled = make_user(Role.agent)
    locked = make_user(Role.agent)
    with database.get_session() as session:
        session.get_one(User, disabled.id).is_active = False
        session.get_one(User, locked.id).locked_until = datetime.now(UTC) + timedelta(days=1)
    answers = {
        name: _attempt(client, name, TEST_PASSWORD)[:2]
        for name in ("nobody-here", disabled.username, locked.username)
    }
    assert list(answers.values()) == [(401, {"detail": "用户名或密码错误"})] * 3
    reasons = db_session.scalars(select(AuditLog.detail).where(AuditLog.action == "login_failed")).all()
    assert sorted(reason["reason"] for reason in reasons) == ["disabled", "locked", "unknown"]


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
