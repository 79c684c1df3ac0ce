"""A task card shows the fields the import marked 待核实 (issue 13): an ID number with a wrong check digit,
a past 送达期限, an unreadable 开庭时间 stay visible to the agent who serves the party."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session as DbSession

from backend.auth.roles import Role
from backend.cases.models import Case
from backend.parties.models import Party
from tests.desk.conftest import Session
from tests.desk.world import add_delivery


def test_the_card_carries_the_parties_and_cases_unverified_fields(
    desk_client: TestClient, sign_in: Callable[..., Session], db_session: DbSession
) -> None:
    made = add_delivery()
    party = db_session.get_one(Party, made.party_id)
    party.unverified_fields = {"id_number": "身份证号码校验位不正确，已按原样导入并标记为待核实，请核对号码"}
    db_session.get_one(Case, made.case_id).unverified_fields = {"hearing_at": "时间「下周一」无法识别"}
    db_session.commit()
    agent = sign_in(Role.agent)
    desk_client.post("/api/desk/presence", json={"state": "available"}, headers=agent.headers)
    card = desk_client.post("/api/desk/next", headers=agent.headers).json()
    assert card["delivery"]["id"] == made.delivery_id, card
    assert "校验位" in card["party"]["unverified_fields"]["id_number"]
    assert card["case"]["unverified_fields"] == {"hearing_at": "时间「下周一」无法识别"}
