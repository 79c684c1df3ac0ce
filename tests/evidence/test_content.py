"""Streaming evidence: byte ranges on a real WAV recording, access by case, an audit row for every read."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import database
from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.auth.roles import Role
from backend.evidence.enums import EvidenceKind
from tests.conftest import TEST_PASSWORD
from tests.evidence.conftest import SAMPLES, RecordedCall

WAV = (SAMPLES / "thchs30_test_01.wav").read_bytes()
SIZE = len(WAV)


def _url(served: RecordedCall) -> str:
    return f"/api/evidence/{served.item_ids[EvidenceKind.recording_mix]}/content"


def _headers_for(client: TestClient, user: User) -> dict[str, str]:
    response = client.post("/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _read_audits() -> list[AuditLog]:
    with database.get_session() as session:
        query = select(AuditLog).where(AuditLog.action.startswith("evidence_")).order_by(AuditLog.id)
        return list(session.scalars(query))


def test_whole_file_is_served_with_range_support(
    recorded_call: RecordedCall, client: TestClient, login: Callable[..., dict[str, str]]
) -> None:
    response = client.get(_url(recorded_call), headers=login(Role.supervisor))
    assert response.status_code == 200
    assert response.content == WAV
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-length"] == str(SIZE)
    assert response.headers["content-type"] == "audio/wav"
    assert "content-range" not in response.headers


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-43", 0, 43),  # the RIFF/WAVE header
        ("bytes=-1000", SIZE - 1000, SIZE - 1),  # suffix: the last 1000 bytes
        ("bytes=100000-", 100000, SIZE - 1),  # open-ended: seeking in an <audio> player
        (f"bytes=5000-{SIZE + 500}", 5000, SIZE - 1),  # a last byte past the end is clipped
        (f"bytes=-{SIZE + 10}", 0, SIZE - 1),  # a suffix longer than the file is the whole file
    ],
)
def test_byte_ranges_answer_206_with_exact_headers(
    header: str,
    first: int,
    last: int,
    recorded_call: RecordedCall,
    client: TestClient,
    login: Callable[..., dict[str, str]],
) -> None:
    response = client.get(_url(recorded_call), headers={**login(Role.admin), "Range": header})
    assert response.status_code == 206
    assert response.content == WAV[first : last + 1]
    assert response.headers["content-range"] == f"bytes {first}-{last}/{SIZE}"
    assert response.headers["content-length"] == str(last - first + 1)
    assert response.headers["accept-ranges"] == "bytes"
    if first == 0 and last == 43:
        assert response.content[:4] == b"RIFF" and response.content[8:12] == b"WAVE"


BAD_RANGES = [
    f"bytes={SIZE}-",
    f"bytes={SIZE + 10}-{SIZE + 20}",
    "bytes=-0",
    "bytes=9-3",
    "bytes=abc",
    "items=0-10",
]


HUGE = "9" * 5000


@pytest.mark.parametrize("header", [*BAD_RANGES, "bytes=-", f"bytes={HUGE}-", f"bytes=0-{HUGE}"])
def test_unsatisfiable_or_malformed_ranges_answer_416(
    header: str, recorded_call: RecordedCall, client: TestClient, login: Callable[..., dict[str, str]]
) -> None:
    response = client.get(_url(recorded_call), headers={**login(Role.admin), "Range": header})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{SIZE}"


def test_a_stale_if_range_gets_the_whole_file(
    recorded_call: RecordedCall, client: TestClient, login: Callable[..., dict[str, str]]
) -> None:
    headers = login(Role.admin)
    etag = client.get(_url(recorded_call), headers=headers).headers["etag"]
    fresh = client.get(_url(recorded_call), headers={**headers, "Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206 and fresh.content == WAV[:10]
    stale = client.get(_url(recorded_call), headers={**headers, "Range": "bytes=0-9", "If-Range": '"old"'})
    assert stale.status_code == 200 and stale.content == WAV


def test_people_on_the_case_can_read(
    recorded_call: RecordedCall, client: TestClient, make_user: Callable[..., User]
) -> None:
    readers = [
        recorded_call.agent,
        make_user(Role.clerk, court_id=recorded_call.court_id),
        make_user(Role.supervisor),
    ]
    for reader in readers:
        response = client.get(
            _url(recorded_call), headers={**_headers_for(client, reader), "Range": "bytes=0-3"}
        )
        assert response.status_code == 206 and response.content == b"RIFF", reader.role


def test_outsiders_get_404_and_anonymous_callers_401(
    recorded_call: RecordedCall, client: TestClient, login: Callable[..., dict[str, str]]
) -> None:
    assert client.get(_url(recorded_call)).status_code == 401
    for outsider in (login(Role.agent), login(Role.field_officer), login(Role.clerk)):
        response = client.get(_url(recorded_call), headers=outsider)
        assert response.status_code == 404 and response.content != WAV
    assert client.get("/api/evidence/999999/content", headers=login(Role.admin)).status_code == 404
    denied = [row for row in _read_audits() if row.action == "evidence_access_denied"]
    assert len(denied) == 4
    assert all(row.detail == {} and row.object_type == "evidence" for row in denied)


def test_every_read_is_audited_with_its_range(
    recorded_call: RecordedCall, client: TestClient, login: Callable[..., dict[str, str]]
) -> None:
    headers = login(Role.supervisor)
    client.get(_url(recorded_call), headers=headers)
    client.get(_url(recorded_call), headers={**headers, "Range": "bytes=0-99"})
    client.get(_url(recorded_call), headers={**headers, "Range": "bytes=-10"})
    client.get(_url(recorded_call), headers={**headers, "Range": f"bytes={SIZE}-"})
    reads = [row for row in _read_audits() if row.action == "evidence_read"]
    assert [(row.detail["range"], row.detail["status"]) for row in reads] == [
        (None, 200),
        ("bytes=0-99", 206),
        ("bytes=-10", 206),
        (f"bytes={SIZE}-", 416),
    ]
    assert reads[1].detail["served"] == f"bytes 0-99/{SIZE}"
    assert all(row.case_id == recorded_call.case_id and row.actor_user_id is not None for row in reads)
    assert {row.object_id for row in reads} == {str(recorded_call.item_ids[EvidenceKind.recording_mix])}


def test_the_case_list_shows_only_to_people_on_the_case(
    recorded_call: RecordedCall, client: TestClient, login: Callable[..., dict[str, str]]
) -> None:
    url = f"/api/cases/{recorded_call.case_id}/evidence"
    items = client.get(url, headers=_headers_for(client, recorded_call.agent)).json()
    assert [item["kind"] for item in items] == [
        "recording_mix",
        "recording_agent",
        "recording_party",
        "transcript",
    ]
    assert client.get(url, headers=login(Role.agent)).status_code == 404
