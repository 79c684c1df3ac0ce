"""The desk on the real Asterisk: an agent takes a task and calls from the desk (idempotently), a
supervisor listens in through ChanSpy and hears the call, presence follows the call, the disposition
closes it with the recordings on file."""

import uuid
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.calls import service as call_service
from backend.calls.enums import RecordingStatus
from telephony.softphone import AgentSoftphone
from tests.conftest import TEST_PASSWORD
from tests.desk.live import LiveSocket, desk_socket
from tests.desk.world import add_delivery
from tests.polling import poll_until
from tests.telephony.audio_checks import file_rms
from tests.telephony.calls.conftest import settings_env
from tests.telephony.conftest import AsteriskUnderTest, asterisk, softphone  # noqa: F401 - fixtures

pytestmark = [pytest.mark.asterisk, pytest.mark.slow]
AGENT_EXTENSION, SUPERVISOR_EXTENSION = "1009", "1010"  # used by no other test
HEARD_RMS = 200  # silence on the spy leg stays far below this
CALL_STEP = 20.0  # seconds: pyVoIP answers after 1 s, and the machine is shared


@pytest.fixture()
def desk_on_asterisk(asterisk: AsteriskUnderTest, db: Engine) -> Iterator[TestClient]:  # noqa: F811
    from backend.app import create_app

    env = {
        "SONGDA_TELEPHONY_ENABLED": "true",
        "SONGDA_AMI_PORT": str(asterisk.settings.ami_port),
        "SONGDA_AGENT_ANSWER_SECONDS": "15",  # pyVoIP answers slowly when the shared machine is busy
        "SONGDA_EVENT_BUS_URL": "memory://",
    }
    with settings_env(**env), TestClient(create_app()) as client:
        runtime = client.app.state.telephony  # type: ignore[attr-defined]
        poll_until(lambda: runtime.control.ami.is_up, timeout=10, what="call control never reached AMI")
        yield client


def _login(client: TestClient, user: User) -> dict[str, str]:
    response = client.post("/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _token(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def _wait_recording(call_id: str) -> RecordingStatus:
    def filed() -> RecordingStatus | None:
        with database.get_session() as session:
            record = call_service.get_call(db_session=session, call_id=call_id)
            assert record is not None
            if record.recording_status not in (RecordingStatus.pending, RecordingStatus.recording):
                return record.recording_status
            return None

    return poll_until(filed, timeout=30, what="the recordings were never filed", interval=0.2)


def _placed_for(call_id: str) -> tuple[int, int, int]:
    """Who placed the call and for what, as its CallOriginated says (the record says the same)."""
    with database.get_session() as session:
        record = call_service.get_call(db_session=session, call_id=call_id)
        assert record is not None
        originated = record.event_log[0]
        assert originated["type"] == "CallOriginated"
        assert originated["agent_user_id"] == record.agent_user_id
        assert originated["attempt_id"] == record.delivery_attempt_id
        return originated["agent_user_id"], originated["delivery_id"], originated["attempt_id"]


def test_a_desk_call_with_a_supervisor_listening_in(
    desk_on_asterisk: TestClient,
    softphone: Callable[..., AgentSoftphone],  # noqa: F811
    make_user: Callable[..., User],
) -> None:
    client = desk_on_asterisk
    agent_phone, supervisor_phone = softphone(AGENT_EXTENSION), softphone(SUPERVISOR_EXTENSION)
    made = add_delivery(addresses=("北京市西城区金融大街 27 号",))
    agent_user = make_user(Role.agent, sip_extension=AGENT_EXTENSION)
    agent = _login(client, agent_user)
    supervisor = _login(client, make_user(Role.supervisor, sip_extension=SUPERVISOR_EXTENSION))

    with (
        desk_socket(client, _token(agent), "me") as agent_ws,
        desk_socket(client, _token(supervisor), "calls") as wall_ws,
    ):
        desk, wall = LiveSocket(agent_ws), LiveSocket(wall_ws)
        desk.snapshot("me")
        wall.snapshot("calls")
        client.post("/api/desk/presence", json={"state": "available"}, headers=agent)
        client.post("/api/desk/next", headers=agent)
        key = {"Idempotency-Key": uuid.uuid4().hex}
        body = {"contact_point_id": made.phone_ids[0]}
        placed = client.post(f"/api/desk/tasks/{made.delivery_id}/call", json=body, headers={**agent, **key})
        assert placed.status_code == 200, placed.text
        call_id = placed.json()["call_id"]
        again = client.post(f"/api/desk/tasks/{made.delivery_id}/call", json=body, headers={**agent, **key})
        assert again.json() == {**placed.json(), "created": False}  # a retried click places no second call

        talking = ("talking",)
        wall.event("calls", lambda d: d["call_id"] == call_id and d["state"] in talking, timeout=CALL_STEP)
        on_call = desk.event("me", lambda d: d["kind"] == "presence" and d["presence"]["state"] == "on_call")
        assert on_call["data"]["presence"]["call_id"] == call_id

        listen = client.post(f"/api/wall/calls/{call_id}/listen", json={"whisper": False}, headers=supervisor)
        assert listen.status_code == 200, listen.text
        assert supervisor_phone.answered.wait(15), "the supervisor's phone never answered the listen-in"

        ended = wall.event("calls", lambda d: d["call_id"] == call_id and d["state"] == "ended", timeout=30)
        assert ended["data"]["outcome"] == "answered"
        assert desk.event("me", lambda d: d["kind"] == "presence" and d["presence"]["state"] == "wrap_up")

        assert agent_phone.ended.wait(40) and supervisor_phone.ended.wait(40)
        assert file_rms(supervisor_phone.received_audio_path) > HEARD_RMS  # the supervisor heard the call

        address = {"kind": "postal", "address": "北京市西城区金融大街 27 号"}
        result = client.post(f"/api/desk/tasks/{made.delivery_id}/disposition", json=address, headers=agent)
        assert result.status_code == 200, result.text
        assert result.json()["presence"]["state"] == "available"
        assert _wait_recording(call_id) is RecordingStatus.complete
        assert _placed_for(call_id)[:2] == (agent_user.id, made.delivery_id)
