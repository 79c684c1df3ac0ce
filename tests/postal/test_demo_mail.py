"""The demo's court mail: past batches with letters in every state the postal console shows (served,
failed with the next method planned, returned to a confirmed address awaiting its scan, in transit, silent
for days) and today's draft batch for the clerk to review; made once."""

from collections import Counter
from datetime import datetime, time, timedelta

from sqlalchemy import select

from backend import database
from backend.auth.models import User
from backend.core.clock import BEIJING, court_today
from backend.courts.models import Court
from backend.deliveries.enums import AttemptStatus, DeliveryMethod
from backend.deliveries.models import DeliveryAttempt
from backend.demo import mail as demo_mail
from backend.postal import tracking
from backend.postal.enums import BatchStatus, ItemStatus
from backend.postal.models import PostalBatch, PostalItem
from tests.postal.conftest import add_letters


def test_the_demo_posts_letters_in_every_state_and_leaves_todays_batch_to_review(
    court: int, clerk: User
) -> None:
    now = datetime.combine(court_today(), time(11), tzinfo=BEIJING)
    with database.get_session() as session:
        place = session.get_one(Court, court)
        actor = session.get_one(User, clerk.id)
        add_letters(session, place, actor, len(demo_mail.PAST) + demo_mail.TODAYS_LETTERS, planned=False)
        made = demo_mail.ensure_mail(db_session=session, court=place, clerk=actor, now=now)
        assert made == len(demo_mail.PAST) + demo_mail.TODAYS_LETTERS
        assert demo_mail.ensure_mail(db_session=session, court=place, clerk=actor, now=now) == 0
        states = Counter(item.status for item in session.scalars(select(PostalItem)))
        assert states == {
            ItemStatus.served: 4,
            ItemStatus.failed: 1,
            ItemStatus.awaiting_receipt: 1,
            ItemStatus.ordered: 5,
            ItemStatus.draft: demo_mail.TODAYS_LETTERS,
        }
        batches = session.scalars(select(PostalBatch).order_by(PostalBatch.day)).all()
        assert [batch.status for batch in batches] == [BatchStatus.confirmed] * 4 + [BatchStatus.draft]
        assert batches[-1].day == court_today() and len(batches[-1].items) == demo_mail.TODAYS_LETTERS
        silent = tracking.silent_items(db_session=session, now=now, days=5)
        assert len([item for item in silent if item.status is ItemStatus.ordered]) == 2
        failed = session.scalars(select(PostalItem).where(PostalItem.status == ItemStatus.failed)).one()
        attempt = session.get_one(DeliveryAttempt, failed.attempt_id)
        [planned] = [a for a in attempt.delivery.attempts if a.status is AttemptStatus.planned]
        assert attempt.status is AttemptStatus.failed and attempt.method is DeliveryMethod.postal
        assert planned.start_by is not None and attempt.ended_at is not None
        assert planned.start_by - attempt.ended_at <= timedelta(hours=24)
