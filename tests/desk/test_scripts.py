"""The call script fits who is on the line: a person proves who they are by their ID's last digits; an
organisation is asked who speaks for it and for its credit code, never whether "the company" is the
person on the phone; an agent or lawyer for their certificate or power of attorney."""

from datetime import date

import pytest

from backend.auth.models import User
from backend.cases.enums import CaseType
from backend.cases.models import Case
from backend.courts.models import Court
from backend.deliveries.models import Delivery
from backend.desk.scripts import script
from backend.documents.enums import DocumentKind
from backend.documents.models import Document
from backend.parties.enums import LitigationRole, PartyType
from backend.parties.models import Party


def _script(name: str, party_type: PartyType, role: LitigationRole) -> str:
    court = Court(code="京0102", name="北京市西城区人民法院")
    case = Case(
        court=court, case_number="(2026)京0102民初7号", cause="买卖合同纠纷", case_type=CaseType.civil,
        filed_on=date(2026, 1, 10),
    )  # fmt: skip
    party = Party(case=case, identity_key=name, name=name, party_type=party_type, litigation_role=role)
    summons = Document(case=case, name="传票", kind=DocumentKind.summons)
    delivery = Delivery(case=case, party=party, documents=[summons])
    return script(delivery, User(full_name="王磊"))


def test_a_person_is_asked_if_they_are_the_party_and_for_their_id_digits() -> None:
    text = _script("刘洋", PartyType.natural_person, LitigationRole.defendant)
    assert "请问是刘洋本人吗" in text and "身份证号后四位" in text and "全程录音" in text


@pytest.mark.parametrize("party_type", [PartyType.legal_person, PartyType.unincorporated])
def test_an_organisation_is_asked_who_speaks_for_it_and_for_its_credit_code(party_type: PartyType) -> None:
    text = _script("北京华信商贸有限公司", party_type, LitigationRole.defendant)
    assert "本人" not in text and "身份证" not in text
    assert "统一社会信用代码后四位" in text and "法定代表人" in text and "职务" in text
    assert "贵单位在(2026)京0102民初7号" in text


def test_an_agent_or_lawyer_is_asked_for_their_certificate_or_power_of_attorney() -> None:
    text = _script("赵律师", PartyType.natural_person, LitigationRole.agent)
    assert "诉讼代理人" in text and "执业证号" in text and "授权委托书" in text
    assert "身份证号" not in text
