"""What the portal needs of WeChat website login: where to send the browser, and who came back."""

from abc import ABC, abstractmethod
from dataclasses import dataclass


class WechatRefused(Exception):
    """WeChat did not identify the user (refused, expired or reused code); the message is Chinese."""


@dataclass(frozen=True, slots=True)
class WechatProfile:
    openid: str
    unionid: str | None
    nickname: str | None


class WechatLogin(ABC):
    enabled: bool = True

    @abstractmethod
    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        """The QR-code login page the browser is sent to."""

    @abstractmethod
    def profile(self, *, code: str) -> WechatProfile:
        """Exchange the code WeChat returned for the user's openid and profile (WechatRefused)."""
