"""Made-up parties: people with valid ID numbers, companies and state organs with valid credit codes,
each with Beijing addresses, phone numbers and sometimes an e-mail address."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime

from backend.demo import identifiers
from backend.demo.names import (
    BANK_BRANCHES,
    BEIJING_DISTRICTS,
    COMPANY_INDUSTRIES,
    COMPANY_TRADE_NAMES,
    EMAIL_DOMAINS,
    GIVEN_NAME_CHARS_FEMALE,
    GIVEN_NAME_CHARS_MALE,
    GOVERNMENT_BODIES,
    HEATING_COMPANIES,
    OTHER_REGION_CODES,
    PROPERTY_COMPANIES,
    SURNAMES,
)
from backend.parties.enums import ContactEventKind, ContactKind, ContactState, LitigationRole, PartyType

SOURCE = "court_export"


@dataclass
class ContactPlan:
    kind: ContactKind
    value: str
    state: ContactState = ContactState.unverified
    events: list[tuple[ContactEventKind, datetime | None, str | None]] = field(default_factory=list)

    def mark(
        self, state: ContactState, event: ContactEventKind, at: datetime, note: str | None = None
    ) -> None:
        if self.state is not state:
            self.state = state
            self.events.append((event, at, note))


@dataclass
class PartyPlan:
    name: str
    party_type: PartyType
    role: LitigationRole
    id_number: str | None
    contacts: list[ContactPlan]

    def first(self, kind: ContactKind, *, usable: bool = True) -> int | None:
        """Index of the first contact point of KIND (skipping invalid ones when USABLE)."""
        for index, contact in enumerate(self.contacts):
            if contact.kind is kind and not (usable and contact.state is ContactState.invalid):
                return index
        return None


class PartyMaker:
    """Draws parties from one random generator so a seed reproduces them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _address(self, *, residence: bool) -> str:
        _, district, streets = self.rng.choice(BEIJING_DISTRICTS)
        street = f"北京市{district}{self.rng.choice(streets)}{self.rng.randint(1, 199)}号"
        if residence:
            building, unit, room = self.rng.randint(1, 12), self.rng.randint(1, 4), self.rng.randint(1, 18)
            return f"{street}院{building}号楼{unit}单元{room}{self.rng.randint(1, 4):02d}室"
        return f"{street}{self.rng.randint(2, 20)}层{self.rng.randint(1, 30):02d}室"

    def _phones(self, *, mobiles: int, landline: bool) -> list[ContactPlan]:
        numbers = {identifiers.mobile_number(self.rng) for _ in range(mobiles)}
        if landline:
            numbers.add(identifiers.landline_number(self.rng))
        return [ContactPlan(ContactKind.phone, number) for number in sorted(numbers)]

    def person(self, role: LitigationRole) -> PartyPlan:
        rng = self.rng
        surname, pinyin = rng.choice(SURNAMES)
        male = rng.random() < 0.5
        chars = GIVEN_NAME_CHARS_MALE if male else GIVEN_NAME_CHARS_FEMALE
        name = surname + "".join(rng.choice(chars) for _ in range(rng.choice((1, 2, 2))))
        region = rng.choice(BEIJING_DISTRICTS)[0] if rng.random() < 0.7 else rng.choice(OTHER_REGION_CODES)
        born = date(rng.randint(1950, 2003), rng.randint(1, 12), rng.randint(1, 28))
        contacts = self._phones(mobiles=1 + (rng.random() < 0.2), landline=rng.random() < 0.1)
        contacts.append(ContactPlan(ContactKind.address, self._address(residence=True)))
        if rng.random() < 0.3:
            email = f"{pinyin}{rng.choice((born.year, rng.randint(10, 9999)))}@{rng.choice(EMAIL_DOMAINS)}"
            contacts.append(ContactPlan(ContactKind.email, email))
        id_number = identifiers.resident_id(rng, region=region, born=born, male=male)
        return PartyPlan(name, PartyType.natural_person, role, id_number, contacts)

    def organisation(self, role: LitigationRole, *, name: str, kind: str = "91") -> PartyPlan:
        """A company (credit code 91...) or a state organ (11...) with its phones and addresses."""
        rng = self.rng
        region = rng.choice(BEIJING_DISTRICTS)[0]
        organ = kind == "11"
        mobiles = 0 if organ else int(rng.random() < 0.6)
        contacts = self._phones(mobiles=mobiles, landline=not mobiles or rng.random() < 0.5)
        contacts.append(ContactPlan(ContactKind.address, self._address(residence=False)))
        if not organ and rng.random() < 0.4:
            domain = "".join(rng.choice("abcdefghjkmnpqrstwxyz") for _ in range(rng.randint(3, 6)))
            contacts.append(
                ContactPlan(ContactKind.email, f"{rng.choice(('fawu', 'legal', 'service'))}@{domain}.com.cn")
            )
        credit_code = identifiers.uscc(rng, kind=kind, region=region)
        party_type = PartyType.legal_person
        return PartyPlan(name, party_type, role, credit_code, contacts)

    def company_name(self) -> str:
        trade, industry = self.rng.choice(COMPANY_TRADE_NAMES), self.rng.choice(COMPANY_INDUSTRIES)
        return f"北京{trade}{industry}有限公司"

    def plaintiff(self, kind: str, role: LitigationRole) -> PartyPlan:
        """The party that usually brings a case of this KIND (person, company, bank, property, heating)."""
        names = {"bank": BANK_BRANCHES, "property": PROPERTY_COMPANIES, "heating": HEATING_COMPANIES}
        if kind == "person":
            return self.person(role)
        name = self.rng.choice(names[kind]) if kind in names else self.company_name()
        return self.organisation(role, name=name)

    def respondent(self, *, company_share: float, role: LitigationRole) -> PartyPlan:
        if self.rng.random() < company_share:
            return self.organisation(role, name=self.company_name())
        return self.person(role)

    def state_organ(self, role: LitigationRole) -> PartyPlan:
        return self.organisation(role, name=self.rng.choice(GOVERNMENT_BODIES), kind="11")
