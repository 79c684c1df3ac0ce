"""Paper copies asked for after service: listed for the court's clerks (nobody else's), marked handled once,
every read and mark audited; a request made while the delivery was open is an attempt, not listed."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import database
from backend.audit.models import AuditLog
from backend.auth.roles import Role
from backend.courts.models import Court
from tests.portal.test_portal_api import portal_login, signature
from tests.portal.world import PortalParty

MakeParty = Callable[..., PortalParty]
Login = Callable[..., dict[str, str]]


def _serve_through_the_portal(client: TestClient, party: PortalParty) -> None:
    base = f"/api/portal/deliveries/{party.delivery_id}"
    for document_id in party.document_ids:
        assert client.get(f"{base}/documents/{document_id}/file").status_code == 200
        shown = client.post(f"{base}/documents/{document_id}/pages", json={"pages": [1, 2], "page_count": 2})
        assert shown.status_code == 200
    assert client.post(f"{base}/sign", json=signature()).status_code == 200


def _court_of(party: PortalParty) -> int:
    with database.get_session() as session:
        return session.scalars(select(Court.id).where(Court.code == "京0102")).one()


def _other_court() -> int:
    with database.get_session() as session:
        court = Court(code="京0105", name="北京市朝阳区人民法院", address="北京市朝阳区")
        session.add(court)
        session.flush()
        return court.id


def test_a_paper_request_after_service_waits_for_a_clerk_of_the_court_until_marked_handled(
    client: TestClient, make_party: MakeParty, login: Login
) -> None:
    party = make_party()
    portal_login(client, party)
    _serve_through_the_portal(client, party)
    asked = client.post(
        f"/api/portal/deliveries/{party.delivery_id}/paper",
        json={"way": "postal", "postal_address": "北京市西城区金融大街7号"},
    )
    assert asked.status_code == 200, asked.text
    assert client.get("/api/paper-requests").status_code == 401  # the party's portal session is not staff
    clerk = login(Role.clerk, court_id=_court_of(party), full_name="李书记员")
    elsewhere = login(Role.clerk, court_id=_other_court())
    assert client.get("/api/paper-requests", headers=login(Role.agent)).status_code == 403
    assert client.get("/api/paper-requests", headers=elsewhere).json() == []

    [waiting] = client.get("/api/paper-requests", headers=clerk).json()
    assert waiting["delivery_id"] == party.delivery_id and waiting["way_label"] == "邮寄"
    assert waiting["postal_address"] == "北京市西城区金融大街7号" and waiting["planned_attempt_id"] is None
    assert waiting["handled_at"] is None
    refused = client.post(f"/api/paper-requests/{waiting['id']}/handled", json={}, headers=elsewhere)
    assert refused.status_code == 404 and refused.json()["detail"] == "纸质文书申请不存在"

    marked = client.post(
        f"/api/paper-requests/{waiting['id']}/handled", json={"note": "EMS 1234567890"}, headers=clerk
    )
    assert marked.status_code == 200, marked.text
    assert marked.json()["handled_by"] == "李书记员" and marked.json()["handled_note"] == "EMS 1234567890"
    again = client.post(f"/api/paper-requests/{waiting['id']}/handled", json={"note": "重复"}, headers=clerk)
    assert again.json()["handled_note"] == "EMS 1234567890"
    assert again.json()["handled_at"] == marked.json()["handled_at"]
    assert client.get("/api/paper-requests", headers=clerk).json() == []
    [done] = client.get("/api/paper-requests", params={"waiting": False}, headers=clerk).json()
    assert done["handled_by"] == "李书记员"
    with database.get_session() as session:
        audited = select(AuditLog.action).where(AuditLog.object_type == "paper_request")
        actions = list(session.scalars(audited))
    assert actions.count("paper_request_handled") == 1 and actions.count("paper_requests_read") >= 4


def test_a_paper_request_while_the_delivery_is_open_becomes_an_attempt_and_is_not_listed(
    client: TestClient, make_party: MakeParty, login: Login
) -> None:
    party = make_party()
    portal_login(client, party)
    asked = client.post(f"/api/portal/deliveries/{party.delivery_id}/paper", json={"way": "pickup"})
    assert asked.status_code == 200, asked.text
    clerk = login(Role.clerk, court_id=_court_of(party))
    assert client.get("/api/paper-requests", headers=clerk).json() == []
    [listed] = client.get("/api/paper-requests", params={"waiting": False}, headers=clerk).json()
    assert listed["planned_attempt_id"] is not None and listed["way_label"] == "来院领取"
