from enum import StrEnum


class BookingStatus(StrEnum):
    booked = "booked"  # 已预约
    checked_in = "checked_in"  # 已签到（身份已核验）
    served = "served"  # 已领取
    no_show = "no_show"  # 未按约来院
    cancelled = "cancelled"  # 已取消


BOOKING_STATUS_LABELS = {
    BookingStatus.booked: "已预约",
    BookingStatus.checked_in: "已签到",
    BookingStatus.served: "已领取",
    BookingStatus.no_show: "未按约来院",
    BookingStatus.cancelled: "已取消",
}

WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
