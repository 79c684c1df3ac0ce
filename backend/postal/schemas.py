from datetime import date, datetime

from pydantic import BaseModel, Field

from backend.postal.enums import ITEM_STATUS_LABELS, TRACE_STATE_LABELS, BatchStatus, ItemStatus, TraceState
from backend.postal.models import PostalBatch, PostalItem, PrinterProfile, TrackingEvent


class BatchBuild(BaseModel):
    day: date | None = Field(default=None, description="批次日期（北京时间），默认今天")
    court_id: int | None = Field(default=None, description="寄件法院（书记员只能处理本院）")


class ItemUpdate(BaseModel):
    address: str | None = Field(default=None, max_length=300)
    recipient_name: str | None = Field(default=None, max_length=120)
    recipient_phone: str | None = Field(default=None, max_length=32)


class ItemRead(BaseModel):
    id: int
    batch_id: int
    attempt_id: int
    case_id: int
    status: ItemStatus
    status_label: str
    recipient_name: str
    recipient_phone: str | None
    address: str
    address_edited: bool
    case_number: str
    document_list: str
    waybill_no: str | None
    cost_fen: int | None
    ordered_at: datetime | None
    last_event_at: datetime | None
    final_state: TraceState | None
    final_at: datetime | None
    receipt_evidence_id: int | None

    @classmethod
    def of(cls, item: PostalItem) -> "ItemRead":
        return cls(
            id=item.id,
            batch_id=item.batch_id,
            attempt_id=item.attempt_id,
            case_id=item.case_id,
            status=item.status,
            status_label=ITEM_STATUS_LABELS[item.status],
            recipient_name=item.recipient_name,
            recipient_phone=item.recipient_phone,
            address=item.address,
            address_edited=item.address_edited,
            case_number=item.case_number,
            document_list=item.document_list,
            waybill_no=item.waybill_no,
            cost_fen=item.cost_fen,
            ordered_at=item.ordered_at,
            last_event_at=item.last_event_at,
            final_state=item.final_state,
            final_at=item.final_at,
            receipt_evidence_id=item.receipt_evidence_id,
        )


class EventRead(BaseModel):
    op_time: datetime
    op_code: str
    state: TraceState
    state_label: str
    description: str
    place: str | None
    signer: str | None
    reason: str | None

    @classmethod
    def of(cls, event: TrackingEvent) -> "EventRead":
        return cls(
            op_time=event.op_time,
            op_code=event.op_code,
            state=event.state,
            state_label=TRACE_STATE_LABELS[event.state],
            description=event.description,
            place=event.place,
            signer=event.signer,
            reason=event.reason,
        )


class ItemDetail(ItemRead):
    events: list[EventRead]


class BatchRead(BaseModel):
    id: int
    court_id: int
    court_name: str = Field(description="寄件单位（法院）")
    day: date
    status: BatchStatus
    items: int
    ordered: int
    confirmed_at: datetime | None

    @classmethod
    def of(cls, batch: PostalBatch) -> "BatchRead":
        live = [item for item in batch.items if item.status is not ItemStatus.removed]
        return cls(
            id=batch.id,
            court_id=batch.court_id,
            court_name=batch.court.name,
            day=batch.day,
            status=batch.status,
            items=len(live),
            ordered=sum(1 for item in live if item.waybill_no),
            confirmed_at=batch.confirmed_at,
        )


class BuildRead(BaseModel):
    batches: list[BatchRead]
    without_address: list[int] = Field(description="没有可用邮寄地址的送达尝试")


class BatchDetail(BatchRead):
    letters: list[ItemRead]
    errors: dict[int, str] = Field(default_factory=dict, description="下单失败的邮件及原因")


class PrinterWrite(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    offset_x_mm: float = 0.0
    offset_y_mm: float = 0.0


class PrinterRead(PrinterWrite):
    id: int

    @classmethod
    def of(cls, printer: PrinterProfile) -> "PrinterRead":
        return cls(
            id=printer.id, name=printer.name, offset_x_mm=printer.offset_x_mm, offset_y_mm=printer.offset_y_mm
        )


class ScanMatchRead(BaseModel):
    filename: str | None
    waybill_no: str | None
    item_id: int | None
    evidence_id: int | None
    problem: str | None


class CostRead(BaseModel):
    month: str
    letters: int = Field(description="当月交寄的邮件数")
    total_fen: int = Field(description="邮费合计（分）")
    average_fen: int = Field(description="每件平均邮费（分）")
    served: int = Field(description="已送达（妥投，或退回经确认地址视为送达）")
    failed: int = Field(description="未能送达")
    success_rate: float | None = Field(description="妥投率：已送达 / 已有结果（合同要求 > 70%）")
