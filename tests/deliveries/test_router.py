"""DeliveryRouter as a table: method x outcome x case type x document kind -> next method and start-by."""

from datetime import UTC, datetime, timedelta

import pytest

from backend.cases.enums import CaseType
from backend.cases.models import Case
from backend.deliveries.enums import AttemptOutcome as Out
from backend.deliveries.enums import AttemptStatus, DeliveryMethod
from backend.deliveries.enums import DeliveryMethod as M
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.deliveries.router import RoutingContext, first_route, next_route
from backend.documents.enums import DocumentKind as Doc
from backend.documents.models import Document
from backend.parties.enums import ContactKind, ContactState
from backend.parties.models import ContactPoint, Party

FAILED_AT = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
NOW = FAILED_AT + timedelta(minutes=1)
DAY = timedelta(hours=24)
ALL_CONTACTS = (ContactKind.phone, ContactKind.address)


def _delivery(
    case_type: CaseType, document: Doc, history: list[tuple[M, Out]], contacts: tuple[ContactKind, ...]
) -> Delivery:
    party = Party(
        name="刘洋",
        contact_points=[
            ContactPoint(id=n, kind=kind, value="x", state=ContactState.unverified)
            for n, kind in enumerate(contacts)
        ],
    )
    attempts = [
        DeliveryAttempt(
            method=method,
            status=AttemptStatus.failed,
            outcome=outcome,
            ended_at=FAILED_AT - timedelta(hours=len(history) - 1 - n),
        )
        for n, (method, outcome) in enumerate(history)
    ]
    return Delivery(
        case=Case(case_type=case_type), party=party, documents=[Document(kind=document)], attempts=attempts
    )


def _route(
    case_type: CaseType,
    document: Doc,
    history: list[tuple[M, Out]],
    *,
    consent: bool = False,
    contacts: tuple[ContactKind, ...] = ALL_CONTACTS,
) -> tuple[DeliveryMethod, datetime] | None:
    delivery = _delivery(case_type, document, history, contacts)
    context = RoutingContext(
        delivery=delivery, failed=delivery.attempts[-1], now=NOW, consents_to_electronic=consent
    )
    route = next_route(context)
    return (route.method, route.start_by) if route else None


CIVIL, COMMERCIAL, ADMIN = CaseType.civil, CaseType.commercial, CaseType.administrative
TABLE = [
    # (case type, document, failures, consent, contacts) -> (next method, start-by after the last failure)
    (CIVIL, Doc.summons, [(M.phone, Out.no_answer)], False, ALL_CONTACTS, (M.phone, DAY)),
    (CIVIL, Doc.summons, [(M.phone, Out.busy)], False, ALL_CONTACTS, (M.phone, DAY)),
    (CIVIL, Doc.summons, [(M.phone, Out.refused)], False, ALL_CONTACTS, (M.postal, DAY)),
    (
        CIVIL,
        Doc.summons,
        [(M.phone, Out.no_answer)] * 3,
        False,
        ALL_CONTACTS,
        (M.postal, DAY - 2 * timedelta(hours=1)),
    ),
    (CIVIL, Doc.summons, [(M.phone, Out.no_answer)], False, (ContactKind.address,), (M.postal, DAY)),
    (CIVIL, Doc.summons, [(M.phone, Out.no_answer)], False, (), (M.notice, DAY)),
    (CIVIL, Doc.judgment, [(M.phone, Out.no_answer)], False, ALL_CONTACTS, (M.postal, DAY)),
    (CIVIL, Doc.ruling, [(M.phone, Out.busy)], False, ALL_CONTACTS, (M.postal, DAY)),
    (CIVIL, Doc.mediation, [(M.phone, Out.no_answer)], False, ALL_CONTACTS, (M.postal, DAY)),
    (CIVIL, Doc.summons, [(M.postal, Out.returned)], False, ALL_CONTACTS, (M.field, DAY)),
    (
        CIVIL,
        Doc.summons,
        [(M.postal, Out.returned), (M.field, Out.unreachable)],
        False,
        ALL_CONTACTS,
        (M.phone, DAY),  # the number was never tried: call for an address or consent before a notice
    ),
    (
        CIVIL,
        Doc.summons,
        [(M.phone, Out.refused), (M.postal, Out.returned), (M.field, Out.unreachable)],
        False,
        ALL_CONTACTS,
        (M.notice, DAY),
    ),
    (CIVIL, Doc.summons, [(M.pickup, Out.no_show)], False, ALL_CONTACTS, (M.postal, DAY)),
    (CIVIL, Doc.summons, [(M.postal, Out.returned)], False, (ContactKind.phone,), (M.phone, DAY)),
    (CIVIL, Doc.judgment, [(M.postal, Out.returned)], False, (ContactKind.phone,), (M.notice, DAY)),
    (
        CIVIL,
        Doc.summons,
        [(M.phone, Out.refused), (M.postal, Out.returned)],
        False,
        ALL_CONTACTS,
        (M.field, DAY),
    ),
    (CIVIL, Doc.summons, [(M.pickup, Out.no_show)], True, ALL_CONTACTS, (M.electronic, DAY)),
    (CIVIL, Doc.judgment, [(M.phone, Out.no_answer)], True, ALL_CONTACTS, (M.electronic, DAY)),
    (CIVIL, Doc.summons, [(M.electronic, Out.unreachable)], True, ALL_CONTACTS, (M.postal, DAY)),
    (COMMERCIAL, Doc.complaint, [(M.phone, Out.no_answer)], True, ALL_CONTACTS, (M.electronic, DAY)),
    (COMMERCIAL, Doc.judgment, [(M.postal, Out.returned)], True, ALL_CONTACTS, (M.electronic, DAY)),
    (COMMERCIAL, Doc.complaint, [(M.phone, Out.no_answer)], False, ALL_CONTACTS, (M.phone, DAY)),
    (COMMERCIAL, Doc.complaint, [(M.electronic, Out.unreachable)], True, ALL_CONTACTS, (M.postal, DAY)),
    (ADMIN, Doc.notice, [(M.field, Out.refused)], False, ALL_CONTACTS, (M.postal, DAY)),
    (ADMIN, Doc.notice, [(M.notice, Out.unreachable)], False, (), None),
]


@pytest.mark.parametrize(("case_type", "document", "history", "consent", "contacts", "expected"), TABLE)
def test_the_router_picks_the_next_method_and_a_start_by_within_24_hours_of_the_failure(
    case_type: CaseType,
    document: Doc,
    history: list[tuple[M, Out]],
    consent: bool,
    contacts: tuple[ContactKind, ...],
    expected: tuple[M, timedelta] | None,
) -> None:
    route = _route(case_type, document, history, consent=consent, contacts=contacts)
    if expected is None:
        assert route is None
        return
    method, start_by = expected
    assert route == (method, FAILED_AT + start_by)
    assert route[1] - FAILED_AT <= DAY


def test_a_retry_that_would_fall_after_the_window_switches_method() -> None:
    delivery = _delivery(CIVIL, Doc.summons, [(M.phone, Out.no_answer)], ALL_CONTACTS)
    late = FAILED_AT + timedelta(hours=22, minutes=30)  # a 2-hour retry would end past the 24 hours
    context = RoutingContext(
        delivery=delivery, failed=delivery.attempts[-1], now=late, consents_to_electronic=False
    )
    route = next_route(context)
    assert route is not None and (route.method, route.start_by) == (M.postal, FAILED_AT + DAY)
    assert route.rule == "postal_to_a_usable_address"


def test_the_start_by_is_never_in_the_past() -> None:
    late = _delivery(CIVIL, Doc.summons, [(M.postal, Out.returned)], ALL_CONTACTS)
    now = FAILED_AT + 2 * DAY
    route = next_route(
        RoutingContext(delivery=late, failed=late.attempts[-1], now=now, consents_to_electronic=False)
    )
    assert route is not None and route.start_by == now


@pytest.mark.parametrize(
    ("case_type", "consent", "expected"),
    [(COMMERCIAL, True, M.electronic), (COMMERCIAL, False, None), (CIVIL, True, None)],
)
def test_a_new_commercial_delivery_with_a_confirmed_address_starts_electronically(
    case_type: CaseType, consent: bool, expected: M | None
) -> None:
    delivery = _delivery(case_type, Doc.complaint, [], ALL_CONTACTS)
    route = first_route(
        RoutingContext(delivery=delivery, failed=None, now=NOW, consents_to_electronic=consent)
    )
    assert (route.method if route else None) == expected
    assert route is None or route.start_by == NOW
