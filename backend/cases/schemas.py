from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from backend.cases.enums import CaseType
from backend.core.pagination import PageParams
from backend.deliveries.enums import DeliveryStatus
from backend.deliveries.schemas import AttemptRead, DeliveryRead
from backend.documents.schemas import DocumentRead
from backend.evidence.enums import EvidenceKind
from backend.parties.schemas import PartyDetail


class CaseSort(StrEnum):
    filed_on = "filed_on"  # 立案日期
    case_number = "case_number"  # 案号
    service_deadline = "service_deadline"  # 送达期限
    hearing_at = "hearing_at"  # 开庭时间


class CaseFilters(PageParams):
    case_type: CaseType | None = None
    case_number: str | None = Field(
        default=None,
        max_length=64,
        description="案号包含（全角、半角括号与六角括号〔〕视为相同；以括号开头时按前缀查找）",
    )
    party: str | None = Field(default=None, max_length=120, description="当事人姓名或名称（前缀）")
    phone: str | None = Field(default=None, max_length=32, description="当事人电话号码（完整号码）")
    delivery_status: DeliveryStatus | None = Field(default=None, description="有此状态的送达任务")
    deadline_from: date | None = Field(default=None, description="送达期限不早于（含）")
    deadline_to: date | None = Field(default=None, description="送达期限不晚于（含）")
    sort: CaseSort = Field(default=CaseSort.filed_on, description="排序字段")
    descending: bool = Field(default=True, description="倒序")
    filed_from: date | None = Field(default=None, description="立案日期不早于（含）")
    filed_to: date | None = Field(default=None, description="立案日期不晚于（含）")
    judge: str | None = Field(default=None, max_length=50, description="承办法官包含")
    clerk: str | None = Field(default=None, max_length=50, description="书记员包含")
    hearing_from: date | None = Field(default=None, description="开庭日期不早于（含，北京时间）")
    hearing_to: date | None = Field(default=None, description="开庭日期不晚于（含，北京时间）")
    has_open_deliveries: bool | None = Field(default=None, description="有未完结的送达任务")


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    court_id: int
    case_number: str
    cause: str
    case_type: CaseType
    filed_on: date
    judge_name: str | None
    clerk_name: str | None
    hearing_at: datetime | None
    courtroom: str | None = None
    hearing_minutes: int | None = None
    service_deadline: date | None
    unverified_fields: dict[str, str] = Field(default_factory=dict, description="待核实的字段及原因")


class EvidenceRead(BaseModel):
    """Evidence metadata only; the content is served by the evidence domain."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    kind: EvidenceKind
    sha256: str
    size_bytes: int
    content_type: str | None
    created_by_user_id: int | None
    created_by_username: str | None = None
    created_by_system: str | None
    created_at: datetime
    attempt_ids: list[int] = Field(default_factory=list)


class AttemptFactRead(BaseModel):
    """A fact recorded on an attempt (its method's words for it), with the evidence it rests on."""

    key: str
    label: str
    value: str
    evidence_id: int
    recorded_at: datetime


class CaseFileAttempt(AttemptRead):
    facts: list[AttemptFactRead] = Field(default_factory=list)


class CaseFileDelivery(DeliveryRead):
    attempts: list[CaseFileAttempt]


class CaseFilePage(BaseModel):
    """Which parties and deliveries of the case file to send: by id, after a cursor. The defaults give a
    typical case whole; a mass case's file comes a page at a time (the page asks for more)."""

    parties_after: int = Field(
        default=0, ge=0, description="只返回编号大于此值的当事人（上一页的 parties_next）"
    )
    parties_limit: int = Field(default=50, ge=1, le=500, description="每页当事人数")
    deliveries_after: int = Field(
        default=0, ge=0, description="只返回编号大于此值的送达任务（上一页的 deliveries_next）"
    )
    deliveries_limit: int = Field(default=50, ge=1, le=500, description="每页送达任务数")


class CaseFile(BaseModel):
    """The case file (卷宗): parties, documents, deliveries with attempts, evidence. Parties and deliveries
    come a page at a time (CaseFilePage), with their totals and the cursor of the next page."""

    case: CaseRead
    court_name: str
    parties: list[PartyDetail]
    documents: list[DocumentRead]
    deliveries: list[CaseFileDelivery]
    evidence: list[EvidenceRead]
    parties_total: int = Field(description="该案当事人总数")
    parties_next: int | None = Field(description="下一页的 parties_after；为空表示没有更多")
    deliveries_total: int = Field(description="该案送达任务总数")
    deliveries_next: int | None = Field(description="下一页的 deliveries_after；为空表示没有更多")
