"""Chinese full-text search over transcripts: n-gram index, ranking, snippets, offsets, case scope."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.auth.roles import Role
from backend.transcripts.enums import TranscriptStatus
from tests.transcripts.conftest import CaseWorld, audit_actions, headers_for, spoken, stored_transcript


@dataclass(frozen=True)
class SearchWorld:
    first: CaseWorld  # two transcripts saying 送达地址, one twice
    second: CaseWorld  # another agent's case, saying it once
    twice: int
    once_elsewhere: int
    split: int  # 送达 and 地址 in separate utterances: never an exact hit


@pytest.fixture()
def search_world(case_world: Callable[[], CaseWorld]) -> SearchWorld:
    first, second = case_world(), case_world()
    twice = stored_transcript(
        first,
        [
            spoken("agent", 0.5, "请问", "您的", "送达", "地址", "是", "哪里"),
            spoken("party", 4.0, "我的", "送达", "地址", "是", "北京市", "西城区"),
            spoken("agent", 9.0, "好的"),
        ],
    )
    once = stored_transcript(
        second, [spoken("agent", 1.0, "我们", "核实", "一下", "送达", "地址"), spoken("party", 5.0, "可以")]
    )
    split = stored_transcript(
        first, [spoken("agent", 1.0, "法院", "送达"), spoken("party", 3.0, "地址", "不变")]
    )
    stored_transcript(first, [spoken("party", 1.0, "送达", "地址")], status=TranscriptStatus.running)
    return SearchWorld(first, second, twice, once, split)


def _search(client: TestClient, headers: dict[str, str], q: str, **params: str) -> list[dict[str, Any]]:
    response = client.get("/api/transcripts/search", params={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


def test_a_chinese_phrase_finds_the_transcripts_saying_it_best_first(
    client: TestClient, login: Callable[..., dict[str, str]], search_world: SearchWorld
) -> None:
    results = _search(client, login(Role.supervisor), "送达地址")

    assert [r["transcript_id"] for r in results] == [search_world.twice, search_world.once_elsewhere]
    best = results[0]
    assert best["case_id"] == search_world.first.case_id and best["case_number"].startswith("(2026)")
    assert [(h["utterance_index"], h["speaker"], h["speaker_label"]) for h in best["hits"]] == [
        (0, "agent", "专员"),
        (1, "party", "当事人"),
    ]
    agent_hit, party_hit = best["hits"]
    assert (agent_hit["start"], agent_hit["utterance_start"]) == (1.3, 0.5)  # 送达 is the third word
    assert party_hit["start"] == 4.4 and party_hit["exact"] is True
    assert party_hit["snippet"] == "我的送达地址是北京市西城区"
    assert party_hit["snippet_html"] == "我的<mark>送达地址</mark>是北京市西城区"
    assert party_hit["highlights"] == [[2, 6]]


def test_terms_must_all_occur_and_single_characters_are_searchable(
    client: TestClient, login: Callable[..., dict[str, str]], search_world: SearchWorld
) -> None:
    headers = login(Role.supervisor)
    assert [r["transcript_id"] for r in _search(client, headers, "北京 送达")] == [search_world.twice]
    assert [r["transcript_id"] for r in _search(client, headers, "京")] == [search_world.twice]
    assert _search(client, headers, "上海") == []
    assert _search(client, headers, "，。 ") == []  # punctuation only: nothing to look for


def test_fuzzy_search_tolerates_a_misrecognised_character(
    client: TestClient, login: Callable[..., dict[str, str]], search_world: SearchWorld
) -> None:
    headers = login(Role.supervisor)
    assert _search(client, headers, "送达地止") == []
    fuzzy = _search(client, headers, "送达地止", fuzzy="true")
    assert {r["transcript_id"] for r in fuzzy} == {search_world.twice, search_world.once_elsewhere}
    assert all(not hit["exact"] for r in fuzzy for hit in r["hits"])


def test_results_stay_within_the_callers_cases(
    client: TestClient, login: Callable[..., dict[str, str]], search_world: SearchWorld
) -> None:
    first_agent = headers_for(client, search_world.first.agent)
    second_agent = headers_for(client, search_world.second.agent)
    assert [r["transcript_id"] for r in _search(client, first_agent, "送达地址")] == [search_world.twice]
    assert [r["transcript_id"] for r in _search(client, second_agent, "送达地址")] == [
        search_world.once_elsewhere
    ]
    assert _search(client, login(Role.agent), "送达地址") == []  # an agent with no case
    assert _search(client, login(Role.clerk), "送达地址") == []  # a clerk without a court
    assert client.get("/api/transcripts/search", params={"q": "送达地址"}).status_code == 401
    searches = [action for action in audit_actions() if action[0] == "transcript_search"]
    assert (searches[0][1], len(searches)) == (search_world.first.agent.username, 4)
