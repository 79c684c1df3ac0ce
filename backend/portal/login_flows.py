"""Logging a party in: a one-time code sent through the messaging outbox to a number or address on file
(the court's wording, filed under the party's latest electronic delivery), checked, and a portal session
opened for the parties on file with it; a WeChat openid is bound to a mobile number only once its owner
proved the number with an SMS code."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.core.errors import InvalidRequest, NotVisible
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.electronic.models import ElectronicNotice
from backend.messaging import service as messaging
from backend.parties import contacts
from backend.parties.enums import ContactKind, ContactState
from backend.parties.models import ContactPoint
from backend.portal import codes, sessions
from backend.portal.codes import CodeCheck
from backend.portal.gateway.base import WechatProfile
from backend.portal.models import PortalSession, WechatBinding

LOGIN_CODE = "portal_login_code"


def clean_address(kind: ContactKind, address: str) -> str:
    """The comparable form of what the party typed; InvalidRequest when it is not a mobile or e-mail."""
    value = contacts.normalise(kind, address)
    if kind is ContactKind.phone and not (len(value) == 11 and value.startswith("1")):
        raise InvalidRequest("请输入11位手机号码")
    if kind is ContactKind.email and ("@" not in value or len(value) > 200):
        raise InvalidRequest("请输入正确的电子邮箱")
    if kind not in (ContactKind.phone, ContactKind.email):
        raise InvalidRequest("只能通过手机号码或电子邮箱登录")
    return value


def masked(kind: ContactKind, address: str) -> str:
    """138****5678, or z***@example.com: enough for the party to recognise, nothing more."""
    if kind is ContactKind.phone:
        return f"{address[:3]}****{address[-4:]}" if len(address) >= 7 else "****"
    name, _, domain = address.partition("@")
    return f"{name[:1]}***@{domain}"


def _latest_delivery(db_session: Session, party_ids: list[int]) -> Delivery | None:
    query = (
        select(Delivery)
        .join(DeliveryAttempt, DeliveryAttempt.delivery_id == Delivery.id)
        .join(ElectronicNotice, ElectronicNotice.attempt_id == DeliveryAttempt.id)
        .where(Delivery.party_id.in_(party_ids))
        .order_by(ElectronicNotice.id.desc())
        .limit(1)
    )
    return db_session.scalars(query).first()


def send_code(*, db_session: Session, kind: ContactKind, address: str, client_ip: str, now: datetime) -> None:
    """Make a code for ADDRESS and send it there if it is on file; the caller answers the same either way."""
    address = clean_address(kind, address)
    code = codes.issue_code(db_session=db_session, kind=kind, address=address, client_ip=client_ip, now=now)
    party_ids = sessions.parties_at(db_session=db_session, kind=kind, address=address)
    delivery = _latest_delivery(db_session, party_ids) if party_ids else None
    if delivery is None:
        return
    court = delivery.case.court.name
    minutes = get_settings().portal_code_minutes
    text = f"【{court}】您的文书查阅登录验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略。"
    if kind is ContactKind.email:
        messaging.queue_email(
            db_session=db_session,
            actor=None,
            delivery=delivery,
            to_address=address,
            subject=f"{court}电子送达平台登录验证码",
            text=text,
            purpose=LOGIN_CODE,
        )
    else:
        messaging.queue_sms(
            db_session=db_session,
            actor=None,
            delivery=delivery,
            to_number=address,
            text=text,
            purpose=LOGIN_CODE,
        )


def link_addresses(*, db_session: Session, token: str, now: datetime) -> list[tuple[ContactKind, str]]:
    """Where a code may go for the party a personal link names: their usable mobiles and e-mails,
    the one the link was sent to first."""
    notice = sessions.notice_for_link(db_session=db_session, token=token, now=now)
    attempt = db_session.get_one(DeliveryAttempt, notice.attempt_id)
    points = db_session.scalars(
        select(ContactPoint)
        .where(
            ContactPoint.party_id == attempt.delivery.party_id,
            ContactPoint.kind.in_([ContactKind.phone, ContactKind.email]),
            ContactPoint.state != ContactState.invalid,
        )
        .order_by(ContactPoint.id)
    )
    found = [(point.kind, contacts.normalise(point.kind, point.value)) for point in points]
    return sorted(dict.fromkeys(found), key=lambda item: item[1] != notice.address)


def link_address(*, db_session: Session, token: str, choice: int, now: datetime) -> tuple[ContactKind, str]:
    options = link_addresses(db_session=db_session, token=token, now=now)
    if not 0 <= choice < len(options):
        raise NotVisible("接收验证码的号码")
    return options[choice]


def log_in(
    *,
    db_session: Session,
    kind: ContactKind,
    address: str,
    code: str,
    client_ip: str,
    user_agent: str,
    now: datetime,
    wechat: WechatProfile | None = None,
) -> tuple[PortalSession, str] | CodeCheck:
    """A session when CODE is right (binding WECHAT to the number, if given); else the refusal to show."""
    address = clean_address(kind, address)
    check = codes.check_code(db_session=db_session, address=address, code=code, now=now)
    if not check.accepted:
        return check
    party_ids = sessions.parties_at(db_session=db_session, kind=kind, address=address)
    if not party_ids:
        return CodeCheck(False, "没有发送到该号码或邮箱的送达文书")
    if wechat is not None and kind is ContactKind.phone:
        bind_wechat(db_session=db_session, profile=wechat, mobile=address, now=now)
    return sessions.open_session(
        db_session=db_session,
        kind=kind,
        address=address,
        party_ids=party_ids,
        client_ip=client_ip,
        user_agent=user_agent,
        now=now,
        wechat_openid=wechat.openid if wechat else None,
    )


def bind_wechat(*, db_session: Session, profile: WechatProfile, mobile: str, now: datetime) -> WechatBinding:
    binding = db_session.scalar(select(WechatBinding).where(WechatBinding.openid == profile.openid))
    if binding is None:
        binding = WechatBinding(openid=profile.openid, mobile=mobile, bound_at=now)
        db_session.add(binding)
    binding.mobile, binding.unionid, binding.nickname = mobile, profile.unionid, profile.nickname
    binding.bound_at = now
    db_session.flush()
    return binding


def wechat_session(
    *, db_session: Session, profile: WechatProfile, client_ip: str, user_agent: str, now: datetime
) -> tuple[PortalSession, str] | None:
    """A session for a WeChat user already bound to a mobile with documents; None: an SMS code must bind."""
    binding = db_session.scalar(select(WechatBinding).where(WechatBinding.openid == profile.openid))
    if binding is None:
        return None
    party_ids = sessions.parties_at(db_session=db_session, kind=ContactKind.phone, address=binding.mobile)
    if not party_ids:
        return None
    return sessions.open_session(
        db_session=db_session,
        kind=ContactKind.phone,
        address=binding.mobile,
        party_ids=party_ids,
        client_ip=client_ip,
        user_agent=user_agent,
        now=now,
        wechat_openid=profile.openid,
    )
