"""The cases page's search API: case numbers with brackets of any width, party, phone, delivery status,
deadline and hearing dates, sorting and pages, within the caller's scope and audited as before."""

from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient

from backend import database
from backend.auth.roles import Role
from backend.cases.models import Case
from backend.cases.service import case_number_key, phone_forms
from backend.deliveries.enums import DeliveryStatus
from backend.deliveries.models import Delivery
from tests.api.conftest import World

Login = Callable[..., tuple[object, dict[str, str]]]
CIVIL, COMMERCIAL, OTHER = "(2026)京0102民初101号", "(2026)京0102商初202号", "(2026)京0105民初303号"


def _numbers(client: TestClient, headers: dict[str, str], **params: object) -> list[str]:
    response = client.get("/api/cases", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["case_number"] for item in response.json()["items"]]


def _add_full_width_case(world: World) -> None:
    with database.get_session() as session:
        court_case = session.get_one(Case, world.civil_case_id)
        session.add(
            Case(
                court_id=court_case.court_id,
                case_number="（2026）京0102民初4567号",
                cause="物业服务合同纠纷",
                case_type=court_case.case_type,
                filed_on=date(2026, 2, 10),
                service_deadline=date(2026, 4, 15),
            )
        )


def test_the_key_folds_every_bracket_width() -> None:
    assert case_number_key("（2026）京0102民初1号") == "(2026)京0102民初1号"
    assert case_number_key("〔2026〕京0102 民初1号") == "(2026)京0102民初1号"
    assert phone_forms("010 6123 4567") == ["010 6123 4567", "01061234567", "010-61234567", "0106-1234567"]


def test_case_numbers_match_whatever_brackets_were_stored_or_typed(
    client: TestClient, world: World, as_user: Login
) -> None:
    _add_full_width_case(world)
    _, headers = as_user(Role.clerk, court_id=world.court_id)
    for typed in ["(2026)京0102民初4567号", "（2026）京0102民初4567", "〔2026〕京0102民初45", "民初4567"]:
        assert _numbers(client, headers, case_number=typed) == ["（2026）京0102民初4567号"], typed
    for typed in ["（2026）京0102民初101号", "(2026)京0102民初10", "民初101"]:
        assert _numbers(client, headers, case_number=typed) == ["(2026)京0102民初101号"], typed
    assert _numbers(client, headers, case_number="（2026）京0102") == [
        "（2026）京0102民初4567号",
        "(2026)京0102商初202号",
        "(2026)京0102民初101号",
    ]
    assert _numbers(client, headers, case_number="京0105") == []  # another court's case stays invisible


def test_party_phone_status_deadline_and_hearing_filters(
    client: TestClient, world: World, as_user: Login
) -> None:
    _, headers = as_user(Role.supervisor)
    assert _numbers(client, headers, party="刘") == ["(2026)京0102民初101号"]
    assert _numbers(client, headers, party="北京华信") == ["(2026)京0102商初202号"]
    assert _numbers(client, headers, party="洋") == []  # names are looked up by their beginning
    assert _numbers(client, headers, phone="138 0013 8000") == ["(2026)京0102民初101号"]
    assert _numbers(client, headers, phone="13800138001") == []
    with database.get_session() as session:
        session.get_one(Delivery, world.overdue_delivery_id).status = DeliveryStatus.served
    assert _numbers(client, headers, delivery_status="served") == ["(2026)京0102商初202号"]
    assert set(_numbers(client, headers, delivery_status="pending")) == {
        "(2026)京0102民初101号",
        "(2026)京0105民初303号",
    }
    assert _numbers(client, headers, deadline_from="2026-03-01", deadline_to="2026-03-31") == [
        "(2026)京0102民初101号"
    ]
    assert _numbers(client, headers, hearing_from="2026-03-02", hearing_to="2026-03-02") == [
        "(2026)京0102民初101号"
    ]


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        ("case_number", False, [COMMERCIAL, CIVIL, OTHER]),
        # equal filing dates: the later case first
        ("filed_on", True, [COMMERCIAL, OTHER, CIVIL]),
        # cases without a deadline come last whichever the direction
        ("service_deadline", False, [CIVIL, COMMERCIAL, OTHER]),
        ("service_deadline", True, [CIVIL, OTHER, COMMERCIAL]),
    ],
)
def test_sorted_and_paged(
    client: TestClient, world: World, as_user: Login, sort: str, descending: bool, expected: list[str]
) -> None:
    _, headers = as_user(Role.admin)
    assert _numbers(client, headers, sort=sort, descending=descending) == expected
    pages = [
        client.get(
            "/api/cases",
            params={"sort": sort, "descending": descending, "page_size": 2, "page": page},
            headers=headers,
        ).json()
        for page in (1, 2)
    ]
    assert [page["total"] for page in pages] == [3, 3]
    assert [item["case_number"] for page in pages for item in page["items"]] == expected


def test_a_bad_sort_is_refused(client: TestClient, world: World, as_user: Login) -> None:
    _, headers = as_user(Role.admin)
    assert client.get("/api/cases", params={"sort": "cause"}, headers=headers).status_code == 422
