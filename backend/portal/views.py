"""The portal API (/api/portal): public login steps, then the party's own deliveries under a portal
session cookie. No staff token opens these routes and no portal session opens a staff route; every access
is audited with the party's masked login, IP and device."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from backend import database
from backend.audit import service as audit_service
from backend.auth.dependencies import client_ip
from backend.core.errors import NotVisible
from backend.core.http import service_errors
from backend.database import utcnow
from backend.deliveries.confirmations import ConfirmedAddresses
from backend.deliveries.enums import DELIVERY_STATUS_LABELS, AttemptStatus
from backend.deliveries.facts import recorded_facts
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.documents.views import stored_path
from backend.parties.enums import ContactKind
from backend.portal import flows, login_flows, sessions, wechat_views
from backend.portal.codes import CodeCheck, TooManyRequests
from backend.portal.cookies import clear_session_cookie, set_session_cookie
from backend.portal.gateway import wechat_login
from backend.portal.models import DocumentView, PaperRequest, PortalSession
from backend.portal.schemas import (
    AddressConfirmationCreate,
    AddressConfirmationRead,
    CodeRequest,
    DeliveryRead,
    DocumentRead,
    LinkOption,
    LinkRead,
    LoginRequest,
    MeRead,
    Message,
    PagesViewed,
    PaperCreate,
    PaperRead,
    PortalConfig,
    SignedRead,
)
from backend.signatures.schemas import SignatureCapture

public_router = APIRouter(prefix="/api/portal", tags=["当事人门户（登录）"])
party_router = APIRouter(prefix="/api/portal", tags=["当事人门户"])
CODE_SENT = "如该号码或邮箱已登记，验证码已发送，请注意查收（5分钟内有效）"


def ip_of(request: Request) -> str:
    return client_ip(request) or "unknown"


def device_of(request: Request) -> str:
    return request.headers.get("user-agent", "")[:300]


def audit(
    db_session: Session,
    request: Request,
    action: str,
    *,
    who: str,
    case_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    **detail: Any,
) -> None:
    audit_service.record(
        db_session=db_session,
        actor=None,
        actor_username=f"当事人门户 {who}"[:64],
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case_id,
        client_ip=ip_of(request),
        detail={**detail, "user_agent": device_of(request)},
    )


def who(session: PortalSession) -> str:
    return login_flows.masked(session.kind, session.address)


def _not_logged_in() -> HTTPException:
    challenge = {"WWW-Authenticate": "PortalSession"}
    return HTTPException(status.HTTP_401_UNAUTHORIZED, "请先登录", headers=challenge)


async def portal_token(request: Request) -> str:
    """The token in the party's own cookie, or 401 (a staff bearer token means nothing here). Async: reading
    a cookie needs no worker thread; each endpoint checks the token in its own database session."""
    raw = request.cookies.get(sessions.COOKIE)
    if not raw:
        raise _not_logged_in()
    return raw


PartyToken = Annotated[str, Depends(portal_token)]


def party_session(db_session: Session, token: str) -> PortalSession:
    """The live portal session TOKEN opens, or 401. Endpoints open and commit their own database session in
    their own thread, so that no connection waits for a worker thread (nor two are checked out a request)."""
    session = sessions.session_for_token(db_session=db_session, raw_token=token, now=utcnow())
    if session is None:
        raise _not_logged_in()
    return session


def _address(db_session: Session, body: CodeRequest, now: datetime) -> tuple[ContactKind, str]:
    if body.link_token:
        return login_flows.link_address(
            db_session=db_session, token=body.link_token, choice=body.choice, now=now
        )
    if body.kind is None or not body.address:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "请输入手机号码或电子邮箱")
    return body.kind, body.address


def _too_many(exc: TooManyRequests) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS, str(exc), headers={"Retry-After": str(exc.retry_after)}
    )


@public_router.get("/config", response_model=PortalConfig)
def portal_config() -> PortalConfig:
    return PortalConfig(wechat=wechat_login().enabled)


@public_router.get("/links/{token}", response_model=LinkRead)
def link(token: str, request: Request) -> LinkRead:
    """What the personal link's landing page shows before login: the court and masked addresses."""
    with database.get_session() as db_session:
        now = utcnow()
        with service_errors():
            notice = sessions.notice_for_link(db_session=db_session, token=token, now=now)
            options = login_flows.link_addresses(db_session=db_session, token=token, now=now)
        audit(
            db_session,
            request,
            "portal_link_opened",
            who="链接",
            object_type="electronic_notice",
            object_id=notice.id,
        )
        court = db_session.get_one(DeliveryAttempt, notice.attempt_id).delivery.case.court.name
        return LinkRead(
            court=court,
            options=[
                LinkOption(choice=index, kind=kind, label=login_flows.masked(kind, address))
                for index, (kind, address) in enumerate(options)
            ],
            wechat=wechat_login().enabled,
        )


@public_router.post("/codes", response_model=Message, status_code=status.HTTP_202_ACCEPTED)
def send_code(body: CodeRequest, request: Request) -> Message:
    """Send a one-time code; the answer is the same whether or not the number or address is on file."""
    with database.get_session() as db_session:
        now = utcnow()
        with service_errors():
            kind, address = _address(db_session, body, now)
            try:
                login_flows.send_code(
                    db_session=db_session, kind=kind, address=address, client_ip=ip_of(request), now=now
                )
            except TooManyRequests as exc:
                audit(
                    db_session,
                    request,
                    "portal_code_refused",
                    who=login_flows.masked(kind, address),
                    reason=str(exc),
                )
                db_session.commit()
                raise _too_many(exc) from exc
        audit(db_session, request, "portal_code_requested", who=login_flows.masked(kind, address))
        return Message(message=CODE_SENT)


def _refuse_login(db_session: Session, request: Request, label: str, check: CodeCheck) -> HTTPException:
    audit(db_session, request, "portal_login_failed", who=label, reason=check.message, locked=check.locked)
    db_session.commit()  # the wrong try counts, though the answer is an error
    code = status.HTTP_429_TOO_MANY_REQUESTS if check.locked else status.HTTP_400_BAD_REQUEST
    return HTTPException(code, check.message)


@public_router.post("/login", response_model=MeRead)
def log_in(body: LoginRequest, request: Request, response: Response) -> MeRead:
    """Check the code and open the party's session (binding a pending WeChat login to the mobile)."""
    with database.get_session() as db_session:
        now = utcnow()
        pending = wechat_views.pending_profile(request, now)
        with service_errors():
            kind, address = _address(db_session, body, now)
            label = login_flows.masked(kind, address)
            try:
                result = login_flows.log_in(
                    db_session=db_session,
                    kind=kind,
                    address=address,
                    code=body.code,
                    client_ip=ip_of(request),
                    user_agent=device_of(request),
                    now=now,
                    wechat=pending,
                )
            except TooManyRequests as exc:
                audit(db_session, request, "portal_login_refused", who=label, reason=str(exc))
                db_session.commit()
                raise _too_many(exc) from exc
        if isinstance(result, CodeCheck):
            raise _refuse_login(db_session, request, label, result)
        session, raw = result
        set_session_cookie(response, raw)
        if pending is not None:
            response.delete_cookie(wechat_views.PENDING_COOKIE, path="/api/portal")
        audit(
            db_session,
            request,
            "portal_login",
            who=label,
            object_type="portal_session",
            object_id=session.id,
            wechat_bound=pending is not None,
        )
        return _me(db_session, request, session, audited=False)


@party_router.post("/logout", response_model=Message)
def log_out(token: PartyToken, request: Request, response: Response) -> Message:
    with database.get_session() as db_session:
        session = party_session(db_session, token)
        sessions.end_session(session=session, now=utcnow())
        clear_session_cookie(response)
        audit(
            db_session,
            request,
            "portal_logout",
            who=who(session),
            object_type="portal_session",
            object_id=session.id,
        )
        return Message(message="已退出")


def _delivery_read(db_session: Session, delivery: Delivery) -> DeliveryRead:
    attempt = sessions.electronic_attempt(delivery)
    facts = recorded_facts(db_session=db_session, attempt_id=attempt.id) if attempt else {}
    viewed = flows.viewed_documents(db_session=db_session, delivery=delivery)
    papers = db_session.query(PaperRequest.id).filter(PaperRequest.delivery_id == delivery.id).first()
    return DeliveryRead(
        id=delivery.id,
        case_number=delivery.case.case_number,
        court=delivery.case.court.name,
        party_name=delivery.party.name,
        documents=[
            DocumentRead(id=doc.id, name=doc.name, kind=doc.kind.value, viewed=doc.id in viewed)
            for doc in delivery.documents
        ],
        status_label=DELIVERY_STATUS_LABELS[delivery.status],
        served_on=attempt.legal_service_date if attempt else None,
        signed="signed_at" in facts,
        can_sign=attempt is not None and attempt.status is AttemptStatus.in_progress,
        paper_requested=papers is not None,
    )


def _me(db_session: Session, request: Request, session: PortalSession, *, audited: bool = True) -> MeRead:
    deliveries = sessions.visible_deliveries(db_session=db_session, session=session)
    if audited:
        audit(
            db_session,
            request,
            "portal_deliveries_listed",
            who=who(session),
            object_type="portal_session",
            object_id=session.id,
            deliveries=[delivery.id for delivery in deliveries],
        )
    return MeRead(
        login=who(session),
        parties=sorted({delivery.party.name for delivery in deliveries}),
        deliveries=[_delivery_read(db_session, delivery) for delivery in deliveries],
    )


@party_router.get("/me", response_model=MeRead)
def me(token: PartyToken, request: Request) -> MeRead:
    """The party's deliveries sent electronically, with their documents."""
    with database.get_session() as db_session:
        session = party_session(db_session, token)
        return _me(db_session, request, session)


def _delivery(db_session: Session, session: PortalSession, delivery_id: int) -> Delivery:
    with service_errors():
        return sessions.visible_delivery(db_session=db_session, session=session, delivery_id=delivery_id)


@party_router.get("/deliveries/{delivery_id}/documents/{document_id}/file", response_class=FileResponse)
def document_file(
    delivery_id: int, document_id: int, token: PartyToken, request: Request
) -> FileResponse:
    """The document itself (only to its party); each fetch is a logged view."""
    with database.get_session() as db_session:
        session = party_session(db_session, token)
        with service_errors():
            delivery, document = sessions.visible_document(
                db_session=db_session, session=session, delivery_id=delivery_id, document_id=document_id
            )
            path = stored_path(document)
            if path is None:
                raise NotVisible("文书文件")
        view = flows.open_document(
            db_session=db_session,
            session=session,
            delivery=delivery,
            document=document,
            client_ip=ip_of(request),
            user_agent=device_of(request),
            now=utcnow(),
        )
        audit(
            db_session,
            request,
            "portal_document_opened",
            who=who(session),
            case_id=delivery.case_id,
            object_type="document",
            object_id=document.id,
            view_id=view.id,
            sha256=document.sha256,
        )
        return FileResponse(
            path, media_type=document.content_type or "application/pdf", headers={"Cache-Control": "no-store"}
        )


@party_router.post("/deliveries/{delivery_id}/documents/{document_id}/pages", response_model=Message)
def pages_viewed(
    delivery_id: int,
    document_id: int,
    body: PagesViewed,
    token: PartyToken,
    request: Request,
) -> Message:
    """Pages the party's screen showed of the document they opened last."""
    with database.get_session() as db_session:
        session = party_session(db_session, token)
        with service_errors():
            delivery, document = sessions.visible_document(
                db_session=db_session, session=session, delivery_id=delivery_id, document_id=document_id
            )
            view = (
                db_session.query(DocumentView)
                .filter(DocumentView.session_id == session.id, DocumentView.document_id == document.id)
                .order_by(DocumentView.id.desc())
                .with_for_update()
                .first()
            )
            if view is None:
                raise NotVisible("查阅记录")
            flows.record_pages(
                db_session=db_session,
                view=view,
                pages=body.pages,
                page_count=body.page_count,
                delivery=delivery,
            )
        audit(
            db_session,
            request,
            "portal_pages_viewed",
            who=who(session),
            case_id=delivery.case_id,
            object_type="document",
            object_id=document.id,
            pages=body.pages,
        )
        return Message(message="已记录")


@party_router.post("/deliveries/{delivery_id}/sign", response_model=SignedRead)
def sign(delivery_id: int, body: SignatureCapture, token: PartyToken, request: Request) -> SignedRead:
    """The party signs the 送达回证 on screen: the delivery is served (legal date: the first view)."""
    with database.get_session() as db_session:
        session = party_session(db_session, token)
        delivery = _delivery(db_session, session, delivery_id)
        with service_errors():
            attempt, code = flows.sign_receipt(
                db_session=db_session,
                delivery=delivery,
                capture=body,
                client_ip=ip_of(request),
                user_agent=device_of(request),
                now=utcnow(),
            )
        audit(
            db_session,
            request,
            "portal_signed",
            who=who(session),
            case_id=delivery.case_id,
            object_type="delivery_attempt",
            object_id=attempt.id,
        )
        return SignedRead(
            confirmation_code=code,
            served_on=attempt.legal_service_date,
            message=f"签收成功，确认码 {code}，请妥善保存",
        )


@party_router.post("/deliveries/{delivery_id}/paper", response_model=PaperRead)
def paper(delivery_id: int, body: PaperCreate, token: PartyToken, request: Request) -> PaperRead:
    """The party asks for paper copies (by post or at the court)."""
    with database.get_session() as db_session:
        session = party_session(db_session, token)
        delivery = _delivery(db_session, session, delivery_id)
        with service_errors():
            request_row = flows.request_paper(
                db_session=db_session,
                delivery=delivery,
                way=body.way,
                postal_address=body.postal_address,
                client_ip=ip_of(request),
                user_agent=device_of(request),
                now=utcnow(),
            )
        audit(
            db_session,
            request,
            "portal_paper_requested",
            who=who(session),
            case_id=delivery.case_id,
            object_type="delivery",
            object_id=delivery.id,
            way=body.way,
        )
        return PaperRead(
            id=request_row.id,
            way=request_row.way,
            requested_at=request_row.requested_at,
            message="已收到您的纸质文书申请，法院将尽快安排",
        )


@party_router.post("/deliveries/{delivery_id}/address-confirmation", response_model=AddressConfirmationRead)
def address_confirmation(
    delivery_id: int,
    body: AddressConfirmationCreate,
    token: PartyToken,
    request: Request,
) -> AddressConfirmationRead:
    """The online 送达地址确认书: the party's addresses (and consent) for later deliveries, signed."""
    with database.get_session() as db_session:
        session = party_session(db_session, token)
        delivery = _delivery(db_session, session, delivery_id)
        confirmed = ConfirmedAddresses(
            postal_address=(body.postal_address or "").strip() or None,
            mobile=(body.mobile or "").strip() or None,
            email=(body.email or "").strip() or None,
            consents_to_electronic=body.consents_to_electronic,
        )
        with service_errors():
            if confirmed.mobile:
                login_flows.clean_address(ContactKind.phone, confirmed.mobile)
            if confirmed.email:
                login_flows.clean_address(ContactKind.email, confirmed.email)
            confirmation = flows.confirm_addresses(
                db_session=db_session,
                delivery=delivery,
                confirmed=confirmed,
                capture=SignatureCapture(strokes=body.strokes, png_data_url=body.png_data_url),
                client_ip=ip_of(request),
                user_agent=device_of(request),
                now=utcnow(),
            )
        audit(
            db_session,
            request,
            "portal_address_confirmed",
            who=who(session),
            case_id=delivery.case_id,
            object_type="address_confirmation",
            object_id=confirmation.id,
        )
        return AddressConfirmationRead(
            id=confirmation.id, text=confirmed.text(), message="送达地址确认书已提交"
        )


routers = [public_router, wechat_views.router, party_router]
