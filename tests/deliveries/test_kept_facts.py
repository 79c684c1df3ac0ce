"""What deliveries.upkeep keeps as deliveries change (the call queue on the delivery, the wall's tally of it,
the case workers an agent's scope probes) equals a fresh count after a random sequence of changes, each
made and committed the way the services make them."""

import itertools
import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.cases.enums import CASE_TYPE_PRIORITY, CaseType
from backend.cases.models import Case
from backend.core.clock import court_today
from backend.database import utcnow
from backend.deliveries import service as delivery_service
from backend.deliveries import upkeep
from backend.deliveries.enums import AttemptStatus, DeliveryMethod, DeliveryStatus
from backend.deliveries.models import CallQueueTally, CaseWorker, Delivery, DeliveryAttempt
from backend.deliveries.state import DELIVERY_TRANSITIONS
from backend.desk import queue
from backend.desk.enums import CallbackKind
from backend.desk.models import Callback, TaskLock
from backend.parties.enums import ContactKind, ContactState
from backend.parties.models import ContactPoint
from tests.desk.world import Made, add_delivery

DAY = timedelta(days=1)
GROUPS = (None, "民事组", "商事组")


class World:
    """The deliveries, agents and a random source one sequence of changes works on."""

    def __init__(self, rng: random.Random, agents: list[User], supervisor: User) -> None:
        self.rng = rng
        self.agents = agents
        self.supervisor = supervisor
        self.made: list[Made] = []
        self.numbers = itertools.count(13700000000)

    def delivery_id(self) -> int:
        return self.rng.choice(self.made).delivery_id

    def when(self) -> datetime:
        return datetime.now(UTC) + timedelta(hours=self.rng.randint(-48, 48))


def _new_delivery(world: World, _session: Session | None) -> None:
    rng = world.rng
    world.made.append(
        add_delivery(
            case_type=rng.choice(list(CaseType)),
            deadline=court_today() + rng.randint(-3, 3) * DAY,
            hearing_at=rng.choice((None, world.when())),
            group=rng.choice(GROUPS),
            phones=rng.choice(((), ("13800138000",), ("13800138000", "13900139000"))),
            assignee_user_id=rng.choice((None, rng.choice(world.agents).id)),
        )
    )


def _second_delivery_of_a_case(world: World, session: Session) -> None:
    made = world.rng.choice(world.made)
    delivery = Delivery(
        case_id=made.case_id,
        party_id=made.party_id,
        deadline=court_today() + world.rng.randint(-2, 2) * DAY,
        agent_group=world.rng.choice(GROUPS),
    )
    session.add(delivery)
    session.flush()
    world.made.append(Made(delivery.id, made.case_id, made.party_id, made.phone_ids, made.address_ids))


def _assign(world: World, session: Session) -> None:
    delivery = session.get_one(Delivery, world.delivery_id())
    if delivery.status in (DeliveryStatus.pending, DeliveryStatus.in_progress):
        assignee = world.rng.choice((None, *world.agents))
        delivery_service.assign_delivery(
            db_session=session,
            actor=session.get_one(User, world.supervisor.id),
            delivery=delivery,
            assignee_user_id=assignee.id if assignee else None,
            agent_group=world.rng.choice(GROUPS),
        )


def _change_status(world: World, session: Session) -> None:
    delivery = session.get_one(Delivery, world.delivery_id())
    targets = sorted(DELIVERY_TRANSITIONS[delivery.status] - {DeliveryStatus.served})
    if targets:
        delivery_service.transition_delivery(
            db_session=session,
            actor=session.get_one(User, world.supervisor.id),
            delivery=delivery,
            status=world.rng.choice(targets),
        )


def _attempt(world: World, session: Session) -> None:
    """A letter planned (another method under way), or a phone call an agent performed."""
    method = world.rng.choice((DeliveryMethod.postal, DeliveryMethod.phone, DeliveryMethod.pickup))
    performer = world.rng.choice(world.agents).id if method is DeliveryMethod.phone else None
    status = AttemptStatus.in_progress if performer else AttemptStatus.planned
    session.add(
        DeliveryAttempt(
            delivery_id=world.delivery_id(), method=method, status=status, performed_by_user_id=performer
        )
    )


def _end_or_drop_an_attempt(world: World, session: Session) -> None:
    attempt = session.scalar(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id == world.delivery_id())
        .order_by(DeliveryAttempt.id.desc())
    )
    if attempt is None:
        return
    if world.rng.random() < 0.3:
        session.delete(attempt)
    elif attempt.status is AttemptStatus.planned:
        attempt.transition(world.rng.choice((AttemptStatus.in_progress, AttemptStatus.cancelled)))
    elif attempt.status is AttemptStatus.in_progress:
        attempt.transition(AttemptStatus.failed)


def _contact(world: World, session: Session) -> None:
    made = world.rng.choice(world.made)
    point = session.scalar(
        select(ContactPoint).where(
            ContactPoint.party_id == made.party_id, ContactPoint.kind == ContactKind.phone
        )
    )
    choice = world.rng.random()
    if point is None or choice < 0.3:
        value = str(next(world.numbers))
        session.add(ContactPoint(party_id=made.party_id, kind=ContactKind.phone, value=value, source="agent"))
    elif choice < 0.8:
        point.state = (
            ContactState.invalid if point.state is not ContactState.invalid else ContactState.verified
        )
    else:
        session.delete(point)


def _deadline(world: World, session: Session) -> None:
    delivery = session.get_one(Delivery, world.delivery_id())
    delivery.deadline = world.rng.choice((None, court_today() + world.rng.randint(-3, 3) * DAY))


def _case_facts(world: World, session: Session) -> None:
    case = session.get_one(Case, world.rng.choice(world.made).case_id)
    case.hearing_at = world.rng.choice((None, world.when()))
    case.case_type = world.rng.choice(list(CaseType))


def _callback(world: World, session: Session) -> None:
    open_one = session.scalar(select(Callback).where(Callback.done_at.is_(None)).limit(1))
    if open_one is not None and world.rng.random() < 0.4:
        open_one.done_at = utcnow()
        return
    session.add(Callback(delivery_id=world.delivery_id(), kind=CallbackKind.retry, due_at=world.when()))


def _lock(world: World, session: Session) -> None:
    agent = world.rng.choice(world.agents)
    held = session.scalar(select(TaskLock).where(TaskLock.user_id == agent.id))
    if held is not None:
        if world.rng.random() < 0.5:
            session.delete(held)
        else:
            held.expires_at = utcnow() - timedelta(minutes=1)  # expired, not yet swept
        return
    delivery_id = world.delivery_id()
    if session.scalar(select(TaskLock).where(TaskLock.delivery_id == delivery_id)) is None:
        session.add(TaskLock(delivery_id=delivery_id, user_id=agent.id, expires_at=utcnow() + DAY))


CHANGES: tuple[Callable[[World, Session], None], ...] = (
    _new_delivery,
    _second_delivery_of_a_case,
    _assign,
    _change_status,
    _attempt,
    _end_or_drop_an_attempt,
    _contact,
    _deadline,
    _case_facts,
    _callback,
    _lock,
)


def _assert_kept_equals_recount(session: Session) -> None:
    now, today = utcnow(), court_today()
    assert queue.group_counts(db_session=session, now=now, today=today) == queue.recount_groups(
        db_session=session, now=now, today=today
    )
    queued = set(session.scalars(select(Delivery.id).where(Delivery.in_call_queue)))
    assert queued == set(session.scalars(select(Delivery.id).where(upkeep.in_call_queue_condition())))
    tally = {
        (row.agent_group, row.deadline): row.deliveries
        for row in session.scalars(select(CallQueueTally))
        if row.deliveries
    }
    recount = Counter(
        upkeep.tally_key(group, deadline)
        for group, deadline in session.execute(
            select(Delivery.agent_group, Delivery.deadline).where(upkeep.in_call_queue_condition())
        )
    )
    assert tally == dict(recount)
    for delivery, case in session.execute(
        select(Delivery, Case).join(Case, Case.id == Delivery.case_id).where(Delivery.in_call_queue)
    ):
        assert (delivery.hearing_at, delivery.case_priority) == (
            case.hearing_at,
            CASE_TYPE_PRIORITY[case.case_type],
        )
    workers = {tuple(row) for row in session.execute(select(CaseWorker.user_id, CaseWorker.case_id))}
    assert workers == {tuple(row) for row in session.execute(upkeep.case_members(None))}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_queue_tally_and_case_workers_equal_a_recount_after_random_changes(
    seed: int, db: object, make_user: Callable[..., User]
) -> None:
    rng = random.Random(seed)
    agents = [make_user(Role.agent, agent_group=group) for group in ("民事组", "商事组", None)]
    world = World(rng, agents, make_user(Role.supervisor))
    for _ in range(4):
        _new_delivery(world, None)
    applied: Counter[str] = Counter()
    largest_queue = 0
    for _ in range(120):
        change = rng.choice(CHANGES)
        with database.get_session() as session:
            change(world, session)
        applied[change.__name__] += 1
        with database.get_session() as session:
            _assert_kept_equals_recount(session)
            queued = session.scalar(select(func.count()).where(Delivery.in_call_queue)) or 0
            largest_queue = max(largest_queue, queued)
    assert len(applied) == len(CHANGES)  # every kind of change was exercised
    assert largest_queue >= 3  # and the counters had something to count


def _kept(session: Session) -> tuple[object, ...]:
    tally = {
        (row.agent_group, row.deadline): row.deliveries for row in session.scalars(select(CallQueueTally))
    }
    queued = sorted(
        session.execute(
            select(Delivery.id, Delivery.hearing_at, Delivery.case_priority).where(Delivery.in_call_queue)
        )
    )
    workers = sorted(session.execute(select(CaseWorker.user_id, CaseWorker.case_id)))
    return {key: count for key, count in tally.items() if count}, queued, workers


def test_a_rebuild_makes_what_the_changes_kept(db: object, make_user: Callable[..., User]) -> None:
    """What the migration, a restore and the benchmark's generator run: the same facts, made afresh."""
    rng = random.Random(7)
    world = World(
        rng, [make_user(Role.agent, agent_group="民事组"), make_user(Role.agent)], make_user(Role.supervisor)
    )
    for _ in range(6):
        _new_delivery(world, None)
    for _ in range(40):
        with database.get_session() as session:
            rng.choice(CHANGES)(world, session)
    with database.get_session() as session:
        kept = _kept(session)
        connection = session.connection()  # the facts lost, as before the migration that added them
        connection.execute(delete(CallQueueTally))
        connection.execute(delete(CaseWorker))
        connection.execute(update(Delivery).values(in_call_queue=False, hearing_at=None, case_priority=None))
        assert _kept(session) != kept
        upkeep.rebuild(connection)
        assert _kept(session) == kept
        _assert_kept_equals_recount(session)
