"""What the case file page reads: attempts with their facts, signed media links for the audio player
(Range, expiry, tampering, scope, disabled users, audit) and the review of key-phrase flags by a clerk."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, event, select

from backend import database
from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.auth.roles import Role
from backend.database import utcnow
from backend.evidence import media_links
from tests.api.conftest import World
from tests.console.world import BigCase, wav_bytes

Login = Callable[..., tuple[User, dict[str, str]]]


def _audit(action: str) -> list[AuditLog]:
    with database.get_session() as session:
        rows = list(session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))
        session.expunge_all()
        return rows


def test_the_case_file_gives_each_attempt_its_facts(
    client: TestClient, world: World, as_user: Login, big_case: Callable[..., BigCase]
) -> None:
    case = big_case(parties=2, attempts=6, calls=1)
    _, headers = as_user(Role.clerk, court_id=world.court_id)
    file = client.get(f"/api/cases/{case.case_id}/file", headers=headers).json()
    attempts = [attempt for delivery in file["deliveries"] for attempt in delivery["attempts"]]
    assert len(attempts) == 6
    phone = next(attempt for attempt in attempts if attempt["method"] == "phone")
    assert {(fact["key"], fact["label"]) for fact in phone["facts"]} == {
        ("number_dialled", "拨打号码"),
        ("agent", "送达人员"),
    }
    assert all(fact["evidence_id"] for attempt in attempts for fact in attempt["facts"])


def test_a_signed_link_streams_the_recording_by_range_and_each_read_is_audited(
    client: TestClient, world: World, as_user: Login, big_case: Callable[..., BigCase]
) -> None:
    case = big_case(parties=1, attempts=2, calls=1)
    clerk, headers = as_user(Role.clerk, court_id=world.court_id)
    [recording] = case.recording_evidence_ids
    link = client.post(f"/api/evidence/{recording}/media-link", headers=headers)
    assert link.status_code == 200, link.text
    url = link.json()["url"]
    assert url.startswith(f"/api/evidence/media/{recording}.{clerk.id}.")
    audio = wav_bytes()
    middle = len(audio) // 2
    part = client.get(url, headers={"Range": f"bytes={middle}-{middle + 999}"})  # no bearer header
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes {middle}-{middle + 999}/{len(audio)}"
    assert part.content == audio[middle : middle + 1000]
    assert client.get(url).content == audio
    [issued] = _audit("evidence_link_issued")
    assert (issued.actor_username, issued.object_id) == (clerk.username, str(recording))
    assert issued.case_id == case.case_id
    reads = [row for row in _audit("evidence_read") if row.detail.get("via") == "signed_link"]
    assert [(row.actor_username, row.detail["status"]) for row in reads] == [
        (clerk.username, 206),
        (clerk.username, 200),
    ]


def test_a_link_expired_tampered_or_out_of_scope_serves_nothing(
    client: TestClient, world: World, as_user: Login, big_case: Callable[..., BigCase]
) -> None:
    case = big_case(parties=1, attempts=2, calls=1)
    clerk, headers = as_user(Role.clerk, court_id=world.court_id)
    [recording] = case.recording_evidence_ids
    url = client.post(f"/api/evidence/{recording}/media-link", headers=headers).json()["url"]
    token = url.rsplit("/", 1)[1]
    tampered = token.replace(f"{recording}.", f"{recording + 1}.", 1)
    assert client.get(f"/api/evidence/media/{tampered}").status_code == 404
    an_hour_ago = utcnow() - timedelta(hours=1)
    old, _ = media_links.media_token(evidence_id=recording, user_id=clerk.id, now=an_hour_ago)
    assert client.get(f"/api/evidence/media/{old}").status_code == 404
    assert media_links.read_token(token, now=utcnow() + media_links.LINK_LIFETIME) is None
    # A clerk of another court is never given, nor served through, a link to this case's recording.
    outsider, outsider_headers = as_user(Role.clerk, court_id=world.other_court_id)
    assert client.post(f"/api/evidence/{recording}/media-link", headers=outsider_headers).status_code == 404
    foreign, _ = media_links.media_token(evidence_id=recording, user_id=outsider.id)
    assert client.get(f"/api/evidence/media/{foreign}").status_code == 404
    # A disabled user's links stop working at once.
    with database.get_session() as session:
        session.get_one(User, clerk.id).is_active = False
    assert client.get(url).status_code == 404
    assert len(_audit("evidence_link_refused")) == 3
    assert [row.actor_username for row in _audit("evidence_access_denied")] == [outsider.username] * 2


def _review(client: TestClient, flag_id: int, decision: str, headers: dict[str, str]) -> Response:
    url = f"/api/transcripts/flags/{flag_id}/review"
    return client.post(url, json={"decision": decision}, headers=headers)


def test_a_clerk_confirms_and_dismisses_flags(
    client: TestClient, world: World, as_user: Login, big_case: Callable[..., BigCase]
) -> None:
    case = big_case(parties=1, attempts=2, calls=1)
    clerk, headers = as_user(Role.clerk, court_id=world.court_id)
    [call] = client.get(f"/api/cases/{case.case_id}/calls", headers=headers).json()
    flags = call["transcript"]["flags"]
    assert {flag["category"] for flag in flags} >= {"consent_electronic"}
    first, second = flags[0], flags[1]
    confirmed = _review(client, first["id"], "confirmed", headers)
    assert confirmed.status_code == 200, confirmed.text
    reviewed = confirmed.json()
    assert (reviewed["review_status"], reviewed["reviewed_by_user_id"]) == ("confirmed", clerk.id)
    assert _review(client, second["id"], "dismissed", headers).json()["review_status"] == "dismissed"
    _, field_headers = as_user(Role.field_officer)
    assert _review(client, first["id"], "dismissed", field_headers).status_code == 403
    reviews = _audit("transcript_flag_reviewed")
    assert [row.object_id for row in reviews] == [str(first["id"]), str(second["id"])]


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        sent.append(sql)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_larger_case_file_costs_no_more_statements_and_holds_all_of_it(
    client: TestClient, world: World, db: Engine, as_user: Login, big_case: Callable[..., BigCase]
) -> None:
    small = big_case(parties=1, attempts=2, calls=1)
    large = big_case(parties=6, attempts=24, calls=5)
    _, headers = as_user(Role.clerk, court_id=world.court_id)
    client.get(f"/api/cases/{small.case_id}/file", headers=headers)
    sent: dict[tuple[int, str], int] = {}
    bodies: dict[str, Any] = {}
    for case in (small, large):
        for part in ("file", "calls"):
            with _statements(db) as statements:
                response = client.get(f"/api/cases/{case.case_id}/{part}", headers=headers)
            assert response.status_code == 200, response.text
            sent[case.case_id, part] = len(statements)
            bodies[part] = response.json()
    assert sent[small.case_id, "file"] == sent[large.case_id, "file"]  # no statement per party or attempt
    assert sent[small.case_id, "calls"] == sent[large.case_id, "calls"]  # nor per call or transcript
    file, calls = bodies["file"], bodies["calls"]
    assert [party["id"] for party in file["parties"]] == large.party_ids
    assert all(point["history"] for party in file["parties"] for point in party["contact_points"])
    attempts = [attempt for delivery in file["deliveries"] for attempt in delivery["attempts"]]
    assert sorted(attempt["id"] for attempt in attempts) == sorted(large.attempt_ids)
    assert all(delivery["document_ids"] == large.document_ids for delivery in file["deliveries"])
    facts = {fact["evidence_id"] for attempt in attempts for fact in attempt["facts"]}
    evidence = {item["id"]: item for item in file["evidence"]}
    assert facts <= evidence.keys()
    assert all(evidence[item]["attempt_ids"] for item in large.proof_evidence_ids)
    assert [call["call_record_id"] for call in calls] == large.call_record_ids
    assert [call["recordings"][0]["evidence_id"] for call in calls] == large.recording_evidence_ids
    assert all(call["transcript"]["flags"] for call in calls)
