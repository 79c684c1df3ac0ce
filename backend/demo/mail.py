"""The demo's court mail: letters posted over the past days in every state the postal console shows
(delivered and served, returned from an unconfirmed address and failed with the next method planned,
returned to a confirmed address waiting for its scan, in transit, out for delivery, silent for days),
and today's draft batch of the letters the demo stories planned, for the clerk to review."""

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core.clock import BEIJING
from backend.courts.models import Court
from backend.deliveries.enums import AttemptStatus, DeliveryStatus
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.evidence.enums import EvidenceKind
from backend.evidence.service import store_evidence
from backend.parties.enums import ContactKind
from backend.parties.models import usable_contact_points
from backend.postal import service, tracking
from backend.postal.enums import TraceState
from backend.postal.gateway.base import Trace
from backend.postal.gateway.fake import FakePostalGateway
from backend.postal.models import PostalBatch, PostalItem

TODAYS_LETTERS = 6
DEMO_PRINTER = "诉讼服务中心针式打印机"
COLLECTED = ("954", TraceState.in_transit, "已收寄", "北京西城区揽投部")
AT_CENTRE = ("954", TraceState.in_transit, "到达北京邮区中心局", "北京邮区中心局")
OUT = ("702", TraceState.out_for_delivery, "投递员正在派送", "北京丰台区揽投部")


@dataclass(frozen=True, slots=True)
class Story:
    """One past letter: posted DAYS_AGO, with these events (hours after posting), to a confirmed address?"""

    days_ago: int
    events: tuple[tuple[int, str, TraceState, str, str], ...]
    confirmed: bool = False


def _delivered(signer: str) -> tuple[tuple[int, str, TraceState, str, str], ...]:
    return (
        (2, *COLLECTED),
        (20, "954", TraceState.in_transit, "到达北京邮区中心局", "北京邮区中心局"),
        (30, "702", TraceState.out_for_delivery, "投递员正在派送", "北京海淀区揽投部"),
        (34, "704", TraceState.delivered, f"已妥投，签收人：{signer}", "北京海淀区揽投部"),
    )


def _returned(reason: str) -> tuple[tuple[int, str, TraceState, str, str], ...]:
    return (
        (2, *COLLECTED),
        (30, "705", TraceState.refused, reason, "北京朝阳区揽投部"),
        (80, "704", TraceState.returned, "邮件已退回寄件人（法院）签收", "北京西城区揽投部"),
    )


PAST = (
    Story(9, _delivered("本人")),
    Story(9, _delivered("本人")),
    Story(8, _delivered("家属代收")),
    Story(8, _delivered("本人")),
    Story(8, _returned("收件人拒收")),  # unconfirmed: failed, next method planned
    Story(9, _returned("收件人拒收"), confirmed=True),  # waits for the returned envelope's scan
    Story(8, ((2, *COLLECTED),)),  # silent since
    Story(7, ((2, *COLLECTED),)),
    Story(1, ((2, *COLLECTED), (14, *AT_CENTRE))),
    Story(1, ((2, *COLLECTED), (18, *OUT))),
    Story(1, ((3, *COLLECTED),)),
)


def _candidates(db_session: Session, court: Court, count: int) -> list[Delivery]:
    """Pending deliveries of people and companies with a usable address and nothing under way."""
    open_attempt = exists().where(
        DeliveryAttempt.delivery_id == Delivery.id,
        DeliveryAttempt.status.in_([AttemptStatus.planned, AttemptStatus.in_progress]),
    )
    query = (
        select(Delivery)
        .where(Delivery.status == DeliveryStatus.pending, Delivery.case.has(court_id=court.id), ~open_attempt)
        .order_by(Delivery.id.desc())
        .limit(count * 4)
    )
    found = [d for d in db_session.scalars(query) if usable_contact_points(d.party, ContactKind.address)]
    return found[:count]


def _posted_at(day: date) -> datetime:
    return datetime.combine(day, time(16, 0), tzinfo=BEIJING)


def _plan(db_session: Session, clerk: User, story: Story, delivery: Delivery, posted: datetime) -> int:
    """Plan the letter of STORY to the party's address (confirmed by the party where the story says)."""
    address = usable_contact_points(delivery.party, ContactKind.address)[0]
    confirmation = None
    if story.confirmed:
        record = {"type": "address_confirmation", "postal_address": address.value}
        confirmation = store_evidence(
            db_session=db_session,
            case_id=delivery.case_id,
            kind=EvidenceKind.address_confirmation,
            content=json.dumps(record, ensure_ascii=False).encode(),
            content_type="application/json",
            metadata={"demo": True},
            created_by_system="demo",
        )
    attempt = service.plan_letter(
        db_session=db_session,
        actor=clerk,
        delivery=delivery,
        address=address,
        now=posted - timedelta(hours=6),
        notes="EMS 司法专邮（演示）",
        confirmation_evidence=confirmation,
    )
    return attempt.id


def _traces(item: PostalItem, story: Story, posted: datetime, now: datetime) -> list[Trace]:
    return [
        Trace(
            waybill_no=item.waybill_no or "",
            op_time=min(posted + timedelta(hours=hours), now),
            op_code=code,
            state=state,
            description=text,
            place=place,
            operator="李投递",
            signer=text.split("签收人：")[1] if "签收人：" in text else None,
            reason=text if state in (TraceState.refused, TraceState.not_delivered) else None,
        )
        for hours, code, state, text, place in story.events
    ]


def _post_day(
    db_session: Session,
    clerk: User,
    court: Court,
    day: date,
    stories: list[tuple[Story, Delivery]],
    now: datetime,
) -> None:
    """One day's batch: its letters ordered (backdated to the afternoon they were posted), their events in."""
    posted = min(_posted_at(day), now)
    by_attempt = {_plan(db_session, clerk, story, delivery, posted): story for story, delivery in stories}
    made = [service.letter_item(db_session, _attempt(db_session, attempt_id)) for attempt_id in by_attempt]
    items = [item for item in made if item is not None]
    batch = PostalBatch(court_id=court.id, day=day, created_by_user_id=clerk.id, items=items)
    db_session.add(batch)
    db_session.flush()
    if not any(story.events for story in by_attempt.values()):
        return  # today's batch: left for the clerk to review and confirm
    service.confirm_batch(db_session=db_session, actor=clerk, batch=batch, gateway=FakePostalGateway())
    batch.confirmed_at = posted
    traces = []
    for item in items:
        item.ordered_at = _attempt(db_session, item.attempt_id).started_at = posted
        traces += _traces(item, by_attempt[item.attempt_id], posted, now)
    tracking.ingest(db_session=db_session, traces=traces)


def _attempt(db_session: Session, attempt_id: int) -> DeliveryAttempt:
    return db_session.get_one(DeliveryAttempt, attempt_id)


def ensure_mail(*, db_session: Session, court: Court, clerk: User, now: datetime) -> int:
    """Post the demo's past letters and put today's in a draft batch (once); the letters made."""
    if db_session.scalar(select(exists().where(PostalItem.id.is_not(None)))):
        return 0
    db_session.execute(delete(PostalBatch))  # batches left empty by a demo reset
    if not service.list_printers(db_session=db_session):
        service.save_printer(db_session=db_session, name=DEMO_PRINTER, offset_x_mm=0.5, offset_y_mm=-1.0)
    stories = [*PAST, *[Story(0, ())] * TODAYS_LETTERS]
    deliveries = _candidates(db_session, court, len(stories))
    today = now.astimezone(BEIJING).date()
    by_day: dict[int, list[tuple[Story, Delivery]]] = {}
    for story, delivery in zip(stories, deliveries, strict=False):
        by_day.setdefault(story.days_ago, []).append((story, delivery))
    for days_ago, day_stories in sorted(by_day.items(), reverse=True):
        _post_day(db_session, clerk, court, today - timedelta(days=days_ago), day_stories, now)
    db_session.flush()
    return db_session.scalar(select(func.count(PostalItem.id))) or 0
