from enum import StrEnum


class BatchStatus(StrEnum):
    draft = "draft"  # being reviewed by the clerk
    confirmed = "confirmed"  # orders placed, waybills printed


class ItemStatus(StrEnum):
    draft = "draft"  # in a batch under review
    removed = "removed"  # taken out of its batch by the clerk (the attempt stays planned)
    ordered = "ordered"  # EMS order placed, waybill number known
    awaiting_receipt = "awaiting_receipt"  # returned to a confirmed address: served once the scan is in
    served = "served"
    failed = "failed"


class TraceState(StrEnum):
    """Tracking events normalised across vendors."""

    in_transit = "in_transit"
    out_for_delivery = "out_for_delivery"
    delivered = "delivered"
    not_delivered = "not_delivered"
    refused = "refused"
    returned = "returned"


TRACE_STATE_LABELS = {
    TraceState.in_transit: "运输中",
    TraceState.out_for_delivery: "派送中",
    TraceState.delivered: "已妥投",
    TraceState.not_delivered: "未妥投",
    TraceState.refused: "拒收",
    TraceState.returned: "已退回",
}

ITEM_STATUS_LABELS = {
    ItemStatus.draft: "待确认",
    ItemStatus.removed: "已移出批次",
    ItemStatus.ordered: "已下单",
    ItemStatus.awaiting_receipt: "已退回，待扫描退件",
    ItemStatus.served: "已送达",
    ItemStatus.failed: "未能送达",
}

# Events that end the mail's journey: the party signed, or the envelope came back to the court.
FINAL_STATES = frozenset({TraceState.delivered, TraceState.returned})
