from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from backend.core.pagination import PageParams
from backend.parties.enums import ContactEventKind, ContactKind, ContactState, LitigationRole, PartyType


class PartyFilters(PageParams):
    case_id: int | None = None
    name: str | None = Field(default=None, max_length=120, description="姓名/名称包含")
    party_type: PartyType | None = None
    litigation_role: LitigationRole | None = None
    id_number: str | None = Field(default=None, max_length=32, description="证件号码（精确匹配）")


class ContactPointEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: ContactEventKind
    source: str
    note: str | None
    actor_user_id: int | None
    at: datetime


class ContactPointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: ContactKind
    value: str
    source: str
    state: ContactState
    listed_by_source: bool
    created_at: datetime
    history: list[ContactPointEventRead]


class PartyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    name: str
    party_type: PartyType
    litigation_role: LitigationRole
    id_number: str | None
    unverified_fields: dict[str, str] = Field(default_factory=dict, description="待核实的字段及原因")


class PartyDetail(PartyRead):
    """A party with every contact point and each one's history."""

    contact_points: list[ContactPointRead]
