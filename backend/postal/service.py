"""Batches of the day's court mail: built from planned postal attempts per sender office (the court),
reviewed by a clerk (remove a letter, fix an address), confirmed (one EMS order per letter). Planning a
letter to an address (plan_letter) is where a postal attempt starts."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from backend.auth.models import User
from backend.auth.roles import Role
from backend.cases.access import case_visible
from backend.cases.models import Case
from backend.config import get_settings
from backend.core.clock import beijing_day_start
from backend.core.errors import InvalidRequest, NotVisible, RuleViolation
from backend.courts.models import Court
from backend.database import utcnow
from backend.deliveries import attempts as attempt_service
from backend.deliveries.enums import AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.deliveries.router import SWITCH_WITHIN
from backend.evidence.facts import record_fact
from backend.evidence.models import Evidence
from backend.parties.enums import ContactKind
from backend.parties.models import ContactPoint, usable_contact_points
from backend.postal.enums import BatchStatus, ItemStatus
from backend.postal.gateway.base import GatewayError, Letter, PostalGateway
from backend.postal.models import PostalBatch, PostalItem, PrinterProfile

if TYPE_CHECKING:
    from backend.postal.printing import Sheet

LIVE = ItemStatus.removed


def plan_letter(
    *,
    db_session: Session,
    actor: User,
    delivery: Delivery,
    address: ContactPoint,
    now: datetime,
    notes: str,
    confirmation_evidence: Evidence | None = None,
) -> DeliveryAttempt:
    """Plan the letter to ADDRESS, due within 24 hours; with CONFIRMATION_EVIDENCE the address counts as
    confirmed by the party (a letter returned there still serves)."""
    planned = attempt_service.add_attempt(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        method=DeliveryMethod.postal,
        planned_at=now,
        start_by=now + SWITCH_WITHIN,
        contact_point_id=address.id,
        notes=notes,
    )
    if confirmation_evidence is not None:
        record_fact(
            db_session=db_session,
            attempt=planned,
            key="address_confirmed",
            value=True,
            evidence=confirmation_evidence,
            actor=actor,
        )
    return planned


def _court_of(actor: User, court_id: int | None) -> int | None:
    """A clerk works on their own court's mail only."""
    if actor.role is Role.clerk:
        if actor.court_id is None:
            raise RuleViolation("书记员账号未关联法院，不能处理邮寄批次")
        return actor.court_id
    return court_id


def _unbatched_attempts(db_session: Session, court_id: int | None) -> list[DeliveryAttempt]:
    in_an_item = exists().where(PostalItem.attempt_id == DeliveryAttempt.id, PostalItem.status != LIVE)
    query = (
        select(DeliveryAttempt)
        .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
        .join(Case, Case.id == Delivery.case_id)
        .where(
            DeliveryAttempt.method == DeliveryMethod.postal,
            DeliveryAttempt.status == AttemptStatus.planned,
            ~in_an_item,
        )
        .options(
            selectinload(DeliveryAttempt.delivery).selectinload(Delivery.party),
            selectinload(DeliveryAttempt.delivery).selectinload(Delivery.documents),
            selectinload(DeliveryAttempt.delivery).selectinload(Delivery.case),
        )
        .order_by(DeliveryAttempt.id)
    )
    if court_id is not None:
        query = query.where(Case.court_id == court_id)
    return list(db_session.scalars(query))


def letter_item(db_session: Session, attempt: DeliveryAttempt) -> PostalItem | None:
    """The letter of a planned postal attempt (its address, recipient, case and documents), not yet in a
    batch; None when the party has no usable address."""
    delivery = attempt.delivery
    address = db_session.get(ContactPoint, attempt.contact_point_id) if attempt.contact_point_id else None
    if address is None or address.kind is not ContactKind.address:
        found = usable_contact_points(delivery.party, ContactKind.address)
        address = found[0] if found else None
    if address is None:
        return None
    phones = usable_contact_points(delivery.party, ContactKind.phone)
    tries = db_session.scalar(select(func.count()).where(PostalItem.attempt_id == attempt.id)) or 0
    return PostalItem(
        attempt_id=attempt.id,
        case_id=delivery.case_id,
        order_key=f"SD{attempt.id:08d}{tries + 1:02d}",
        recipient_name=delivery.party.name,
        recipient_phone=phones[0].value if phones else None,
        address=address.value,
        case_number=delivery.case.case_number,
        document_list="、".join(document.name for document in delivery.documents) or "诉讼文书",
    )


@dataclass
class BuildReport:
    batches: list[PostalBatch] = field(default_factory=list)
    without_address: list[int] = field(default_factory=list)  # attempts with no usable address


def build_batches(*, db_session: Session, actor: User, day: date, court_id: int | None = None) -> BuildReport:
    """Put every planned postal attempt not yet in a batch into DAY's draft batch of its court (a start-by
    later than today still goes today: earlier is within the 24-hour rule)."""
    report = BuildReport()
    batches: dict[int, PostalBatch] = {}
    for attempt in _unbatched_attempts(db_session, _court_of(actor, court_id)):
        item = letter_item(db_session, attempt)
        if item is None:
            report.without_address.append(attempt.id)
            continue
        court = attempt.delivery.case.court_id
        if court not in batches:
            batches[court] = _draft_batch(db_session, actor, court, day)
        batches[court].items.append(item)
    db_session.flush()
    report.batches = list(batches.values())
    return report


def _draft_batch(db_session: Session, actor: User, court_id: int, day: date) -> PostalBatch:
    query = select(PostalBatch).where(
        PostalBatch.court_id == court_id, PostalBatch.day == day, PostalBatch.status == BatchStatus.draft
    )
    batch = db_session.scalars(query).first()
    if batch is None:
        batch = PostalBatch(court_id=court_id, day=day, created_by_user_id=actor.id)
        db_session.add(batch)
    return batch


def visible_batch(*, db_session: Session, actor: User, batch_id: int) -> PostalBatch:
    batch = db_session.get(PostalBatch, batch_id)
    if batch is None or (actor.role is Role.clerk and batch.court_id != actor.court_id):
        raise NotVisible("邮寄批次")
    return batch


def list_batches(*, db_session: Session, actor: User, day: date | None) -> list[PostalBatch]:
    query = select(PostalBatch).order_by(PostalBatch.day.desc(), PostalBatch.id.desc()).limit(200)
    if day is not None:
        query = query.where(PostalBatch.day == day)
    if actor.role is Role.clerk:
        query = query.where(PostalBatch.court_id == actor.court_id)
    return list(db_session.scalars(query))


def visible_item(*, db_session: Session, actor: User, item_id: int) -> PostalItem:
    query = select(PostalItem).where(PostalItem.id == item_id, case_visible(actor, PostalItem.case_id))
    item = db_session.scalar(query)
    if item is None:
        raise NotVisible("邮件")
    return item


def list_letters(
    *, db_session: Session, actor: User, statuses: list[ItemStatus], limit: int = 200
) -> list[PostalItem]:
    """The letters in STATUSES the actor may see (a clerk: their court's), most recently ordered first."""
    query = (
        select(PostalItem)
        .where(PostalItem.status.in_(statuses), case_visible(actor, PostalItem.case_id))
        .order_by(PostalItem.ordered_at.desc(), PostalItem.id.desc())
        .limit(limit)
    )
    return list(db_session.scalars(query))


def _editable(item: PostalItem) -> None:
    if item.status is not ItemStatus.draft or item.batch.status is not BatchStatus.draft:
        raise RuleViolation("邮件已下单或已移出批次，不能再修改")


def fix_item(
    *,
    db_session: Session,
    item: PostalItem,
    address: str | None = None,
    recipient_name: str | None = None,
    recipient_phone: str | None = None,
) -> PostalItem:
    """Correct what will be printed and ordered; an address that differs from the party's contact point
    no longer counts as the address the party confirmed."""
    _editable(item)
    if address is not None:
        address = address.strip()
        if len(address) < 6:
            raise InvalidRequest("收件地址过短，请填写省、市、区及详细地址")
        attempt = db_session.get(DeliveryAttempt, item.attempt_id)
        point = (
            db_session.get(ContactPoint, attempt.contact_point_id)
            if attempt and attempt.contact_point_id
            else None
        )
        item.address = address
        item.address_edited = point is None or point.value.strip() != address
    if recipient_name is not None:
        if not recipient_name.strip():
            raise InvalidRequest("收件人不能为空")
        item.recipient_name = recipient_name.strip()
    if recipient_phone is not None:
        item.recipient_phone = recipient_phone.strip() or None
    return item


def remove_item(*, item: PostalItem) -> PostalItem:
    """Take a letter out of its batch; its attempt stays planned for a later batch."""
    _editable(item)
    item.status = ItemStatus.removed
    return item


def letter_of(item: PostalItem, court_name: str, court_address: str | None) -> Letter:
    return Letter(
        order_key=item.order_key,
        sender_name=court_name,
        sender_address=court_address or court_name,
        sender_phone=get_settings().postal_sender_phone,
        recipient_name=item.recipient_name,
        recipient_address=item.address,
        recipient_phone=item.recipient_phone or "",
        case_number=item.case_number,
        document_list=item.document_list,
    )


def order_item(*, db_session: Session, actor: User, item: PostalItem, gateway: PostalGateway) -> None:
    """Place ITEM's order (its order key makes a retry return the first order) and start its attempt."""
    attempt = db_session.get(DeliveryAttempt, item.attempt_id)
    assert attempt is not None
    if attempt.status is not AttemptStatus.planned:
        item.status = ItemStatus.removed  # served or cancelled by another way meanwhile
        return
    court = attempt.delivery.case.court
    order = gateway.create_order(letter_of(item, court.name, court.address))
    item.waybill_no = order.waybill_no
    item.cost_fen = order.cost_fen if order.cost_fen is not None else get_settings().postal_default_cost_fen
    item.ordered_at = utcnow()
    item.status = ItemStatus.ordered
    attempt_service.start(attempt, actor)
    attempt.notes = (
        f"{attempt.notes}\nEMS 邮件号 {order.waybill_no}"
        if attempt.notes
        else f"EMS 邮件号 {order.waybill_no}"
    )


@dataclass
class ConfirmReport:
    batch: PostalBatch
    errors: dict[int, str] = field(default_factory=dict)  # item id -> the vendor's refusal


def confirm_batch(
    *, db_session: Session, actor: User, batch: PostalBatch, gateway: PostalGateway
) -> ConfirmReport:
    """Order every letter still in the batch; confirmed once each has its waybill number."""
    if batch.status is BatchStatus.confirmed:
        return ConfirmReport(batch=batch)
    report = ConfirmReport(batch=batch)
    # Two clerks confirming at once: the second waits here, then sees the first one's waybills.
    locked = (
        select(PostalItem)
        .where(PostalItem.batch_id == batch.id)
        .order_by(PostalItem.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    for item in db_session.scalars(locked).all():
        if item.status is not ItemStatus.draft:
            continue
        try:
            order_item(db_session=db_session, actor=actor, item=item, gateway=gateway)
        except GatewayError as error:
            report.errors[item.id] = str(error)
        db_session.flush()
    if not report.errors:
        if not any(item.status is ItemStatus.ordered for item in batch.items):
            raise RuleViolation("批次中没有待寄出的邮件")
        batch.status = BatchStatus.confirmed
        batch.confirmed_at = utcnow()
        batch.confirmed_by_user_id = actor.id
    return report


def printable_items(batch: PostalBatch) -> list[PostalItem]:
    items = [item for item in batch.items if item.waybill_no]
    if not items:
        raise RuleViolation("批次尚未确认下单，没有可打印的邮件")
    return items


def get_printer(*, db_session: Session, printer_id: int | None) -> PrinterProfile | None:
    if printer_id is None:
        return None
    printer = db_session.get(PrinterProfile, printer_id)
    if printer is None:
        raise NotVisible("打印机")
    return printer


def save_printer(
    *,
    db_session: Session,
    name: str,
    offset_x_mm: float,
    offset_y_mm: float,
    printer: PrinterProfile | None = None,
) -> PrinterProfile:
    if abs(offset_x_mm) > 20 or abs(offset_y_mm) > 20:
        raise InvalidRequest("打印偏移不能超过 20 毫米，请检查校准测量")
    if printer is None:
        if db_session.scalar(select(PrinterProfile.id).where(PrinterProfile.name == name)) is not None:
            raise RuleViolation(f"打印机「{name}」已存在")
        printer = PrinterProfile(name=name)
        db_session.add(printer)
    printer.name = name
    printer.offset_x_mm = offset_x_mm
    printer.offset_y_mm = offset_y_mm
    db_session.flush()
    return printer


def list_printers(*, db_session: Session) -> list[PrinterProfile]:
    return list(db_session.scalars(select(PrinterProfile).order_by(PrinterProfile.name)))


def sheets_of(*, db_session: Session, batch: PostalBatch) -> list["Sheet"]:
    """What is printed for each ordered letter of BATCH."""
    from backend.postal.printing import Sheet

    court = db_session.get(Court, batch.court_id)
    assert court is not None
    phone = get_settings().postal_sender_phone
    return [
        Sheet(
            waybill_no=item.waybill_no or "",
            sender_name=court.name,
            sender_phone=phone,
            sender_address=court.address or court.name,
            recipient_name=item.recipient_name,
            recipient_phone=item.recipient_phone or "",
            recipient_address=item.address,
            case_number=item.case_number,
            documents=item.document_list,
            posted_on=batch.day,
        )
        for item in printable_items(batch)
    ]


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """The letters ordered in a month: what they cost, and how many served (the contract's EMS success
    rate counts the letters whose outcome is known)."""

    letters: int
    total_fen: int
    served: int
    failed: int


def month_figures(*, db_session: Session, actor: User, month: date) -> MonthFigures:
    """Letters ordered in MONTH (court time): count, cost, and outcomes so far."""
    start = beijing_day_start(month.replace(day=1))
    following = (month.replace(day=1) + timedelta(days=32)).replace(day=1)
    query = (
        select(PostalItem.status, func.count(PostalItem.id), func.coalesce(func.sum(PostalItem.cost_fen), 0))
        .where(PostalItem.ordered_at >= start, PostalItem.ordered_at < beijing_day_start(following))
        .group_by(PostalItem.status)
    )
    if actor.role is Role.clerk:
        query = query.where(case_visible(actor, PostalItem.case_id))
    counts: dict[ItemStatus, int] = {}
    total = 0
    for status, letters, cost in db_session.execute(query):
        counts[status] = int(letters)
        total += int(cost or 0)
    return MonthFigures(
        letters=sum(counts.values()),
        total_fen=total,
        served=counts.get(ItemStatus.served, 0),
        failed=counts.get(ItemStatus.failed, 0),
    )
