"""WeChat website login behind one interface; the adapter is chosen by SONGDA_WECHAT_URL."""

from functools import lru_cache

from backend.config import get_settings
from backend.portal.gateway.base import WechatLogin
from backend.portal.gateway.fake import NoWechat
from backend.portal.gateway.wechat import OpenPlatformWechat


@lru_cache(maxsize=4)
def _wechat(url: str, app_id: str, secret: str) -> WechatLogin:
    if url.startswith("fake://"):
        return NoWechat()
    return OpenPlatformWechat(base_url=url, app_id=app_id, secret=secret)


def wechat_login() -> WechatLogin:
    settings = get_settings()
    return _wechat(settings.wechat_url, settings.wechat_app_id, settings.wechat_app_secret)
