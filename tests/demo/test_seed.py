"""`songda demo`: its users log in, it is idempotent, the CLI works, and 300 cases take seconds."""

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from backend import database
from backend.auth.models import User
from backend.cases.models import Case
from backend.cli import app
from backend.deliveries.models import Delivery
from backend.demo.seed import SeedReport, seed_demo
from backend.demo.users import DEMO_PASSWORD, DEMO_USERS
from backend.documents.models import Document
from backend.parties.models import Party

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def _seed(cases: int = 60, *, seed: int = 7, reset: bool = False) -> SeedReport:
    with database.get_session() as session:
        return seed_demo(db_session=session, cases=cases, seed=seed, reset=reset, now=NOW)


def _count(db_session: Session, model: type) -> int:
    return db_session.scalar(select(func.count()).select_from(model)) or 0


def test_every_demo_user_logs_in_and_sees_their_scope(
    db: Engine, db_session: Session, client: TestClient
) -> None:
    _seed(20)
    for demo in DEMO_USERS:
        response = client.post("/api/auth/login", json={"username": demo.username, "password": DEMO_PASSWORD})
        assert response.status_code == 200, demo.username
    agents = {user.username: user for user in db_session.scalars(select(User))}
    assert [agents[f"agent{n}"].sip_extension for n in (1, 2, 3)] == ["1001", "1002", "1003"]
    assert agents["clerk1"].court_id is not None
    token = client.post("/api/auth/login", json={"username": "agent1", "password": DEMO_PASSWORD}).json()[
        "token"
    ]
    page = client.get(
        "/api/cases", params={"page_size": 200}, headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert page["total"] > 0
    assert {item["case_type"] for item in page["items"]} == {"commercial"}  # 商事组


def test_running_twice_adds_nothing_and_reset_replaces(db: Engine, db_session: Session) -> None:
    first = _seed(15)
    counts = [_count(db_session, model) for model in (Case, Party, Document, Delivery, User)]
    second = _seed(15)
    assert second.skipped and second.users_created == []
    assert [_count(db_session, model) for model in (Case, Party, Document, Delivery, User)] == counts
    old_numbers = set(db_session.scalars(select(Case.case_number)))
    third = _seed(15, reset=True)
    assert third.removed_cases == 15 and third.written == first.written
    assert set(db_session.scalars(select(Case.case_number))) == old_numbers  # same seed, same data
    assert [_count(db_session, model) for model in (Case, Party, Document, Delivery, User)] == counts


def test_cli_demo_command(db: Engine) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["demo", "--cases", "12", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "案件 12" in result.output and DEMO_PASSWORD in result.output
    again = runner.invoke(app, ["demo", "--cases", "12"])
    assert again.exit_code == 0 and "未重复生成" in again.output


@pytest.mark.slow
def test_three_hundred_cases_are_seeded_whole(db: Engine, db_session: Session) -> None:
    # Its time (about 14-19 s on SQLite, 20-27 s on PostgreSQL on two busy cores) is printed by
    # `songda demo`; a test asserts behaviour, not speed.
    report = _seed(300, seed=2026)
    assert report.written.cases == 300 and _count(db_session, Case) == 300
