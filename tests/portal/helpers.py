"""Reading what the portal sent: the login code in the outbox (as the party's phone would show it)."""

import re

from sqlalchemy import select

from backend import database
from backend.messaging.models import SmsOutbox
from backend.portal.login_flows import LOGIN_CODE


def last_code(address: str) -> str:
    """The code in the latest login message to ADDRESS."""
    with database.get_session() as session:
        message = session.scalars(
            select(SmsOutbox)
            .where(SmsOutbox.to_number == address, SmsOutbox.purpose == LOGIN_CODE)
            .order_by(SmsOutbox.id.desc())
        ).first()
        assert message is not None, f"no login code was sent to {address}"
        found = re.search(r"验证码为(\d{6})", message.text)
        assert found is not None, message.text
        return found.group(1)


def codes_sent(address: str) -> int:
    with database.get_session() as session:
        query = select(SmsOutbox.id).where(SmsOutbox.to_number == address, SmsOutbox.purpose == LOGIN_CODE)
        return len(session.scalars(query).all())
