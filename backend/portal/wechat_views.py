"""WeChat website login for parties: /api/portal/wechat/start sends the browser to WeChat's QR page with a
random state (kept in a cookie); /api/portal/wechat/callback checks the state, exchanges the code, and
either opens the session of a WeChat already bound to a mobile on file, or keeps the WeChat identity in a
short signed cookie until the party proves their mobile with an SMS code (then it is bound)."""

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from backend import database
from backend.audit import service as audit_service
from backend.auth.dependencies import client_ip
from backend.config import get_settings
from backend.database import utcnow
from backend.portal import login_flows
from backend.portal.cookies import set_session_cookie
from backend.portal.gateway import wechat_login
from backend.portal.gateway.base import WechatProfile, WechatRefused

router = APIRouter(prefix="/api/portal/wechat", tags=["当事人门户（微信登录）"])
STATE_COOKIE = "songda_wechat_state"
PENDING_COOKIE = "songda_wechat_pending"
PENDING_MINUTES = 10


def _sign(payload: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"wechat-pending:{payload}".encode(), hashlib.sha256).hexdigest()


def pending_cookie(profile: WechatProfile, now: datetime) -> str:
    body = {
        "openid": profile.openid,
        "unionid": profile.unionid,
        "nickname": profile.nickname,
        "until": (now + timedelta(minutes=PENDING_MINUTES)).timestamp(),
    }
    payload = base64.urlsafe_b64encode(json.dumps(body).encode()).decode()
    return f"{payload}.{_sign(payload)}"


def pending_profile(request: Request, now: datetime) -> WechatProfile | None:
    """The WeChat identity waiting to be bound by an SMS-code login, if its cookie is genuine and fresh."""
    raw = request.cookies.get(PENDING_COOKIE, "")
    payload, _, signature = raw.partition(".")
    if not payload or not hmac.compare_digest(signature, _sign(payload)):
        return None
    body = json.loads(base64.urlsafe_b64decode(payload))
    if body["until"] < now.timestamp():
        return None
    return WechatProfile(openid=body["openid"], unionid=body["unionid"], nickname=body["nickname"])


def _callback_url() -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/api/portal/wechat/callback"


@router.get("/start", response_class=RedirectResponse, status_code=302)
def start() -> RedirectResponse:
    """To WeChat's QR-code login page."""
    state = secrets.token_urlsafe(16)
    try:
        target = wechat_login().authorize_url(redirect_uri=_callback_url(), state=state)
    except WechatRefused:
        return RedirectResponse("/portal?wechat=off", status_code=302)
    response = RedirectResponse(target, status_code=302)
    response.set_cookie(
        STATE_COOKIE, state, max_age=600, path="/api/portal/wechat", httponly=True, samesite="lax"
    )
    return response


@router.get("/callback", response_class=RedirectResponse, status_code=302)
def callback(request: Request, state: str = "", code: str = "") -> RedirectResponse:
    """WeChat sent the browser back: log the party in, or ask for an SMS code to bind the WeChat."""
    now = utcnow()
    expected = request.cookies.get(STATE_COOKIE, "")
    ip = client_ip(request) or "unknown"
    device = request.headers.get("user-agent", "")[:300]
    if not code or not expected or not hmac.compare_digest(expected, state):
        return _finish("/portal?wechat=refused")
    try:
        profile = wechat_login().profile(code=code)
    except WechatRefused:
        return _finish("/portal?wechat=failed")
    with database.get_session() as db_session:  # its own, as the portal's views (backend/portal/views.py)
        opened = login_flows.wechat_session(
            db_session=db_session, profile=profile, client_ip=ip, user_agent=device, now=now
        )
        audit_service.record(
            db_session=db_session,
            actor=None,
            actor_username=f"当事人门户 微信 {profile.openid[:6]}***",
            action="portal_wechat_login" if opened else "portal_wechat_unbound",
            object_type="portal_session" if opened else None,
            object_id=opened[0].id if opened else None,
            client_ip=ip,
            detail={"user_agent": device},
        )
    if opened is None:
        response = _finish("/portal?wechat=bind")
        response.set_cookie(
            PENDING_COOKIE,
            pending_cookie(profile, now),
            max_age=PENDING_MINUTES * 60,
            path="/api/portal",
            httponly=True,
            samesite="lax",
        )
        return response
    response = _finish("/portal")
    set_session_cookie(response, opened[1])
    return response


def _finish(target: str) -> RedirectResponse:
    response = RedirectResponse(target, status_code=302)
    response.delete_cookie(STATE_COOKIE, path="/api/portal/wechat")
    return response
