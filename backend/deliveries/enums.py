from datetime import timedelta
from enum import StrEnum


class DeliveryMethod(StrEnum):
    phone = "phone"  # 电话送达
    pickup = "pickup"  # 来院领取
    electronic = "electronic"  # 电子送达
    postal = "postal"  # EMS 司法专邮
    field = "field"  # 直接/外出送达
    entrusted = "entrusted"  # 委托送达
    notice = "notice"  # 公告送达


class DeliveryStatus(StrEnum):
    pending = "pending"  # 待送达
    in_progress = "in_progress"  # 送达中
    served = "served"  # 已送达
    unservable = "unservable"  # 无法送达 (awaiting another route, e.g. notice)
    cancelled = "cancelled"  # 已撤销


class AttemptStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


class AttemptOutcome(StrEnum):
    served = "served"
    answered = "answered"
    no_answer = "no_answer"
    busy = "busy"
    rejected = "rejected"
    unreachable = "unreachable"
    agent_no_answer = "agent_no_answer"
    call_failed = "call_failed"
    pickup_booked = "pickup_booked"
    electronic_consent = "electronic_consent"
    address_confirmed = "address_confirmed"
    field_visit_needed = "field_visit_needed"
    callback_requested = "callback_requested"
    refused = "refused"
    wrong_number = "wrong_number"
    left_with_refusal = "left_with_refusal"
    returned = "returned"
    no_show = "no_show"
    nobody_home = "nobody_home"  # a field visit found nobody at the address
    moved = "moved"  # the party no longer lives there
    wrong_address = "wrong_address"  # no such address, or not the party's


DELIVERY_STATUS_LABELS = {
    DeliveryStatus.pending: "待送达",
    DeliveryStatus.in_progress: "送达中",
    DeliveryStatus.served: "已送达",
    DeliveryStatus.unservable: "无法送达",
    DeliveryStatus.cancelled: "已撤销",
}

ATTEMPT_STATUS_LABELS = {
    AttemptStatus.planned: "已计划",
    AttemptStatus.in_progress: "进行中",
    AttemptStatus.succeeded: "成功",
    AttemptStatus.failed: "失败",
    AttemptStatus.cancelled: "已取消",
}

METHOD_LABELS = {
    DeliveryMethod.phone: "电话送达",
    DeliveryMethod.pickup: "来院领取",
    DeliveryMethod.electronic: "电子送达",
    DeliveryMethod.postal: "EMS司法专邮",
    DeliveryMethod.field: "直接送达",
    DeliveryMethod.entrusted: "委托送达",
    DeliveryMethod.notice: "公告送达",
}

OUTCOME_LABELS = {
    AttemptOutcome.served: "已送达",
    AttemptOutcome.answered: "已接通",
    AttemptOutcome.no_answer: "无人接听",
    AttemptOutcome.busy: "占线",
    AttemptOutcome.rejected: "拒接",
    AttemptOutcome.unreachable: "无法联系",
    AttemptOutcome.agent_no_answer: "专员未接听",
    AttemptOutcome.call_failed: "呼叫失败",
    AttemptOutcome.pickup_booked: "已预约来院领取",
    AttemptOutcome.electronic_consent: "同意电子送达",
    AttemptOutcome.address_confirmed: "已确认送达地址",
    AttemptOutcome.field_visit_needed: "需外出送达",
    AttemptOutcome.callback_requested: "约定回拨",
    AttemptOutcome.refused: "拒收",
    AttemptOutcome.wrong_number: "号码错误",
    AttemptOutcome.left_with_refusal: "留置送达",
    AttemptOutcome.returned: "退回（视为送达）",
    AttemptOutcome.no_show: "未按约来院",
    AttemptOutcome.nobody_home: "无人在家",
    AttemptOutcome.moved: "已搬离",
    AttemptOutcome.wrong_address: "地址错误",
}

# 公告送达: deemed served this long after publication (民事诉讼法 art. 95).
NOTICE_PERIOD = timedelta(days=30)
