import math

import pytest

from asr.metrics import ErrorCount, cer, character_errors, corpus_cer, edit_distance, normalize_for_cer


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        ("", "", 0),
        ("abc", "abc", 0),
        ("abc", "", 3),
        ("", "abc", 3),
        ("kitten", "sitting", 3),
        ("送达文书", "送达书", 1),
        ("送达文书", "送达了文书", 1),
        ("送达文书", "送大文书", 1),
    ],
)
def test_edit_distance_counts_substitutions_deletions_insertions(
    reference: str, hypothesis: str, expected: int
) -> None:
    assert edit_distance(reference, hypothesis) == expected


def test_normalisation_drops_spaces_and_chinese_ascii_and_full_width_punctuation() -> None:
    text = " 您好，请问是张三吗？ 《传票》“已”送达……OK! (A-1)；：、。【】～ "
    assert normalize_for_cer(text) == "您好请问是张三吗传票已送达oka1"


def test_full_width_letters_and_digits_fold_to_ascii() -> None:
    assert normalize_for_cer("ＡＢｃ１２３　案号") == "abc123案号"


def test_cer_ignores_spaces_and_punctuation() -> None:
    assert cer("您好，请问是张三吗？", "您 好 请 问 是 张 三 吗") == 0.0


def test_cer_is_edits_over_reference_characters() -> None:
    assert cer("北京市西城区人民法院", "北京西城区人明法院") == pytest.approx(2 / 10)


def test_cer_can_exceed_one_with_insertions() -> None:
    assert cer("是", "不是的吧") == 3.0


def test_character_errors_reports_counts() -> None:
    assert character_errors("送达文书。", "送达文件") == ErrorCount(edits=1, reference_chars=4)


def test_corpus_cer_weights_by_reference_length() -> None:
    pairs = [("一二三四五六七八九十", "一二三四五六七八九十"), ("送达", "送")]
    assert corpus_cer(pairs) == pytest.approx(1 / 12)


def test_empty_reference_rate() -> None:
    assert ErrorCount(0, 0).rate == 0.0
    assert math.isinf(ErrorCount(2, 0).rate)
