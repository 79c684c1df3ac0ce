"""The FastAPI application: every domain's router is registered here."""

from fastapi import APIRouter, FastAPI

from backend.auth import views as auth_views
from backend.config import get_settings

health_router = APIRouter(tags=["系统"])


@health_router.get("/api/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


def _routers() -> list[APIRouter]:
    return [
        health_router,
        auth_views.public_router,
        auth_views.session_router,
        auth_views.users_router,
    ]


def create_app() -> FastAPI:
    """Build the API app; routers declare their own roles."""
    get_settings().ensure_dirs()
    app = FastAPI(
        title="送达 Songda",
        description="司法送达呼叫中心平台 API",
        version="0.1.0",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
    )
    for router in _routers():
        app.include_router(router)
    return app
