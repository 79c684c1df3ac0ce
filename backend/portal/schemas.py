"""The portal API's requests and answers (what a party's browser sends and is shown)."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from backend.parties.enums import ContactKind
from backend.signatures.schemas import SignatureCapture


class CodeRequest(BaseModel):
    """Either KIND and ADDRESS typed by the party, or a personal link's token and the CHOICE of address."""

    kind: ContactKind | None = None
    address: str | None = Field(default=None, max_length=200)
    link_token: str | None = Field(default=None, max_length=64)
    choice: int = Field(default=0, ge=0, le=20)


class LoginRequest(CodeRequest):
    code: str = Field(min_length=1, max_length=12)


class Message(BaseModel):
    message: str


class LinkOption(BaseModel):
    choice: int
    kind: ContactKind
    label: str


class LinkRead(BaseModel):
    court: str
    options: list[LinkOption]
    wechat: bool


class PortalConfig(BaseModel):
    wechat: bool


class DocumentRead(BaseModel):
    id: int
    name: str
    kind: str
    viewed: bool


class DeliveryRead(BaseModel):
    id: int
    case_number: str
    court: str
    party_name: str
    documents: list[DocumentRead]
    status_label: str
    served_on: date | None
    signed: bool
    can_sign: bool
    paper_requested: bool


class MeRead(BaseModel):
    login: str
    parties: list[str]
    deliveries: list[DeliveryRead]


class PagesViewed(BaseModel):
    pages: list[int] = Field(min_length=1, max_length=2000)
    page_count: int = Field(ge=1, le=2000)


class SignedRead(BaseModel):
    confirmation_code: str
    served_on: date | None
    message: str


class PaperCreate(BaseModel):
    way: str = Field(pattern="^(postal|pickup)$")
    postal_address: str | None = Field(default=None, max_length=300)


class PaperRead(BaseModel):
    id: int
    way: str
    requested_at: datetime
    message: str


class AddressConfirmationCreate(SignatureCapture):
    postal_address: str | None = Field(default=None, max_length=300)
    mobile: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=200)
    consents_to_electronic: bool = False


class AddressConfirmationRead(BaseModel):
    id: int
    text: str
    message: str


class PaperRequestRead(BaseModel):
    """A party's request for paper copies as staff see it."""

    id: int
    case_id: int
    case_number: str
    party_name: str
    delivery_id: int
    way: str
    way_label: str
    postal_address: str | None
    requested_at: datetime
    planned_attempt_id: int | None
    handled_at: datetime | None
    handled_by: str | None
    handled_note: str | None


class PaperHandledBody(BaseModel):
    note: str = Field(default="", max_length=300)
