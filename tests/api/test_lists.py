"""List filters, sort orders and pagination of cases, parties and deliveries."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.cases.enums import CaseType
from backend.core.clock import court_today
from backend.courts.models import Court
from tests.api.conftest import World, add_case

UserFactory = Callable[..., tuple[User, dict[str, str]]]


def _get(client: TestClient, headers: dict[str, str], path: str, **params: str | int) -> dict[str, object]:
    response = client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _numbers(page: dict[str, object]) -> list[str]:
    return [item["case_number"] for item in page["items"]]  # type: ignore[attr-defined, index]


def _ids(page: dict[str, object]) -> list[int]:
    return [item["id"] for item in page["items"]]  # type: ignore[attr-defined, index]


def test_case_filters(client: TestClient, world: World, as_user: UserFactory) -> None:
    _, headers = as_user(Role.supervisor)

    def numbers(**params: str | int) -> set[str]:
        return set(_numbers(_get(client, headers, "/api/cases", **params)))

    assert numbers(case_type="commercial") == {"(2026)京0102商初202号"}
    assert numbers(case_number="民初") == {"(2026)京0102民初101号", "(2026)京0105民初303号"}
    assert numbers(case_number="%") == set()
    assert numbers(filed_from="2026-01-15") == {"(2026)京0102商初202号"}
    assert numbers(filed_to="2026-01-15") == {"(2026)京0102民初101号", "(2026)京0105民初303号"}
    assert numbers(judge="李明", clerk="王芳") == {"(2026)京0102民初101号"}
    assert numbers(has_open_deliveries="true") == numbers()
    client.post(
        f"/api/deliveries/{world.overdue_delivery_id}/transition",
        json={"status": "cancelled"},
        headers=headers,
    )
    assert numbers(has_open_deliveries="false") == {"(2026)京0102商初202号"}


def test_hearing_range_is_in_beijing_days(client: TestClient, world: World, as_user: UserFactory) -> None:
    _, headers = as_user(Role.admin)
    with database.get_session() as session:
        court = session.get(Court, world.court_id)
        assert court is not None
        # 01:00 on 2 March in Beijing is still 1 March in UTC; 23:59 on 1 March in Beijing is not 2 March.
        add_case(session, court, "早", CaseType.civil, hearing_at=datetime(2026, 3, 1, 17, 0, tzinfo=UTC))
        add_case(session, court, "晚", CaseType.civil, hearing_at=datetime(2026, 3, 1, 15, 59, tzinfo=UTC))
    page = _get(client, headers, "/api/cases", hearing_from="2026-03-02", hearing_to="2026-03-02")
    assert set(_numbers(page)) == {"(2026)京0102民初101号", "早"}


def test_case_pagination_newest_first_and_page_size_cap(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.supervisor)
    with database.get_session() as session:
        court = session.get(Court, world.court_id)
        assert court is not None
        for day in range(12):
            add_case(session, court, f"分页{day:02d}", CaseType.mediation, filed_on=date(2025, 12, 1 + day))
    first = _get(client, headers, "/api/cases", page_size=5)
    assert (first["total"], first["page"], first["page_size"]) == (15, 1, 5)
    assert _numbers(first)[:2] == ["(2026)京0102商初202号", "(2026)京0105民初303号"]
    third = _get(client, headers, "/api/cases", page_size=5, page=3)
    assert _numbers(third) == [f"分页{day:02d}" for day in (4, 3, 2, 1, 0)]
    assert _get(client, headers, "/api/cases", page_size=5, page=4)["items"] == []
    assert client.get("/api/cases", params={"page_size": 201}, headers=headers).status_code == 422
    assert client.get("/api/cases", params={"page": 0}, headers=headers).status_code == 422


def test_party_filters(client: TestClient, world: World, as_user: UserFactory) -> None:
    _, headers = as_user(Role.supervisor)

    def names(**params: str | int) -> set[str]:
        page = _get(client, headers, "/api/parties", **params)
        return {item["name"] for item in page["items"]}  # type: ignore[attr-defined, index]

    assert names(case_id=world.civil_case_id) == {"张伟", "刘洋"}
    assert names(name="华信") == {"北京华信商贸有限公司"}
    assert names(party_type="legal_person") == {"北京华信商贸有限公司"}
    assert names(litigation_role="plaintiff") == {"张伟"}
    assert names(id_number="11010519900202002x") == {"刘洋"}
    assert _get(client, headers, "/api/parties", page_size=2)["total"] == 4


def test_delivery_filters_and_deadline_order(client: TestClient, world: World, as_user: UserFactory) -> None:
    agent, _ = as_user(Role.agent)
    _, headers = as_user(Role.supervisor)
    client.post(
        f"/api/deliveries/{world.delivery_id}/assign", json={"assignee_user_id": agent.id}, headers=headers
    )

    def ids(**params: str | int) -> list[int]:
        return _ids(_get(client, headers, "/api/deliveries", **params))

    today = court_today()
    assert ids() == [world.overdue_delivery_id, world.other_delivery_id, world.delivery_id]
    assert ids(overdue="true") == [world.overdue_delivery_id]
    assert ids(overdue="false") == [world.other_delivery_id, world.delivery_id]
    assert ids(case_type="commercial") == [world.overdue_delivery_id]
    assert ids(deadline_after=str(today)) == [world.other_delivery_id, world.delivery_id]
    assert ids(deadline_before=str(today - timedelta(days=1))) == [world.overdue_delivery_id]
    assert ids(party_id=world.defendant_id) == [world.delivery_id]
    assert ids(case_id=world.other_case_id) == [world.other_delivery_id]
    assert ids(agent_group="商事组") == [world.overdue_delivery_id]
    assert ids(assignee_user_id=agent.id) == [world.delivery_id]
    assert ids(status="pending", page_size=1, page=2) == [world.other_delivery_id]
    item = _get(client, headers, "/api/deliveries", case_id=world.civil_case_id)["items"][0]  # type: ignore[index]
    assert item["case_type"] == "civil" and item["party_name"] == "刘洋"
    assert item["document_ids"] == [world.summons_id]
