"""API shapes of the messaging domain: the fake SMSC's inbox on the admin page."""

from datetime import datetime

from pydantic import BaseModel, Field


class ReceivedSmsRead(BaseModel):
    sender: str = Field(description="发送号码（如 12368）")
    to: str = Field(description="接收手机号")
    text: str = Field(description="短信全文（长短信已拼接）")
    parts: int = Field(description="拆分条数")
    links: list[str] = Field(description="短信中的链接")
    message_id: int | None = Field(default=None, description="对应的发件箱消息")
    status: str | None = None
    status_label: str | None = None
    purpose: str | None = None
    case_id: int | None = None
    sent_at: datetime | None = None
    delivered_at: datetime | None = None


class SmsInboxRead(BaseModel):
    fake_smsc: bool = Field(description="是否使用内置的模拟短信中心（否：已接入运营商 SMPP）")
    running: dict[str, bool] = Field(description="Kannel 各进程是否在运行")
    total: int = Field(description="模拟短信中心共收到的短信数（日志末尾部分）")
    items: list[ReceivedSmsRead]
