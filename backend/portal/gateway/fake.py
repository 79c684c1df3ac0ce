"""fake://: no WeChat app configured; the portal offers login by SMS or e-mail code only."""

from backend.portal.gateway.base import WechatLogin, WechatProfile, WechatRefused


class NoWechat(WechatLogin):
    enabled = False

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        raise WechatRefused("本院未开通微信登录，请使用短信或邮箱验证码登录")

    def profile(self, *, code: str) -> WechatProfile:
        raise WechatRefused("本院未开通微信登录，请使用短信或邮箱验证码登录")
