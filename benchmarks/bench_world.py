"""Benchmark data: phone delivery attempts in a case of their own."""

from typing import Any


def phone_attempts(session: Any, count: int) -> list[Any]:
    """COUNT phone delivery attempts, one party each, in one civil case (flushed: their ids are set)."""
    from datetime import date

    from backend.cases.enums import CaseType
    from backend.cases.models import Case
    from backend.courts.models import Court
    from backend.deliveries.enums import DeliveryMethod
    from backend.deliveries.models import Delivery, DeliveryAttempt
    from backend.parties.enums import LitigationRole, PartyType
    from backend.parties.models import Party

    case = Case(
        court=Court(code="京0102", name="北京市西城区人民法院"),
        case_number="(2026)京0102民初1号",
        cause="民间借贷纠纷",
        case_type=CaseType.civil,
        filed_on=date(2026, 1, 10),
    )
    attempts = []
    for index in range(count):
        party = Party(
            case=case,
            identity_key=f"party-{index}",
            name=f"当事人{index}",
            party_type=PartyType.natural_person,
            litigation_role=LitigationRole.defendant,
        )
        delivery = Delivery(case=case, party=party)
        attempts.append(DeliveryAttempt(delivery=delivery, method=DeliveryMethod.phone))
    session.add_all(attempts)
    session.flush()
    return attempts
