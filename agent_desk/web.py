"""Serve the built agent desk (login, desk, supervisor wall) from agent_desk/static; no CDN at run time."""

import re
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from backend.config import get_settings

STATIC_DIR = Path(__file__).resolve().parent / "static"
ASSETS_DIR = STATIC_DIR / "assets"

# The pages load only their own bundles; the softphone talks to Asterisk's websocket (ws: on another port).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; media-src 'self' blob: mediastream:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
NOT_BUILT_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>送达</title></head>
<body><h1>坐席工作台前端尚未构建</h1><p>请运行 <code>scripts/setup.sh</code>，
或在 <code>agent_desk/frontend</code> 目录执行 <code>npm ci &amp;&amp; npm run build</code>，
然后刷新本页。</p></body></html>"""

router = APIRouter(tags=["坐席工作台页面"], include_in_schema=False)


def tile_origin(tile_url: str) -> str | None:
    """The origin of a map tile URL template, as a CSP source ("https://{s}.tiles.example/{z}/..." gives
    "https://*.tiles.example"); None when there is no tile server."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    host = re.sub(r"^\{[^}]*\}", "*", parts.netloc)
    return f"{parts.scheme}://{host}" if parts.scheme in ("http", "https") and host else None


def _page(name: str, *, img_sources: tuple[str, ...] = ()) -> Response:
    headers = dict(PAGE_HEADERS)
    if img_sources:
        extra = " ".join(img_sources)
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "img-src 'self' data:", f"img-src 'self' data: {extra}"
        )
    path = STATIC_DIR / f"{name}.html"
    if not path.is_file():
        return HTMLResponse(NOT_BUILT_PAGE, status_code=503, headers=headers)
    return FileResponse(path, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/")
@router.get("/desk")
def desk_page() -> Response:
    return _page("desk")


@router.get("/wall")
def wall_page() -> Response:
    return _page("wall")


@router.get("/field")
def field_page() -> Response:
    """The field page may show the configured map server's tiles, and nothing else from elsewhere."""
    origin = tile_origin(get_settings().field_tile_url)
    return _page("field", img_sources=(origin,) if origin else ())


# The officer's installable app (PWA): its manifest, icons and the service worker that keeps the page for
# use without signal. The worker sits at the root so that its scope may be /field, and runs under its own
# policy: it fetches only this server.
FIELD_MANIFEST = {
    "name": "送达 · 外出送达",
    "short_name": "外出送达",
    "description": "外出送达人员的今日路线、现场签到、取证与签收（无网络时仍可使用）",
    "lang": "zh-CN",
    "start_url": "/field",
    "scope": "/field",
    "display": "standalone",
    "orientation": "portrait",
    "background_color": "#f4f6f9",
    "theme_color": "#1d4f91",
    "icons": [
        {"src": f"/field-icon-{size}.png", "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
        for size in (192, 512)
    ],
}
ICONS_DIR = Path(__file__).resolve().parent / "icons"
WORKER_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
}


@router.get("/field.webmanifest")
def field_manifest() -> Response:
    return JSONResponse(
        FIELD_MANIFEST, media_type="application/manifest+json", headers={"Cache-Control": "no-cache"}
    )


@router.get("/field-sw.js")
def field_worker() -> Response:
    path = STATIC_DIR / "field-sw.js"
    if not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, media_type="text/javascript; charset=utf-8", headers=WORKER_HEADERS)


@router.get("/field-icon-{size}.png")
def field_icon(size: int) -> Response:
    path = ICONS_DIR / f"field-{size}.png"
    if size not in (192, 512) or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "max-age=86400"})


@router.get("/window")
def window_page() -> Response:
    return _page("window")


@router.get("/postal")
def postal_page() -> Response:
    """The postal console: the day's batches, printing, tracking, receipts, costs."""
    return _page("postal")


@router.get("/appointment")
def appointment_page() -> Response:
    return _page("appointment")


@router.get("/portal")
@router.get("/s/{token}")
def portal_page() -> Response:
    """The party portal: /s/TOKEN is the personal link of an e-delivery notice, /portal the login."""
    return _page("portal")


@router.get("/console")
def console_page() -> Response:
    """The staff console's entry page: the pages of the user's role."""
    return _page("console")


@router.get("/imports")
def imports_page() -> Response:
    """Imports of the court's export: upload, progress, problems and their Excel (clerks, admins)."""
    return _page("imports")


@router.get("/hearings")
def hearings_page() -> Response:
    """The hearing schedule: set or move hearings, summons at risk, the week per courtroom."""
    return _page("hearings")


@router.get("/cases")
def cases_page() -> Response:
    """The cases list: search, sort, pages (clerks, supervisors, admins)."""
    return _page("cases")


@router.get("/cases/{case_id}")
def case_file_page(case_id: int) -> Response:
    """One case file (卷宗): parties, documents, the delivery timeline, calls, proofs, verification."""
    return _page("casefile")


@router.get("/docs")
@router.get("/api/docs")
def docs_page() -> Response:
    """The API documentation: Swagger UI from Songda's own bundles (no CDN), reading /api/openapi.json."""
    return _page("docs")


@router.get("/board")
def board_page() -> Response:
    """The supervisors' deliveries board: filters, bulk assignment, Excel export."""
    return _page("board")


@router.get("/admin")
def admin_page() -> Response:
    """Administration: users and roles, pickup windows, the audit log (admins)."""
    return _page("admin")


@router.get("/admin/sms")
def sms_inbox_page() -> Response:
    """The admin's SMS inbox: what the embedded Kannel's fake SMSC received, links clickable."""
    return _page("sms")


@router.get("/login")
def login_page() -> Response:
    return _page("login")


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)


def install(app: FastAPI) -> None:
    """Add the pages and mount the bundles at /assets (works once `npm run build` has run)."""
    app.include_router(router)
    app.mount("/assets", StaticFiles(directory=ASSETS_DIR, check_dir=False), name="desk-assets")
