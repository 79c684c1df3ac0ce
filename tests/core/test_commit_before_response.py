"""A write answered 200 is stored: the request's transaction commits before the response is sent, and a
constraint that refuses the commit answers 409/422 with the field named instead."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from tests.conftest import TEST_PASSWORD


def _stored(user_id: int) -> User:
    with database.get_session() as session:
        return session.get_one(User, user_id)


def test_a_duplicate_sip_extension_answers_409_and_leaves_the_row_as_it_was(
    client: TestClient, login: Callable[..., dict[str, str]], make_user: Callable[..., User]
) -> None:
    admin = login(Role.admin)
    holder = make_user(Role.agent, sip_extension="1001")
    target = make_user(Role.agent, sip_extension="1002")
    response = client.patch(
        f"/api/users/{target.id}", json={"sip_extension": "1001", "full_name": "改名"}, headers=admin
    )
    assert response.status_code == 409, response.text
    assert "sip_extension" in response.json()["detail"]
    stored = _stored(target.id)
    assert (stored.sip_extension, stored.full_name) == ("1002", target.full_name)
    assert _stored(holder.id).sip_extension == "1001"


def test_an_unknown_court_never_answers_200(
    client: TestClient, login: Callable[..., dict[str, str]], make_user: Callable[..., User]
) -> None:
    admin = login(Role.admin)
    target = make_user(Role.clerk)
    before = target.court_id
    response = client.patch(f"/api/users/{target.id}", json={"court_id": 999_999}, headers=admin)
    assert response.status_code == 409, response.text
    assert "引用的记录不存在" in response.json()["detail"]
    assert _stored(target.id).court_id == before


def test_a_successful_write_is_in_the_database_when_its_200_arrives(
    client: TestClient,
    login: Callable[..., dict[str, str]],
    make_user: Callable[..., User],
    db_session: Session,
) -> None:
    admin = login(Role.admin)
    target = make_user(Role.agent)
    response = client.patch(f"/api/users/{target.id}", json={"full_name": "新名字"}, headers=admin)
    assert response.status_code == 200
    assert _stored(target.id).full_name == "新名字"


def test_an_id_larger_than_the_database_holds_is_refused_not_a_server_error(
    client: TestClient, login: Callable[..., dict[str, str]]
) -> None:
    admin = login(Role.admin)
    for path in ("/api/cases/18446744073709551617", "/api/deliveries/99999999999999999999999"):
        response = client.get(path, headers=admin)
        assert response.status_code in (404, 422), (path, response.text)


def test_api_answers_are_never_cached_nor_sniffed(
    client: TestClient, login: Callable[..., dict[str, str]]
) -> None:
    me = client.get("/api/auth/me", headers=login(Role.clerk))
    assert me.status_code == 200
    assert (me.headers["cache-control"], me.headers["x-content-type-options"]) == ("no-store", "nosniff")
    refused = client.get("/api/cases")
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"


def test_a_refused_request_never_echoes_what_was_sent(
    client: TestClient, login: Callable[..., dict[str, str]], make_user: Callable[..., User]
) -> None:
    admin = login(Role.admin)
    target = make_user(Role.agent)
    response = client.post(f"/api/users/{target.id}/password", json={"password": "hunter2"}, headers=admin)
    assert response.status_code == 422
    assert "hunter2" not in response.text
    assert response.json()["detail"][0]["loc"] == ["body", "password"]


def test_an_admin_cannot_disable_themselves_or_change_their_own_role(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    admin = make_user(Role.admin)
    token = client.post("/api/auth/login", json={"username": admin.username, "password": TEST_PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    for change in ({"is_active": False}, {"role": "agent"}):
        response = client.patch(f"/api/users/{admin.id}", json=change, headers=headers)
        assert response.status_code == 409, change
    stored = _stored(admin.id)
    assert stored.is_active and stored.role is Role.admin


def test_a_required_field_cannot_be_emptied(
    client: TestClient, login: Callable[..., dict[str, str]], make_user: Callable[..., User]
) -> None:
    admin = login(Role.admin)
    target = make_user(Role.clerk)
    for emptied in ({"role": None}, {"full_name": None}, {"is_active": None}):
        response = client.patch(f"/api/users/{target.id}", json=emptied, headers=admin)
        assert response.status_code == 422, (emptied, response.text)
    assert _stored(target.id).role is Role.clerk
