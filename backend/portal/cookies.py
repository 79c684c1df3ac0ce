"""The portal session's cookie: HttpOnly, SameSite=Strict, sent only to /api/portal (no staff route)."""

from fastapi import Response

from backend.config import get_settings
from backend.portal.sessions import COOKIE

PATH = "/api/portal"


def set_session_cookie(response: Response, raw_token: str) -> None:
    settings = get_settings()
    response.set_cookie(
        COOKIE,
        raw_token,
        max_age=settings.portal_session_minutes * 60,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=settings.public_base_url.startswith("https"),
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path=PATH)
