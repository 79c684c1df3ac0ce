"""Batches against the local EMS server: 20 letters get 20 waybills; review (fix, remove); a crash between
placing an order and saving its number never makes a second order; roles."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import database
from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.auth.roles import Role
from backend.deliveries.enums import AttemptStatus
from backend.deliveries.models import DeliveryAttempt
from backend.postal import service
from backend.postal.enums import ItemStatus
from backend.postal.gateway import postal_gateway
from backend.postal.models import PostalItem
from tests.conftest import TEST_PASSWORD
from tests.postal.conftest import DAY
from tests.postal.vendor_servers import EmsServer


def _headers(client: TestClient, user: User) -> dict[str, str]:
    response = client.post("/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_a_batch_of_twenty_gets_twenty_waybills(
    ems: EmsServer, letters: Callable[..., list[int]], clerk: User, client: TestClient
) -> None:
    attempt_ids = letters(21)
    headers = _headers(client, clerk)
    built = client.post("/api/postal/batches/build", json={"day": DAY.isoformat()}, headers=headers)
    assert built.status_code == 200, built.text
    [batch] = built.json()["batches"]
    assert batch["items"] == 21
    detail = client.get(f"/api/postal/batches/{batch['id']}", headers=headers).json()
    first, second = detail["letters"][0], detail["letters"][1]

    removed = client.delete(f"/api/postal/letters/{first['id']}", headers=headers)
    assert removed.json()["status"] == "removed"
    short = client.patch(f"/api/postal/letters/{second['id']}", json={"address": "北京"}, headers=headers)
    assert short.status_code == 422 and "地址过短" in short.json()["detail"]
    fixed = client.patch(
        f"/api/postal/letters/{second['id']}", json={"address": "北京市西城区金融大街9号"}, headers=headers
    )
    assert fixed.json()["address_edited"] is True
    with database.get_session() as session:
        audited = session.scalars(select(AuditLog.action).where(AuditLog.object_type == "postal_item")).all()
    assert sorted(audited) == ["postal_letter_fixed", "postal_letter_removed"]

    confirmed = client.post(f"/api/postal/batches/{batch['id']}/confirm", headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["status"] == "confirmed" and body["errors"] == {}
    waybills = {letter["waybill_no"] for letter in body["letters"] if letter["status"] == "ordered"}
    assert len(waybills) == 20 and None not in waybills
    assert len(ems.orders) == 20
    sent = ems.order_payloads[
        fixed.json()["order_key"] if "order_key" in fixed.json() else next(iter(ems.orders))
    ]
    assert sent["receiver"]["address"]
    assert any(p["receiver"]["address"] == "金融大街9号" for p in ems.order_payloads.values())
    again = client.post(f"/api/postal/batches/{batch['id']}/confirm", headers=headers).json()
    assert again["status"] == "confirmed" and len(ems.orders) == 20
    with database.get_session() as session:
        statuses = {
            attempt.id: attempt.status
            for attempt in session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.id.in_(attempt_ids)))
        }
    assert sorted(statuses.values()).count(AttemptStatus.in_progress) == 20
    assert statuses[first["attempt_id"]] is AttemptStatus.planned  # removed: stays for a later batch
    locked = client.patch(
        f"/api/postal/letters/{second['id']}", json={"address": "北京市东城区某路1号"}, headers=headers
    )
    assert locked.status_code == 409


def test_a_crash_after_ordering_does_not_order_twice(
    ems: EmsServer, letters: Callable[..., list[int]], clerk: User
) -> None:
    letters(3)
    with database.get_session() as session:
        actor = session.get(User, clerk.id)
        [batch] = service.build_batches(db_session=session, actor=actor, day=DAY).batches
        batch_id = batch.id
    # The process dies after EMS made the order and before the number was saved: nothing is committed.
    session = database.session_factory()()
    try:
        batch = service.visible_batch(
            db_session=session, actor=session.get(User, clerk.id), batch_id=batch_id
        )
        item = batch.items[0]
        service.order_item(
            db_session=session, actor=session.get(User, clerk.id), item=item, gateway=postal_gateway()
        )
        lost_waybill = item.waybill_no
    finally:
        session.rollback()
        session.close()
    # The connection drops after EMS made the second letter's order: the adapter sees an error.
    ems.drop_next_reply = True
    with database.get_session() as session:
        actor = session.get(User, clerk.id)
        batch = service.visible_batch(db_session=session, actor=actor, batch_id=batch_id)
        report = service.confirm_batch(db_session=session, actor=actor, batch=batch, gateway=postal_gateway())
        assert len(report.errors) == 1 and "EMS" in next(iter(report.errors.values()))
        assert batch.status.value == "draft"
    with database.get_session() as session:
        actor = session.get(User, clerk.id)
        batch = service.visible_batch(db_session=session, actor=actor, batch_id=batch_id)
        report = service.confirm_batch(db_session=session, actor=actor, batch=batch, gateway=postal_gateway())
        assert report.errors == {} and batch.status.value == "confirmed"
        items = list(
            session.scalars(select(PostalItem).where(PostalItem.batch_id == batch_id).order_by(PostalItem.id))
        )
        assert [item.status for item in items] == [ItemStatus.ordered] * 3
        assert items[0].waybill_no == lost_waybill
        assert items[0].cost_fen == 1850
    assert len(ems.orders) == 3 and ems.create_calls == 5  # two retried, none ordered twice
    assert sorted(ems.orders.values()) == sorted(item.waybill_no for item in items)


def test_a_vendor_refusal_is_shown_in_chinese(
    ems: EmsServer, letters: Callable[..., list[int]], clerk: User
) -> None:
    letters(1)
    ems.refuse_next_order = "收件地址无法解析"
    with database.get_session() as session:
        actor = session.get(User, clerk.id)
        [batch] = service.build_batches(db_session=session, actor=actor, day=DAY).batches
        report = service.confirm_batch(db_session=session, actor=actor, batch=batch, gateway=postal_gateway())
    assert list(report.errors.values()) == ["EMS 拒绝请求：收件地址无法解析（B0002）"]


@pytest.mark.parametrize("role", [Role.agent, Role.field_officer])
def test_only_clerks_and_staff_handle_mail(
    role: Role, login: Callable[..., dict[str, str]], client: TestClient
) -> None:
    headers = login(role)
    for method, path in (
        ("post", "/api/postal/batches/build"),
        ("get", "/api/postal/batches"),
        ("get", "/api/postal/costs?month=2026-03"),
    ):
        assert client.request(method, path, json={}, headers=headers).status_code == 403
    assert client.get("/api/postal/silent", headers=headers).status_code == 403


def test_a_clerk_sees_only_their_courts_letters(
    letters: Callable[..., list[int]], clerk: User, make_user: Callable[..., User], client: TestClient
) -> None:
    letters(2)
    headers = _headers(client, clerk)
    [batch] = client.post("/api/postal/batches/build", json={}, headers=headers).json()["batches"]
    from backend.courts.models import Court

    with database.get_session() as session:
        other = Court(code="京0105", name="北京市朝阳区人民法院")
        session.add(other)
        session.flush()
        other_id = other.id
    stranger = _headers(client, make_user(Role.clerk, court_id=other_id))
    assert client.get(f"/api/postal/batches/{batch['id']}", headers=stranger).status_code == 404
    assert client.get("/api/postal/silent", headers=headers).status_code == 403
    assert batch["court_name"] == "北京市西城区人民法院"
    drafts = {"status": "draft"}
    assert len(client.get("/api/postal/letters", params=drafts, headers=headers).json()) == 2
    assert client.get("/api/postal/letters", params=drafts, headers=stranger).json() == []
    assert client.get("/api/postal/letters", params={"status": "lost"}, headers=headers).status_code == 422


def test_an_address_ems_cannot_parse_is_sent_back_to_the_clerk(
    ems: EmsServer, letters: Callable[..., list[int]], clerk: User
) -> None:
    letters(1)
    with database.get_session() as session:
        actor = session.get(User, clerk.id)
        [batch] = service.build_batches(db_session=session, actor=actor, day=DAY).batches
        [item] = batch.items
        service.fix_item(db_session=session, item=item, address="幸福小区3栋2单元")
        report = service.confirm_batch(db_session=session, actor=actor, batch=batch, gateway=postal_gateway())
        assert "EMS 无法识别" in report.errors[item.id] and item.status is ItemStatus.draft
        service.fix_item(db_session=session, item=item, address="广东省深圳市南山区科技园1号")
        report = service.confirm_batch(db_session=session, actor=actor, batch=batch, gateway=postal_gateway())
        assert report.errors == {} and item.waybill_no
    [sent] = ems.order_payloads.values()
    assert {key: sent["receiver"][key] for key in ("prov", "city", "county", "address")} == {
        "prov": "广东省",
        "city": "深圳市",
        "county": "南山区",
        "address": "科技园1号",
    }
