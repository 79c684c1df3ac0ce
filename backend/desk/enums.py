from enum import StrEnum


class PresenceState(StrEnum):
    available = "available"  # 空闲：可接收任务
    ringing = "ringing"  # 振铃：呼叫已发起
    on_call = "on_call"  # 通话中
    wrap_up = "wrap_up"  # 话后整理（限时）
    on_break = "break"  # 小休（须注明原因）
    offline = "offline"  # 离线


class CallbackKind(StrEnum):
    requested = "requested"  # the party asked to be called back at a time
    retry = "retry"  # no answer, busy or a wrong number: call again (another number) later
    bounced = "bounced"  # an e-mail to the party came back: find a working address or call them


CALLBACK_LABELS = {
    CallbackKind.requested: "当事人约定回拨",
    CallbackKind.retry: "系统安排重拨",
    CallbackKind.bounced: "邮件退回待处理",
}


class DispositionKind(StrEnum):
    pickup = "pickup"
    electronic = "electronic"
    postal = "postal"
    field = "field"
    no_answer = "no_answer"
    busy = "busy"
    refused = "refused"
    wrong_number = "wrong_number"
    callback = "callback"


PRESENCE_LABELS = {
    PresenceState.available: "空闲",
    PresenceState.ringing: "振铃",
    PresenceState.on_call: "通话中",
    PresenceState.wrap_up: "话后整理",
    PresenceState.on_break: "小休",
    PresenceState.offline: "离线",
}

DISPOSITION_LABELS = {
    DispositionKind.pickup: "预约来院领取",
    DispositionKind.electronic: "同意电子送达",
    DispositionKind.postal: "确认邮寄地址",
    DispositionKind.field: "需外出送达",
    DispositionKind.no_answer: "无人接听",
    DispositionKind.busy: "忙线",
    DispositionKind.refused: "拒绝配合",
    DispositionKind.wrong_number: "号码错误",
    DispositionKind.callback: "约定回拨",
}
