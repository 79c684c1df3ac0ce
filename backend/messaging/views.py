"""Delivery reports over HTTP: Kannel's smsbox calls /api/messaging/reports/{token} (the dlr-url Songda
gave with the message). The endpoint is public; the unguessable per-message token is its authentication,
and an unknown token answers 404 like any other missing thing. Admins read what the embedded fake SMSC
received (GET /api/messaging/sms-inbox, audited: it holds parties' numbers and texts)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, secured_router
from backend.auth.roles import Role
from backend.core.http import service_errors
from backend.database import SessionDep
from backend.messaging import inbox, reports
from backend.messaging.schemas import ReceivedSmsRead, SmsInboxRead

report_router = APIRouter(prefix="/api/messaging", tags=["短信与邮件"])
admin_router = secured_router(prefix="/api/messaging", tags=["短信与邮件"], roles=[Role.admin])
routers = [report_router, admin_router]


@report_router.get("/reports/{token}", response_class=PlainTextResponse)
async def delivery_report(
    token: str,
    report_type: Annotated[int, Query(alias="type")],
    at: str | None = None,
    smsc_id: str | None = None,
    reply: str | None = None,
) -> str:
    """One delivery report from Kannel for the message whose token is TOKEN.

    smsbox calls back hundreds at once: each report is one call on the thread pool that opens, commits
    and closes its own session (a request-scoped session would hold a connection while its release
    waited for a free thread, and a burst would starve the pool)."""
    fields = {"smsc_id": smsc_id or "", "reply": reply or ""}
    with service_errors():
        await run_in_threadpool(
            reports.apply_report, token=token, report_type=report_type, at=at, fields=fields
        )
    return "OK"


def _item(entry: inbox.InboxEntry) -> ReceivedSmsRead:
    sms, message = entry.received, entry.message
    item = ReceivedSmsRead(sender=sms.sender, to=sms.to, text=sms.text, parts=sms.parts, links=entry.links)
    if message is not None:
        item.message_id, item.status = message.id, message.status.value
        item.status_label = inbox.STATUS_LABELS.get(message.status, message.status.value)
        item.purpose, item.case_id = message.purpose, message.case_id
        item.sent_at, item.delivered_at = message.sent_at, message.delivered_at
    return item


@admin_router.get("/sms-inbox", response_model=SmsInboxRead)
def sms_inbox(
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> SmsInboxRead:
    """The latest messages the embedded Kannel's fake SMSC received (the demo's phones), newest first."""
    found = inbox.fake_smsc_inbox(db_session=db_session, limit=limit)
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="read_sms_inbox",
        object_type="sms_inbox",
        detail={"shown": len(found.entries)},
    )
    return SmsInboxRead(
        fake_smsc=found.fake_smsc,
        running={name: pid is not None for name, pid in found.running.items()},
        total=found.total,
        items=[_item(entry) for entry in found.entries],
    )
