"""`songda demo`: seed a few hundred realistic cases with parties, PDFs, deliveries, attempts and staff.

Idempotent: when demo cases are already there nothing is added (pass reset=True to replace them).
"""

import random
import time
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.cases.models import Case
from backend.config import get_settings
from backend.core.clock import BEIJING
from backend.courts.models import Court
from backend.database import utcnow
from backend.demo import mail as demo_mail
from backend.demo import users as demo_users
from backend.demo import windows as demo_windows
from backend.demo.plan import CasePlan, CasePlanner
from backend.demo.proof_writer import ProofWriter
from backend.demo.reset import demo_present, remove_demo
from backend.demo.stories import Storyteller
from backend.demo.writer import DemoWriter, WrittenCounts


@dataclass
class SeedReport:
    skipped: bool
    written: WrittenCounts
    users_created: list[str] = field(default_factory=list)
    removed_cases: int = 0
    seconds: float = 0.0


def ensure_court(*, db_session: Session) -> Court:
    """The installation's default court, created if missing."""
    settings = get_settings()
    court = db_session.scalar(select(Court).where(Court.code == settings.default_court_code))
    if court is None:
        court = Court(code=settings.default_court_code, name=settings.default_court_name)
        db_session.add(court)
        db_session.flush()
    return court


def plan_demo(
    *, rng: random.Random, court: Court, count: int, now: datetime, taken: set[str]
) -> list[CasePlan]:
    """The demo cases in memory, each delivery with its story told."""
    plans = CasePlanner(rng, now=now, court_code=court.code, taken=taken).plan(count)
    storyteller = Storyteller(rng, now=now)
    for plan in plans:
        for delivery in plan.deliveries:
            storyteller.tell(plan, delivery)
    return plans


def seed_demo(
    *,
    db_session: Session,
    cases: int = 300,
    seed: int = 2026,
    reset: bool = False,
    now: datetime | None = None,
) -> SeedReport:
    """Seed CASES demo cases (random with SEED) unless demo data is already present."""
    started = time.perf_counter()
    settings = get_settings()
    settings.ensure_dirs()
    court = ensure_court(db_session=db_session)
    removed = remove_demo(db_session=db_session, documents_dir=settings.documents_dir) if reset else 0
    created_users = demo_users.ensure_users(db_session=db_session, court_id=court.id)
    moment = now or utcnow()
    demo_windows.ensure_windows(db_session=db_session, court=court, today=moment.astimezone(BEIJING).date())
    if demo_present(db_session=db_session):
        return SeedReport(True, WrittenCounts(), created_users, removed, time.perf_counter() - started)
    taken = set(db_session.scalars(select(Case.case_number).where(Case.court_id == court.id)))
    plans = plan_demo(rng=random.Random(seed), court=court, count=cases, now=moment, taken=taken)
    proofs = ProofWriter(
        db_session,
        rng=random.Random(f"{seed}:proofs"),
        court_name=court.name,
        performers=demo_users.performer_labels(db_session=db_session),
    )
    writer = DemoWriter(
        db_session,
        court=court,
        users=demo_users.user_ids(db_session=db_session),
        documents_dir=settings.documents_dir,
        now=moment,
        proofs=proofs,
    )
    written = writer.write(plans)
    booker = db_session.scalars(select(User).where(User.username == "supervisor")).one()
    demo_windows.book_today(
        db_session=db_session, court=court, today=moment.astimezone(BEIJING).date(), booker=booker, now=moment
    )
    clerk = db_session.scalars(select(User).where(User.username == "clerk1")).one()
    demo_mail.ensure_mail(db_session=db_session, court=court, clerk=clerk, now=moment)
    return SeedReport(False, written, created_users, removed, time.perf_counter() - started)


def report_lines(report: SeedReport) -> list[str]:
    """What `songda demo` prints: what was written, and how to log in."""
    written = report.written
    lines = [f"已删除演示案件 {report.removed_cases} 件"] if report.removed_cases else []
    if report.skipped:
        lines.append("演示数据已存在，未重复生成（使用 --reset 重新生成）")
    else:
        lines.append(
            f"已生成演示数据（{report.seconds:.1f} 秒）：案件 {written.cases}，当事人 {written.parties}，"
            f"联系方式 {written.contact_points}，文书 {written.documents}，送达任务 {written.deliveries}，"
            f"送达尝试 {written.attempts}，证据 {written.evidence}"
        )
    if report.users_created:
        lines.append(f"新建用户：{'、'.join(report.users_created)}")
    lines.append(f"演示用户（密码均为 {demo_users.DEMO_PASSWORD}）：")
    lines += [f"  {user.username:<11}{demo_users.describe(user)}" for user in demo_users.DEMO_USERS]
    return lines
