"""A local server speaking WeChat website login (网站应用微信登录) as WeChat documents it, standing in for
open.weixin.qq.com and api.weixin.qq.com: /connect/qrconnect shows the QR page (here a page with the
confirm and refuse buttons the user's phone would press), then sends the browser to redirect_uri with a
one-time code valid 10 minutes (no code when refused); /sns/oauth2/access_token exchanges it for an access
token and the openid; /sns/userinfo gives the profile. Errors come as HTTP 200 with errcode and errmsg."""

import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

CODE_SECONDS = 600
TOKEN_SECONDS = 7200


@dataclass
class WechatUser:
    openid: str
    unionid: str
    nickname: str


@dataclass
class WechatDouble:
    app_id: str
    secret: str
    user: WechatUser
    port: int = 0
    codes: dict[str, tuple[str, float]] = field(default_factory=dict)  # code -> (openid, issued)
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    exchanges: list[dict[str, str]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def issue_code(self) -> str:
        code = secrets.token_urlsafe(24)
        self.codes[code] = (self.user.openid, time.time())
        return code


def _error(code: int, message: str) -> dict[str, Any]:
    return {"errcode": code, "errmsg": message}


class Handler(BaseHTTPRequestHandler):
    double: WechatDouble

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _query(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(urlsplit(self.path).query).items()}

    def _json(self, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _html(self, text: str) -> None:
        head = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>"
        data = f"{head}{text}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, target: str) -> None:
        self.send_response(302)
        self.send_header("Location", target)
        self.end_headers()

    def do_GET(self) -> None:
        path, query, double = urlsplit(self.path).path, self._query(), self.double
        if path == "/connect/qrconnect":
            if query.get("appid") != double.app_id or query.get("scope") != "snsapi_login":
                return self._html("<h1>参数错误</h1><p>appid 或 scope 不正确</p>")
            if query.get("response_type") != "code" or not query.get("redirect_uri"):
                return self._html("<h1>参数错误</h1>")
            back = escape(urlencode({"redirect_uri": query["redirect_uri"], "state": query.get("state", "")}))
            return self._html(
                "<h1>微信登录</h1><p>请使用微信扫描二维码登录（测试替身）</p>"
                f"<a id=confirm href='/connect/confirm?{back}'>确认登录</a> "
                f"<a id=refuse href='/connect/refuse?{back}'>拒绝</a>"
            )
        if path in ("/connect/confirm", "/connect/refuse"):
            params = {"state": query.get("state", "")}
            if path == "/connect/confirm":
                params = {"code": double.issue_code(), **params}
            return self._redirect(f"{query['redirect_uri']}?{urlencode(params)}")
        if path == "/sns/oauth2/access_token":
            return self._json(self._access_token(query))
        if path == "/sns/userinfo":
            return self._json(self._userinfo(query))
        self.send_response(404)
        self.end_headers()

    def _access_token(self, query: dict[str, str]) -> dict[str, Any]:
        double = self.double
        double.exchanges.append(query)
        if query.get("appid") != double.app_id:
            return _error(40013, "invalid appid")
        if query.get("secret") != double.secret:
            return _error(40125, "invalid appsecret")
        if query.get("grant_type") != "authorization_code":
            return _error(40002, "invalid grant_type")
        issued = double.codes.pop(query.get("code", ""), None)  # one use
        if issued is None or time.time() - issued[1] > CODE_SECONDS:
            return _error(40029, "invalid code")
        token = secrets.token_urlsafe(32)
        double.tokens[token] = (issued[0], time.time())
        return {
            "access_token": token,
            "expires_in": TOKEN_SECONDS,
            "refresh_token": secrets.token_urlsafe(32),
            "openid": issued[0],
            "scope": "snsapi_login",
            "unionid": double.user.unionid,
        }

    def _userinfo(self, query: dict[str, str]) -> dict[str, Any]:
        double = self.double
        held = double.tokens.get(query.get("access_token", ""))
        if held is None or time.time() - held[1] > TOKEN_SECONDS:
            return _error(40014, "invalid access_token")
        if query.get("openid") != held[0]:
            return _error(40003, "invalid openid")
        user = double.user
        return {
            "openid": user.openid,
            "nickname": user.nickname,
            "sex": 0,
            "province": "北京",
            "city": "北京",
            "country": "中国",
            "headimgurl": "",
            "privilege": [],
            "unionid": user.unionid,
        }


@contextmanager
def wechat_double(
    app_id: str = "wx0123456789abcdef", secret: str = "songda-test-secret"
) -> Iterator[WechatDouble]:
    user = WechatUser(
        openid=f"o{secrets.token_urlsafe(20)}", unionid=f"u{secrets.token_urlsafe(20)}", nickname="微信用户"
    )
    double = WechatDouble(app_id=app_id, secret=secret, user=user)
    handler = type("BoundHandler", (Handler,), {"double": double})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    double.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield double
    finally:
        server.shutdown()
        server.server_close()
