from datetime import date, datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

from backend.cases.enums import CaseType
from backend.core.pagination import PageParams
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod, DeliveryStatus
from backend.deliveries.models import Delivery


class DeliveryFilters(PageParams):
    status: DeliveryStatus | None = None
    case_type: CaseType | None = None
    deadline_before: date | None = Field(default=None, description="期限不晚于（含）")
    deadline_after: date | None = Field(default=None, description="期限不早于（含）")
    overdue: bool | None = Field(default=None, description="已超期且未完结")
    party_id: int | None = None
    case_id: int | None = None
    agent_group: str | None = None
    assignee_user_id: int | None = None
    unassigned: bool | None = Field(default=None, description="true：只看未分配的；false：只看已分配的")
    method: DeliveryMethod | None = Field(
        default=None, description="当前送达方式：计划中或进行中的尝试的方式，或已送达的方式"
    )
    after: str | None = Field(
        default=None,
        max_length=40,
        description="游标：上一页的 next_cursor；给出时按游标翻页（不计总数，page 被忽略）",
    )


class DeliveryCreate(BaseModel):
    case_id: int
    party_id: int
    document_ids: list[int] = Field(min_length=1, max_length=100)
    deadline: date | None = None
    agent_group: str | None = Field(default=None, max_length=50)


class DeliveryTransition(BaseModel):
    status: DeliveryStatus


class DeliveryAssign(BaseModel):
    assignee_user_id: int | None = Field(description="服务专员或送达人员；null 表示取消分配")
    agent_group: str | None = Field(default=None, max_length=50)


class AttemptCreate(BaseModel):
    method: DeliveryMethod
    planned_at: datetime | None = None
    notes: str | None = Field(default=None, max_length=2000)
    contact_point_id: int | None = None


class AttemptTransition(BaseModel):
    """Start, fail or cancel an attempt. Success is declared through POST /api/attempts/{id}/serve."""

    status: AttemptStatus
    outcome: AttemptOutcome | None = None
    notes: str | None = Field(default=None, max_length=2000)


class AttemptServe(BaseModel):
    """Declare an attempt served with OUTCOME; refused (409) until every fact its method requires is in."""

    outcome: AttemptOutcome = AttemptOutcome.served


class FactRead(BaseModel):
    key: str
    label: str
    value: str | None
    evidence_id: int | None
    recorded_at: datetime | None


class AttemptFactsRead(BaseModel):
    """The facts an outcome requires of the attempt: recorded ones with their evidence, and missing ones."""

    attempt_id: int
    method: DeliveryMethod
    outcome: AttemptOutcome
    complete: bool
    facts: list[FactRead]
    missing: list[str]


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    delivery_id: int
    method: DeliveryMethod
    status: AttemptStatus
    outcome: AttemptOutcome | None
    contact_point_id: int | None
    performed_by_user_id: int | None
    planned_at: datetime | None
    start_by: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    legal_service_date: date | None
    notes: str | None
    created_at: datetime


class DeliveryRead(BaseModel):
    """A delivery as listed: its case number and the party's name come with it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    case_number: str
    case_type: CaseType
    party_id: int
    party_name: str
    status: DeliveryStatus
    deadline: date | None
    agent_group: str | None
    assignee_user_id: int | None
    served_method: DeliveryMethod | None
    served_at: datetime | None
    legal_service_date: date | None
    document_ids: list[int]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def _fields_of(cls, delivery: Delivery) -> dict[str, Any]:
        own = {name: getattr(delivery, name) for name in cls.model_fields if hasattr(Delivery, name)}
        return own | {
            "case_number": delivery.case.case_number,
            "case_type": delivery.case.case_type,
            "party_name": delivery.party.name,
            "document_ids": [document.id for document in delivery.documents],
        }

    @classmethod
    def of(cls, delivery: Delivery) -> Self:
        return cls.model_validate(cls._fields_of(delivery))


class DeliveryDetail(DeliveryRead):
    attempts: list[AttemptRead]

    @classmethod
    def of(cls, delivery: Delivery) -> Self:
        attempts = [AttemptRead.model_validate(attempt) for attempt in delivery.attempts]
        return cls.model_validate(cls._fields_of(delivery) | {"attempts": attempts})


class RouterAlertRead(BaseModel):
    """A start-by that passed unmet (24-hour rule), with what a supervisor needs to act on it."""

    id: int
    delivery_id: int
    attempt_id: int
    kind: str
    message: str
    due_at: datetime
    raised_at: datetime
    resolved_at: datetime | None
    case_number: str
    party_name: str
    method: DeliveryMethod
    assignee_user_id: int | None


class DeliveryPage(BaseModel):
    """A page of the deliveries list: by page number (with the total: exact up to 2,000, an estimate
    past that) or after a cursor (total null, not counted: a deep page costs what a first page costs)."""

    items: list[DeliveryRead]
    total: int | None
    total_exact: bool = Field(
        default=True,
        description="总数是否精确；超过 2000 条时为估计值（PostgreSQL 按查询计划估算；其他数据库为 2001，"
        "表示“超过 2000 条”），界面应显示为“约 N 条”",
    )
    page: int
    page_size: int
    next_cursor: str | None = Field(description="下一页的游标（没有更多时为空）")
