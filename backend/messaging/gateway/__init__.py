"""The SMS and e-mail adapters, chosen by SONGDA_SMS_GATEWAY_URL (`fake://`, `kannel+http://HOST:PORT`)
and SONGDA_EMAIL_GATEWAY_URL (`fake://`, `smtp://HOST:PORT`)."""

from functools import lru_cache
from urllib.parse import urlsplit

from backend.config import get_settings
from backend.messaging.gateway.base import EmailGateway, SmsGateway
from backend.messaging.gateway.fake import FakeEmailGateway, FakeSmsGateway


@lru_cache
def _sms(url: str, username: str, password: str) -> SmsGateway:
    if url.startswith("fake://"):
        return FakeSmsGateway()
    if url.startswith("kannel+"):
        from backend.messaging.gateway.kannel import KannelGateway

        return KannelGateway(url.removeprefix("kannel+"), username=username, password=password)
    raise ValueError(f"SONGDA_SMS_GATEWAY_URL 无法识别：{url}（应为 fake:// 或 kannel+http://…）")


@lru_cache
def _email(url: str) -> EmailGateway:
    if url.startswith("fake://"):
        return FakeEmailGateway()
    if url.startswith("smtp://"):
        from backend.messaging.gateway.smtp import SmtpGateway

        parts = urlsplit(url)
        return SmtpGateway(parts.hostname or "127.0.0.1", parts.port or 25)
    raise ValueError(f"SONGDA_EMAIL_GATEWAY_URL 无法识别：{url}（应为 fake:// 或 smtp://主机:端口）")


def sms_gateway() -> SmsGateway:
    """The configured SMS adapter (one per URL and user, so tests that change the settings get a new one)."""
    settings = get_settings()
    return _sms(settings.sms_gateway_url, settings.sms_username, settings.sms_password)


def email_gateway() -> EmailGateway:
    return _email(get_settings().email_gateway_url)
