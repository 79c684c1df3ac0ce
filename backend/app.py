"""The FastAPI application: every domain's router is registered here."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

import backend.wiring  # noqa: F401  (channels, reactions, periodic jobs)
from agent_desk import web as desk_web
from agent_desk import ws as desk_ws
from backend.audit import views as audit_views
from backend.auth import views as auth_views
from backend.calls import views as call_views
from backend.cases import views as case_views
from backend.config import get_settings
from backend.core import schedule
from backend.core.http import ApiHeaders, BodyLimit, document_error_answers, install_error_handlers
from backend.core.token_masking import install_token_masking
from backend.deliveries import views as delivery_views
from backend.desk import views as desk_views
from backend.documents import views as document_views
from backend.evidence import views as evidence_views
from backend.field import media as field_media
from backend.field import views as field_views
from backend.hearings import views as hearing_views
from backend.intake import uploads
from backend.intake import views as intake_views
from backend.messaging import views as messaging_views
from backend.parties import views as party_views
from backend.pickup import views as pickup_views
from backend.pickup import window_views
from backend.portal import staff_views as portal_staff_views
from backend.portal import views as portal_views
from backend.postal import views as postal_views
from backend.proofs import views as proof_views
from backend.transcripts import views as transcript_views
from backend.wall import views as wall_views

health_router = APIRouter(tags=["系统"])


@asynccontextmanager
async def _freeze_startup_heap(app: FastAPI) -> AsyncIterator[None]:
    """Once everything has started, hide what exists (modules, mappers, the app) from the garbage
    collector: a full collection then scans only what was made since. Unfrozen it took 200 ms here, a
    pause every websocket client felt."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


heap_router = APIRouter(lifespan=_freeze_startup_heap)


@asynccontextmanager
async def _run_periodic_jobs(app: FastAPI) -> AsyncIterator[None]:
    """The embedded default runs the periodic jobs itself; with Celery, `songda beat` does."""
    settings = get_settings()
    if not (settings.in_process_scheduler and settings.task_queue_url.startswith("memory")):
        yield
        return
    scheduler = schedule.InProcessScheduler(schedule.jobs())
    scheduler.start()
    try:
        yield
    finally:
        scheduler.stop()


scheduler_router = APIRouter(lifespan=_run_periodic_jobs)


@health_router.get("/api/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


def _routers() -> list[APIRouter]:
    return [
        health_router,
        auth_views.public_router,
        auth_views.session_router,
        auth_views.users_router,
        audit_views.router,
        intake_views.router,
        case_views.router,
        party_views.router,
        *delivery_views.routers,
        document_views.router,
        evidence_views.evidence_router,
        evidence_views.case_evidence_router,
        evidence_views.verify_router,
        evidence_views.media_router,
        proof_views.proof_router,
        proof_views.public_proof_router,
        proof_views.confirmation_router,
        call_views.router,
        transcript_views.router,
        transcript_views.review_router,
        transcript_views.retry_router,
        transcript_views.case_calls_router,
        desk_views.router,
        wall_views.router,
        *pickup_views.routers,
        *portal_views.routers,
        portal_staff_views.router,
        *postal_views.routers,
        *messaging_views.routers,
        *field_views.routers,
        *hearing_views.routers,
        desk_ws.router,  # after call_views.router: its lifespan reuses call control's event bus
        scheduler_router,
        heap_router,  # last: its lifespan starts once every other one has
    ]


def _upload_limit(path: str) -> int | None:
    return (
        uploads.request_limit(path)
        or field_media.request_limit(path)
        or postal_views.request_limit(path)
        or window_views.request_limit(path)
    )


def create_app() -> FastAPI:
    """Build the API app; routers declare their own roles."""
    get_settings().ensure_dirs()
    install_token_masking()  # however uvicorn was started: `songda serve`, tests, benchmarks
    app = FastAPI(
        title="送达 Songda",
        description="司法送达呼叫中心平台 API",
        version="0.1.0",
        docs_url=None,  # /api/docs is agent_desk.web's page: Swagger UI bundled, not from a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    for router in _routers():
        app.include_router(router)
    install_error_handlers(app)
    document_error_answers(app)
    app.add_middleware(ApiHeaders)
    app.add_middleware(BodyLimit, limit_for=_upload_limit)
    desk_web.install(app)  # the desk pages and their bundles, served by this app (no CDN)
    return app
