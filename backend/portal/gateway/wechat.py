"""WeChat website login (网站应用微信登录) as WeChat documents it: the browser goes to
/connect/qrconnect, comes back with a one-time code, which /sns/oauth2/access_token exchanges for an
access token and openid, and /sns/userinfo turns into a profile. Errors arrive as HTTP 200 with errcode.
With WeChat itself the QR page is on open.weixin.qq.com and the API on api.weixin.qq.com; any other base
URL (a local server speaking the same protocol) serves both."""

from typing import Any
from urllib.parse import urlencode

import httpx

from backend.portal.gateway.base import WechatLogin, WechatProfile, WechatRefused

WECHAT_API = "https://api.weixin.qq.com"
WECHAT_OPEN = "https://open.weixin.qq.com"
TIMEOUT = 10.0


class OpenPlatformWechat(WechatLogin):
    def __init__(self, *, base_url: str, app_id: str, secret: str) -> None:
        self.api = base_url.rstrip("/")
        self.open = WECHAT_OPEN if self.api == WECHAT_API else self.api
        self.app_id = app_id
        self.secret = secret

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        query = urlencode(
            {
                "appid": self.app_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": "snsapi_login",
                "state": state,
            }
        )
        return f"{self.open}/connect/qrconnect?{query}#wechat_redirect"

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        try:
            response = httpx.get(f"{self.api}{path}", params=params, timeout=TIMEOUT)
            response.raise_for_status()
            body: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise WechatRefused("微信登录服务暂不可用，请稍后再试或使用短信验证码登录") from exc
        if body.get("errcode"):
            raise WechatRefused(f"微信登录未成功（{body.get('errcode')}），请重新扫码")
        return body

    def profile(self, *, code: str) -> WechatProfile:
        token = self._get(
            "/sns/oauth2/access_token",
            {"appid": self.app_id, "secret": self.secret, "code": code, "grant_type": "authorization_code"},
        )
        openid = str(token.get("openid") or "")
        if not openid or not token.get("access_token"):
            raise WechatRefused("微信登录未成功，请重新扫码")
        user = self._get("/sns/userinfo", {"access_token": str(token["access_token"]), "openid": openid})
        if user.get("openid") != openid:
            raise WechatRefused("微信登录未成功，请重新扫码")
        unionid = user.get("unionid") or token.get("unionid")
        nickname = user.get("nickname")
        return WechatProfile(openid=openid, unionid=str(unionid) if unionid else None, nickname=nickname)
