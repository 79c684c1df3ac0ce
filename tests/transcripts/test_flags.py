"""Key-phrase flags: found in the party's words at the time they are said, reviewed by a person, audited."""

import json
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from backend import database
from backend.auth.roles import Role
from backend.deliveries.enums import AttemptStatus
from backend.deliveries.models import DeliveryAttempt
from backend.transcripts.enums import FlagCategory
from backend.transcripts.phrases import find_phrases, load_rules
from tests.transcripts.conftest import CaseWorld, audit_actions, headers_for, spoken, stored_transcript

CALL = [
    spoken("agent", 0.5, "您好", "请问", "是", "刘洋", "吗"),
    spoken("party", 3.0, "对", "我", "是", "本人"),
    spoken("agent", 5.0, "您", "是否", "同意", "电子", "送达"),  # the agent's question is never a flag
    spoken("party", 8.0, "同意", "电子", "送达", "发到", "我", "手机", "上"),
    spoken("party", 12.0, "纸质", "的", "寄到", "北京市", "西城区"),
    spoken("party", 16.0, "判决书", "我", "不同意", "电子", "送达"),
]


def _found(utterances: list[dict]) -> list[tuple[FlagCategory, str, int, float]]:
    return [
        (f.category, f.phrase, f.utterance_index, f.start) for f in find_phrases(utterances, load_rules())
    ]


def test_phrases_are_found_in_the_partys_words_at_their_time() -> None:
    assert _found(CALL) == [
        (FlagCategory.identity_confirmed, "我是本人", 1, 3.4),
        (FlagCategory.consent_electronic, "同意电子送达", 3, 8.0),
        (FlagCategory.consent_electronic, "发到我手机", 3, 9.2),
        (FlagCategory.address_given, "寄到", 4, 12.8),
        (FlagCategory.refusal, "不同意", 5, 16.8),
    ]


def test_a_negated_consent_is_not_a_consent() -> None:
    found = _found([spoken("party", 0.0, "我", "不同意", "电子", "送达", "不是", "我")])
    assert [(category, phrase) for category, phrase, _, _ in found] == [(FlagCategory.refusal, "不同意")]


def test_the_phrase_list_is_configurable(settings_env: Callable[..., None], tmp_path: Path) -> None:
    rules = {"refusal": {"phrases": ["别打了"], "speakers": ["party", "agent"]}}
    (tmp_path / "phrases.json").write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
    settings_env(key_phrases_path=tmp_path / "phrases.json")
    found = _found([spoken("agent", 0.0, "别打了"), spoken("party", 2.0, "不同意")])
    assert found == [(FlagCategory.refusal, "别打了", 0, 0.0)]


def test_a_reviewer_confirms_or_dismisses_a_flag_and_nothing_else_changes(
    client: TestClient, login: Callable[..., dict[str, str]], case_world: Callable[[], CaseWorld]
) -> None:
    world = case_world()
    transcript_id = stored_transcript(world, CALL)
    agent = headers_for(client, world.agent)
    flags = client.get(f"/api/transcripts/{transcript_id}", headers=agent).json()["flags"]
    assert [(f["category"], f["start"], f["review_status"]) for f in flags][:2] == [
        ("identity_confirmed", 3.4, "open"),
        ("consent_electronic", 8.0, "open"),
    ]
    consent = flags[1]
    assert (
        consent["category_label"] == "同意电子送达"
        and consent["utterance_text"] == "同意电子送达发到我手机上"
    )

    body = {"decision": "confirmed", "note": "当事人明确同意"}
    response = client.post(f"/api/transcripts/flags/{consent['id']}/review", json=body, headers=agent)
    assert response.status_code == 200, response.text
    assert (response.json()["review_status"], response.json()["review_label"]) == ("confirmed", "已确认")
    supervisor = login(Role.supervisor)
    dismiss = {"decision": "dismissed"}
    assert (
        client.post(
            f"/api/transcripts/flags/{flags[0]['id']}/review", json=dismiss, headers=supervisor
        ).json()["review_status"]
        == "dismissed"
    )

    assert ("transcript_flag_reviewed", world.agent.username) in audit_actions(world.case_id)
    with database.get_session() as session:  # a flag is a hint: the attempt is untouched
        attempt = session.get_one(DeliveryAttempt, world.attempt_id)
        assert (attempt.status, attempt.outcome) == (AttemptStatus.in_progress, None)


def test_only_reviewers_who_see_the_case_may_review(
    client: TestClient, login: Callable[..., dict[str, str]], case_world: Callable[[], CaseWorld]
) -> None:
    world = case_world()
    transcript_id = stored_transcript(world, CALL)
    flag_id = client.get(f"/api/transcripts/{transcript_id}", headers=login(Role.admin)).json()["flags"][0][
        "id"
    ]
    url = f"/api/transcripts/flags/{flag_id}/review"
    body = {"decision": "confirmed"}
    assert client.post(url, json=body, headers=login(Role.agent)).status_code == 404  # not on the case
    assert client.post(url, json=body, headers=login(Role.field_officer)).status_code == 403
    assert client.post(url, json=body).status_code == 401
    own = headers_for(client, world.agent)
    assert client.post(url, json={"decision": "open"}, headers=own).status_code == 422
