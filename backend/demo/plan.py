"""The demo in memory: cases with parties, the documents each party gets, and their deliveries."""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from backend.cases.enums import CaseType
from backend.core.clock import BEIJING
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod, DeliveryStatus
from backend.demo import names
from backend.demo.people import PartyMaker, PartyPlan
from backend.documents.enums import DocumentKind, kind_from_name
from backend.parties.enums import LITIGATION_ROLE_LABELS, LitigationRole

if TYPE_CHECKING:
    from backend.demo.proofs.model import SimulatedItem

# Days from filing to the service deadline (administrative: 5 days to serve the complaint copy).
SERVICE_DAYS = {
    CaseType.civil: 30,
    CaseType.commercial: 30,
    CaseType.mediation: 15,
    CaseType.enforcement: 10,
    CaseType.administrative: 5,
}
HEARING_TIMES = (time(9, 0), time(9, 30), time(10, 0), time(14, 0), time(14, 30))
COURTROOMS = ("第一法庭", "第二法庭", "第三法庭", "第五法庭")


def beijing(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=BEIJING).astimezone(UTC)


@dataclass
class DocumentPlan:
    name: str
    title: str
    kind: DocumentKind
    party: int
    issued_on: date


@dataclass
class AttemptPlan:
    method: DeliveryMethod
    status: AttemptStatus
    outcome: AttemptOutcome | None
    contact: int | None
    performer: str
    planned_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    legal_service_date: date | None = None
    # A served attempt's evidence and the facts on it (backend.demo.proofs), made once documents exist.
    records: list["SimulatedItem"] = field(default_factory=list)


@dataclass
class DeliveryPlan:
    party: int
    documents: list[int]
    deadline: date
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.pending
    agent_group: str | None = None
    assignee: str | None = None
    attempts: list[AttemptPlan] = field(default_factory=list)
    must_serve: bool = False


@dataclass
class CasePlan:
    case_number: str
    cause: str
    case_type: CaseType
    filed_on: date
    judge: str
    clerk: str
    hearing_at: datetime | None
    service_deadline: date
    parties: list[PartyPlan] = field(default_factory=list)
    documents: list[DocumentPlan] = field(default_factory=list)
    deliveries: list[DeliveryPlan] = field(default_factory=list)


class CasePlanner:
    """Plans COUNT cases of every type for one court, avoiding case numbers already taken."""

    def __init__(self, rng: random.Random, *, now: datetime, court_code: str, taken: set[str]) -> None:
        self.rng = rng
        self.now = now
        self.today = now.astimezone(BEIJING).date()
        self.court_code = court_code
        self.taken = set(taken)
        self.people = PartyMaker(rng)
        self.serials: dict[tuple[int, str], int] = {}

    def case_types(self, count: int) -> list[CaseType]:
        every = list(CaseType)[:count]
        weights = names.CASE_TYPE_WEIGHTS
        rest = self.rng.choices(list(weights), weights=list(weights.values()), k=max(0, count - len(every)))
        return every + rest

    def case_number(self, case_type: CaseType, filed_on: date) -> str:
        code = names.CASE_CODES[case_type]
        key = (filed_on.year, code)
        while True:
            serial = self.serials.get(key, self.rng.randint(800, 3000)) + self.rng.randint(1, 25)
            self.serials[key] = serial
            number = f"({filed_on.year}){self.court_code}{code}{serial}号"
            if number not in self.taken:
                self.taken.add(number)
                return number

    def plan(self, count: int) -> list[CasePlan]:
        return [self.plan_case(case_type) for case_type in self.case_types(count)]

    def plan_case(self, case_type: CaseType) -> CasePlan:
        rng = self.rng
        filed_on = self.today - timedelta(days=int(rng.triangular(0, 180, 5)))
        cause, plaintiff_kind = rng.choice(names.CAUSES[case_type])
        hearing = None
        if case_type is not CaseType.enforcement:
            hearing = beijing(filed_on + timedelta(days=rng.randint(35, 70)), rng.choice(HEARING_TIMES))
        case = CasePlan(
            case_number=self.case_number(case_type, filed_on),
            cause=cause,
            case_type=case_type,
            filed_on=filed_on,
            judge=rng.choice(names.JUDGES),
            clerk=rng.choice(names.CLERKS),
            hearing_at=hearing,
            service_deadline=filed_on + timedelta(days=SERVICE_DAYS[case_type]),
            parties=self.parties(case_type, plaintiff_kind),
        )
        self.add_filing_deliveries(case)
        if case_type in names.DECISIONS and (self.today - filed_on).days > 90 and rng.random() < 0.5:
            self.add_decision_deliveries(case)
        return case

    def parties(self, case_type: CaseType, plaintiff_kind: str) -> list[PartyPlan]:
        plaintiff = self.people.plaintiff(plaintiff_kind, LitigationRole.plaintiff)
        if case_type is CaseType.administrative:
            defendant = self.people.state_organ(LitigationRole.defendant)
        else:
            share = 0.6 if case_type is CaseType.commercial else 0.15
            defendant = self.people.respondent(company_share=share, role=LitigationRole.defendant)
        parties = [plaintiff, defendant]
        if self.rng.random() < 0.35:
            role = self.rng.choice((LitigationRole.defendant, LitigationRole.third_party))
            parties.append(self.people.person(role))
        return parties

    def _documents_for(
        self, case: CasePlan, party: int, titles: tuple[str, ...], issued_on: date
    ) -> list[int]:
        addressee = case.parties[party].name
        if sum(other.name == addressee for other in case.parties) > 1:
            addressee = f"{addressee}{party + 1}"  # two parties of the same name
        first = len(case.documents)
        for title in titles:
            name = f"{title}（{addressee}）"
            case.documents.append(DocumentPlan(name, title, kind_from_name(title), party, issued_on))
        return list(range(first, len(case.documents)))

    def add_filing_deliveries(self, case: CasePlan) -> None:
        created = min(beijing(case.filed_on + timedelta(days=1), time(9, 30)), self.now - timedelta(hours=1))
        for index, party in enumerate(case.parties):
            applicant = party.role is LitigationRole.plaintiff
            if applicant and self.rng.random() < 0.4:
                continue
            if applicant:
                titles = names.PLAINTIFF_DOCUMENTS.get(case.case_type, names.DEFAULT_PLAINTIFF_DOCUMENTS)
            else:
                titles = names.DEFENDANT_DOCUMENTS.get(case.case_type, names.DEFAULT_DEFENDANT_DOCUMENTS)
            documents = self._documents_for(case, index, titles, case.filed_on)
            case.deliveries.append(DeliveryPlan(index, documents, case.service_deadline, created))

    def add_decision_deliveries(self, case: CasePlan) -> None:
        """The case is decided: earlier deliveries are served and the decision goes to every party."""
        for delivery in case.deliveries:
            delivery.must_serve = True
        decided_on = min(case.filed_on + timedelta(days=self.rng.randint(60, 100)), self.today)
        title = self.rng.choices(names.DECISIONS[case.case_type], weights=(4, 1))[0]
        created = min(beijing(decided_on, time(16, 0)), self.now - timedelta(hours=1))
        for index in range(len(case.parties)):
            documents = self._documents_for(case, index, (title,), decided_on)
            case.deliveries.append(DeliveryPlan(index, documents, decided_on + timedelta(days=15), created))


def role_label(party: PartyPlan, case_type: CaseType) -> str:
    """The party's role as a document addresses it (申请执行人 in enforcement...)."""
    if case_type is CaseType.enforcement:
        return {LitigationRole.plaintiff: "申请执行人", LitigationRole.defendant: "被执行人"}.get(
            party.role, "第三人"
        )
    return LITIGATION_ROLE_LABELS[party.role]
