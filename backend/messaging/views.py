"""Delivery reports over HTTP: Kannel's smsbox calls /api/messaging/reports/{token} (the dlr-url Songda
gave with the message). The endpoint is public; the unguessable per-message token is its authentication,
and an unknown token answers 404 like any other missing thing."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from backend.core.http import service_errors
from backend.database import SessionDep
from backend.messaging import reports

report_router = APIRouter(prefix="/api/messaging", tags=["短信与邮件"])
routers = [report_router]


@report_router.get("/reports/{token}", response_class=PlainTextResponse)
def delivery_report(
    token: str,
    db_session: SessionDep,
    report_type: Annotated[int, Query(alias="type")],
    at: str | None = None,
    smsc_id: str | None = None,
    reply: str | None = None,
) -> str:
    """One delivery report from Kannel for the message whose token is TOKEN."""
    with service_errors():
        reports.record_report(
            db_session=db_session,
            token=token,
            report_type=report_type,
            at=at,
            fields={"smsc_id": smsc_id or "", "reply": reply or ""},
        )
    return "OK"
