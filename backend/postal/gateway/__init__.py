"""The postal vendor adapters, chosen by SONGDA_POSTAL_GATEWAY_URL: `fake://`, `ems+https://…` (EMS
open API, see ems.py) or `kuaidi100+https://…` (the aggregator, see kuaidi100.py)."""

from functools import lru_cache

from backend.config import Settings, get_settings
from backend.postal.gateway.base import PostalGateway
from backend.postal.gateway.fake import FakePostalGateway


def build_gateway(settings: Settings) -> PostalGateway:
    url = settings.postal_gateway_url
    if url.startswith("fake://"):
        return FakePostalGateway()
    if url.startswith("ems+"):
        from backend.postal.gateway.ems import EmsGateway

        return EmsGateway(
            url.removeprefix("ems+"),
            sender_no=settings.ems_sender_no,
            authorization=settings.ems_authorization,
            secret_key=settings.ems_secret_key,
            user_code=settings.ems_user_code,
            push_key=settings.ems_push_key,
        )
    if url.startswith("kuaidi100+"):
        from backend.postal.gateway.kuaidi100 import Kuaidi100Gateway

        return Kuaidi100Gateway(
            url.removeprefix("kuaidi100+"),
            customer=settings.kuaidi100_customer,
            key=settings.kuaidi100_key,
            secret=settings.kuaidi100_secret,
            salt=settings.kuaidi100_salt,
        )
    raise ValueError(
        f"SONGDA_POSTAL_GATEWAY_URL 无法识别：{url}（应为 fake://、ems+https://… 或 kuaidi100+https://…）"
    )


@lru_cache
def _cached(url: str) -> PostalGateway:
    return build_gateway(get_settings())


def postal_gateway() -> PostalGateway:
    """The configured adapter (one per URL, so tests that change the setting get a new one)."""
    return _cached(get_settings().postal_gateway_url)
