"""Re-imports change nothing; later exports update cases, parties, contact points and deliveries."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from backend.cases.models import Case
from backend.deliveries.enums import DeliveryStatus
from backend.deliveries.models import Delivery
from backend.intake.enums import COURT_EXPORT_SOURCE
from backend.parties.enums import ContactKind, ContactState
from backend.parties.models import ContactPoint, ContactPointEvent, Party
from tests.intake.exports import CASE_1, person_id, row, run_import, two_party_rows, write_csv, write_xlsx

INTAKE_TABLES = (
    "court",
    "case",
    "party",
    "contact_point",
    "contact_point_event",
    "document",
    "delivery",
    "delivery_document",
)


_WRITE = re.compile(r'\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


@contextmanager
def data_writes(engine: Engine) -> Iterator[list[str]]:
    """The tables of every INSERT/UPDATE/DELETE on imported data while the block runs."""
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        match = _WRITE.match(statement)
        if match and match.group(1) in INTAKE_TABLES:
            seen.append(f"{statement.split()[0].upper()} {match.group(1)}")

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def _events(db_session: Session, value: str) -> list[str]:
    point = db_session.scalars(select(ContactPoint).where(ContactPoint.value == value)).one()
    return [entry.kind.value for entry in point.history]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reimporting_the_same_file_writes_nothing(db: Engine, tmp_path: Path, fmt: str) -> None:
    rows = two_party_rows()
    path = (
        write_csv(tmp_path / "e.csv", rows, encoding="gbk")
        if fmt == "csv"
        else write_xlsx(tmp_path / "e.xlsx", rows)
    )
    with data_writes(db) as first_writes:
        first = run_import(path)
    assert first.status == "done"
    # Each table inserted into, then the new deliveries' call-queue facts set (deliveries.upkeep).
    assert set(first_writes) == {f"INSERT {table}" for table in INTAKE_TABLES} | {"UPDATE delivery"}
    assert first.summary["parties_created"] == 3 and first.summary["deliveries_created"] == 3
    with data_writes(db) as writes:
        again = run_import(path)
    assert again.status == "done"
    assert writes == []
    changed = {
        k: v for k, v in again.summary.items() if k.endswith(("_created", "_updated", "_added", "_retired"))
    }
    assert set(changed.values()) == {0}


def test_a_later_export_updates_contact_points_and_keeps_their_history(
    db: Engine, tmp_path: Path, db_session: Session
) -> None:
    first = [
        row(联系电话="13800138000；13900139000", 送达地址="北京市西城区金融大街1号", 电子邮箱="a@example.com")
    ]
    assert run_import(write_csv(tmp_path / "1.csv", first)).status == "done"
    verified = db_session.scalars(select(ContactPoint).where(ContactPoint.value == "13800138000")).one()
    verified.state = ContactState.verified
    db_session.add(ContactPointEvent(contact_point_id=verified.id, kind="verified", source="agent"))
    repaired = ContactPoint(
        party_id=verified.party_id, kind=ContactKind.phone, value="13600136000", source="data_repair"
    )
    db_session.add(repaired)
    db_session.commit()

    second = [row(联系电话="13900139000；13700137000", 送达地址="北京市西城区西直门外大街18号", 电子邮箱="")]
    job = run_import(write_csv(tmp_path / "2.csv", second))
    assert job.status == "done", job.errors
    assert (job.summary["contact_points_added"], job.summary["contact_points_retired"]) == (2, 3)
    db_session.expire_all()
    points = {p.value: p for p in db_session.scalars(select(ContactPoint))}
    assert len(points) == 7  # nothing is deleted
    assert points["13800138000"].listed_by_source is False
    assert points["13800138000"].state is ContactState.verified  # the import never overwrites the state
    assert points["13600136000"].listed_by_source is True  # not the court's to retire
    assert points["13700137000"].source == COURT_EXPORT_SOURCE
    assert _events(db_session, "13800138000") == ["added", "verified", "retired"]
    assert _events(db_session, "a@example.com") == ["added", "retired"]
    assert _events(db_session, "13700137000") == ["added"]
    assert _events(db_session, "13600136000") == []

    third = [
        row(
            联系电话="13800138000；13900139000；13700137000",
            送达地址="北京市西城区西直门外大街18号",
            电子邮箱="",
        )
    ]
    job = run_import(write_csv(tmp_path / "3.csv", third))
    assert job.summary["contact_points_relisted"] == 1 and job.summary["contact_points_added"] == 0
    db_session.expire_all()
    assert _events(db_session, "13800138000") == ["added", "verified", "retired", "relisted"]
    relisted = db_session.scalars(select(ContactPoint).where(ContactPoint.value == "13800138000")).one()
    assert relisted.listed_by_source is True and relisted.state is ContactState.verified
    note = relisted.history[-1].note
    assert note is not None and f"#{job.id}" in note


def test_a_later_export_updates_changed_case_and_party_cells(
    db: Engine, tmp_path: Path, db_session: Session
) -> None:
    run_import(write_csv(tmp_path / "1.csv", two_party_rows()))
    changed = two_party_rows()
    changed[0].update(承办法官="刘法官", 开庭时间="2026-04-12 14:00", 诉讼地位="申请人", 当事人="张三丰")
    changed[1].update(承办法官="刘法官", 开庭时间="2026-04-12 14:00")
    job = run_import(write_csv(tmp_path / "2.csv", changed))
    assert job.status == "done", job.errors
    assert (job.summary["cases_updated"], job.summary["parties_updated"], job.summary["cases_created"]) == (
        1,
        1,
        0,
    )
    case = db_session.scalars(select(Case).where(Case.case_number == CASE_1)).one()
    assert case.judge_name == "刘法官"
    assert case.hearing_at is not None and case.hearing_at.isoformat() == "2026-04-12T06:00:00+00:00"
    party = db_session.scalars(select(Party).where(Party.id_number == person_id(1))).one()
    assert party.name == "张三丰"  # same ID number: the same party, renamed


def test_a_party_first_listed_without_id_number_keeps_its_record(
    db: Engine, tmp_path: Path, db_session: Session
) -> None:
    run_import(write_csv(tmp_path / "1.csv", [row(证件号码="")]))
    job = run_import(write_csv(tmp_path / "2.csv", [row()]))
    assert (job.summary["parties_created"], job.summary["parties_updated"]) == (0, 1)
    party = db_session.scalars(select(Party)).one()
    assert party.identity_key == f"id:{person_id(1)}"


def test_new_documents_join_the_open_delivery_or_start_a_new_one(
    db: Engine, tmp_path: Path, db_session: Session
) -> None:
    run_import(write_csv(tmp_path / "1.csv", [row(待送达文书="传票", 送达期限="2026-03-20")]))
    job = run_import(
        write_csv(tmp_path / "2.csv", [row(待送达文书="传票；举证通知书", 送达期限="2026-03-25")])
    )
    assert (job.summary["deliveries_created"], job.summary["deliveries_updated"]) == (0, 1)
    delivery = db_session.scalars(select(Delivery)).one()
    assert [d.name for d in delivery.documents] == ["传票", "举证通知书"]
    assert delivery.deadline is not None and delivery.deadline.isoformat() == "2026-03-25"

    delivery.status = DeliveryStatus.served
    db_session.commit()
    job = run_import(write_csv(tmp_path / "3.csv", [row(待送达文书="传票；举证通知书；判决书")]))
    assert (job.summary["deliveries_created"], job.summary["documents_created"]) == (1, 1)
    db_session.expire_all()
    deliveries = db_session.scalars(select(Delivery).order_by(Delivery.id)).all()
    assert [d.status for d in deliveries] == [DeliveryStatus.served, DeliveryStatus.pending]
    assert [d.name for d in deliveries[1].documents] == ["判决书"]
    assert deliveries[0].deadline is not None and deliveries[0].deadline.isoformat() == "2026-03-25"


def test_documents_are_per_case_and_shared_by_its_parties(
    db: Engine, tmp_path: Path, db_session: Session
) -> None:
    run_import(write_csv(tmp_path / "1.csv", two_party_rows()))
    case = db_session.scalars(select(Case).where(Case.case_number == CASE_1)).one()
    assert [d.name for d in case.documents] == ["传票", "起诉状副本", "应诉通知书"]
    assert [d.kind.value for d in case.documents] == ["summons", "complaint", "notice"]
    by_party = {d.party.name: [doc.name for doc in d.documents] for d in case.deliveries}
    assert by_party == {
        "张三": ["传票", "起诉状副本"],
        "北京某某科技有限公司": ["传票", "起诉状副本", "应诉通知书"],
    }
    assert {d.status for d in case.deliveries} == {DeliveryStatus.pending}
    assert {d.deadline.isoformat() for d in case.deliveries if d.deadline} == {"2026-03-20"}


def test_dry_run_reports_counts_and_writes_nothing(db: Engine, tmp_path: Path, db_session: Session) -> None:
    job = run_import(write_csv(tmp_path / "1.csv", two_party_rows()), dry_run=True)
    assert job.status == "done" and job.summary["dry_run"] is True
    assert job.summary["cases_created"] == 2
    assert db_session.scalars(select(Case)).all() == []
