"""Demo staff: one user per role, with a known password printed by `songda demo`."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth import service as auth_service
from backend.auth.models import User
from backend.auth.roles import ROLE_LABELS, Role

DEMO_PASSWORD = "songda-demo-2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    agent_group: str | None = None
    sip_extension: str | None = None
    at_court: bool = False


def describe(demo: DemoUser) -> str:
    """姓名、角色、组别与分机, as `songda demo` lists the user."""
    extras = [demo.agent_group or "", f"分机 {demo.sip_extension}" if demo.sip_extension else ""]
    return " ".join([demo.full_name, ROLE_LABELS[demo.role], *filter(None, extras)])


DEMO_USERS = (
    DemoUser("admin", "系统管理员", Role.admin),
    DemoUser("supervisor", "周敏", Role.supervisor),
    DemoUser("agent1", "李娜", Role.agent, agent_group="商事组", sip_extension="1001"),
    DemoUser("agent2", "王磊", Role.agent, agent_group="民事组", sip_extension="1002"),
    DemoUser("agent3", "张静", Role.agent, agent_group="民事组", sip_extension="1003"),
    DemoUser("field1", "刘强", Role.field_officer, agent_group="外勤组"),
    DemoUser("clerk1", "陈晓", Role.clerk, at_court=True),
)


def _free_extension(db_session: Session, extension: str | None) -> str | None:
    if extension is None:
        return None
    taken = db_session.scalar(select(User.id).where(User.sip_extension == extension))
    return None if taken is not None else extension


def ensure_users(*, db_session: Session, court_id: int) -> list[str]:
    """Create the demo users that do not exist yet; returns the usernames created."""
    existing = set(db_session.scalars(select(User.username)))
    created = []
    for demo in DEMO_USERS:
        if demo.username in existing:
            continue
        auth_service.create_user(
            db_session=db_session,
            username=demo.username,
            full_name=demo.full_name,
            role=demo.role,
            password=DEMO_PASSWORD,
            court_id=court_id if demo.at_court else None,
            agent_group=demo.agent_group,
            sip_extension=_free_extension(db_session, demo.sip_extension),
        )
        created.append(demo.username)
    return created


def user_ids(*, db_session: Session) -> dict[str, int]:
    names = [demo.username for demo in DEMO_USERS]
    return dict(db_session.execute(select(User.username, User.id).where(User.username.in_(names))).all())


def performer_labels(*, db_session: Session) -> dict[str, str]:
    """Username -> how a proof names the demo user who performed an attempt: 李娜（agent1）."""
    names = [demo.username for demo in DEMO_USERS]
    rows = db_session.execute(select(User.username, User.full_name).where(User.username.in_(names)))
    return {username: f"{full_name}（{username}）" for username, full_name in rows}
