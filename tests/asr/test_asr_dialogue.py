import pytest

from asr.dialogue import (
    SPEAKER_LABELS,
    Speaker,
    Utterance,
    format_dialogue,
    merge_dialogue,
    split_utterances,
)
from asr.transcript import LegTranscript, Word, join_words


def words(*spec: tuple[str, float, float]) -> tuple[Word, ...]:
    return tuple(Word(text=text, start=start, end=end, confidence=0.9) for text, start, end in spec)


def leg(*spec: tuple[str, float, float]) -> LegTranscript:
    return LegTranscript(words=words(*spec), duration=60.0)


def test_words_split_into_utterances_on_pauses() -> None:
    spoken = words(("您好", 0.5, 0.9), ("请问", 1.0, 1.4), ("是", 1.4, 1.6), ("张三", 3.0, 3.5))
    utterances = split_utterances(Speaker.AGENT, spoken, pause=0.8)
    assert [u.text for u in utterances] == ["您好请问是", "张三"]
    assert [(u.start, u.end) for u in utterances] == [(0.5, 1.6), (3.0, 3.5)]


def test_pause_just_below_threshold_keeps_one_utterance() -> None:
    spoken = words(("送达", 0.0, 1.0), ("文书", 1.79, 2.0))
    assert len(split_utterances(Speaker.PARTY, spoken, pause=0.8)) == 1
    assert len(split_utterances(Speaker.PARTY, spoken, pause=0.5)) == 2


def test_unsorted_words_are_ordered_by_time() -> None:
    spoken = words(("文书", 1.0, 1.5), ("送达", 0.4, 1.0))
    assert [u.text for u in split_utterances(Speaker.AGENT, spoken)] == ["送达文书"]


def test_pause_must_be_positive() -> None:
    with pytest.raises(ValueError):
        split_utterances(Speaker.AGENT, words(("好", 0.0, 0.2)), pause=0)


def test_legs_interleave_by_start_time_with_speaker_labels() -> None:
    agent = leg(("您好", 0.5, 0.9), ("是张三吗", 1.0, 1.8), ("法院", 5.0, 5.4), ("传票", 5.4, 5.9))
    party = leg(("是的", 2.5, 3.0), ("什么事", 3.1, 3.6), ("好的", 7.0, 7.4))
    dialogue = merge_dialogue(agent=agent, party=party)
    assert [(u.speaker, u.text) for u in dialogue] == [
        (Speaker.AGENT, "您好是张三吗"),
        (Speaker.PARTY, "是的什么事"),
        (Speaker.AGENT, "法院传票"),
        (Speaker.PARTY, "好的"),
    ]
    assert [u.speaker.label for u in dialogue] == ["专员", "当事人", "专员", "当事人"]
    assert [u.start for u in dialogue] == sorted(u.start for u in dialogue)


def test_overlapping_speech_is_ordered_by_start_and_keeps_both_speakers() -> None:
    agent = leg(("请您", 1.0, 1.5), ("核对", 1.5, 2.5))
    party = leg(("喂", 1.2, 1.4))
    dialogue = merge_dialogue(agent=agent, party=party)
    assert [(u.speaker, u.start, u.end) for u in dialogue] == [
        (Speaker.AGENT, 1.0, 2.5),
        (Speaker.PARTY, 1.2, 1.4),
    ]


def test_agent_comes_first_when_both_start_together() -> None:
    dialogue = merge_dialogue(agent=leg(("好", 2.0, 2.3)), party=leg(("好", 2.0, 2.2)))
    assert [u.speaker for u in dialogue] == [Speaker.AGENT, Speaker.PARTY]


def test_silent_leg_gives_only_the_other_speaker() -> None:
    dialogue = merge_dialogue(agent=leg(("喂", 0.2, 0.5)), party=leg())
    assert [u.speaker for u in dialogue] == [Speaker.AGENT]
    assert merge_dialogue(agent=leg(), party=leg()) == []


def test_utterance_keeps_word_times_and_confidences() -> None:
    spoken = (Word("收到", 4.0, 4.4, 1.0), Word("了", 4.4, 4.6, 0.5))
    [utterance] = split_utterances(Speaker.PARTY, spoken)
    assert utterance.words == spoken
    assert utterance.confidence == pytest.approx(0.75)
    assert utterance.as_dict() == {
        "speaker": "party",
        "speaker_label": "当事人",
        "start": 4.0,
        "end": 4.6,
        "text": "收到了",
        "confidence": 0.75,
        "words": [
            {"word": "收到", "start": 4.0, "end": 4.4, "confidence": 1.0},
            {"word": "了", "start": 4.4, "end": 4.6, "confidence": 0.5},
        ],
    }


def test_utterance_end_is_the_latest_word_end() -> None:
    utterance = Utterance(Speaker.AGENT, (Word("长", 0.0, 3.0, 1.0), Word("短", 1.0, 1.5, 1.0)))
    assert utterance.end == 3.0


def test_empty_utterance_is_rejected() -> None:
    with pytest.raises(ValueError):
        Utterance(Speaker.AGENT, ())


def test_format_dialogue_prints_clock_and_chinese_label() -> None:
    party = leg(("在", 65.04, 65.3), ("的", 65.3, 65.5))
    dialogue = merge_dialogue(agent=leg(("您好", 0.5, 0.9)), party=party)
    assert format_dialogue(dialogue) == "[00:00.5] 专员：您好\n[01:05.0] 当事人：在的"


def test_labels_cover_both_speakers() -> None:
    assert SPEAKER_LABELS == {Speaker.AGENT: "专员", Speaker.PARTY: "当事人"}
    assert Speaker("agent") is Speaker.AGENT


def test_chinese_words_join_without_spaces_latin_words_with_one() -> None:
    assert join_words(["案号", "ABC", "123", "号", "OK"]) == "案号ABC 123号OK"
    assert LegTranscript(words=words(("送达", 0, 1), ("成功", 1, 2)), duration=2).text == "送达成功"
