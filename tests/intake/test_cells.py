"""Cell normalisation as real exports need it: full-width forms, Excel's damage, Chinese formats."""

from datetime import UTC, date, datetime

import pytest

from backend.cases.enums import CaseType
from backend.intake.dates import parse_date, parse_local_datetime
from backend.intake.identity import identity_key, parse_id_number
from backend.intake.normalize import CellError, clean_name, parse_addresses, parse_emails, parse_phones
from backend.intake.vocabulary import parse_case_number, parse_case_type, parse_role
from backend.parties.enums import LitigationRole, PartyType
from tests.intake.exports import credit_code, person_id


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("13800138000", ["13800138000"]),
        ("１３８００１３８０００", ["13800138000"]),
        (" 138 0013 8000 ", ["13800138000"]),
        ("+86 138-0013-8000", ["13800138000"]),
        ("8613800138000", ["13800138000"]),
        (13800138000, ["13800138000"]),
        (13800138000.0, ["13800138000"]),
        ("13800138000.0", ["13800138000"]),
        ("1.3800138000E+10", ["13800138000"]),
        ("13800138000；13900139000、010-62345678", ["13800138000", "13900139000", "010-62345678"]),
        ("13800138000,13900139000;13800138000", ["13800138000", "13900139000"]),
        ("13800138000 13900139000", ["13800138000", "13900139000"]),
        ("(010)62345678", ["010-62345678"]),
        ("（０１０）６２３４５６７８", ["010-62345678"]),
        ("01062345678", ["010-62345678"]),
        ("0755 2234 5678", ["0755-22345678"]),
        ("010—62345678转8001", ["010-62345678-8001"]),
        ("+86-10-62345678", ["010-62345678"]),
        ("400-123-4567", ["400-123-4567"]),
    ],
)
def test_phone_cells_are_normalised(cell: object, expected: list[str]) -> None:
    assert parse_phones(cell) == expected


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("1.38001E+10", "科学计数法"),
        ("1.38E+10", "文本格式"),
        ("62345678", "缺少区号"),
        ("12345", "不是有效的电话号码"),
        ("1380013800", "不是有效的电话号码"),
        ("010-02345678", "不是有效的电话号码"),
        ("23800138000", "不是有效的电话号码"),
    ],
)
def test_bad_phone_cells_say_why(cell: object, fragment: str) -> None:
    with pytest.raises(CellError, match=fragment):
        parse_phones(cell)


@pytest.mark.parametrize(
    "cell",
    ["2026-03-01", "2026/3/1", "2026.3.1", "2026年3月1日", "２０２６年３月１日", "20260301", "46082", 46082,
     "2026-03-01 00:00:00", date(2026, 3, 1), datetime(2026, 3, 1), 20260301],
)  # fmt: skip
def test_dates_in_the_forms_courts_use(cell: object) -> None:
    assert parse_date(cell) == date(2026, 3, 1)


@pytest.mark.parametrize("cell", ["2026-02-30", "3/1/2026", "明天", "1.5", "2026-03-01 10:00", "18000"])
def test_bad_dates_are_refused(cell: object) -> None:
    with pytest.raises(CellError):
        parse_date(cell)


@pytest.mark.parametrize(
    "cell",
    ["2026-03-15 09:30", "2026/3/15 9:30", "2026年3月15日 9时30分", "2026年3月15日上午9:30",
     "2026-03-15T09:30:00", datetime(2026, 3, 15, 9, 30), 46096.395833333336],
)  # fmt: skip
def test_hearing_time_is_beijing_time_stored_as_utc(cell: object) -> None:
    assert parse_local_datetime(cell) == datetime(2026, 3, 15, 1, 30, tzinfo=UTC)


def test_afternoon_hearing_and_date_without_time() -> None:
    assert parse_local_datetime("2026年3月15日下午2时") == datetime(2026, 3, 15, 6, 0, tzinfo=UTC)
    with pytest.raises(CellError, match="缺少具体时刻"):
        parse_local_datetime("2026-03-15")


def test_resident_id_checksum_and_other_documents() -> None:
    good = person_id(5)
    assert parse_id_number(good.lower(), PartyType.natural_person) == good
    assert parse_id_number(" ＥＡ１２３４５６７ ", PartyType.natural_person) == "EA1234567"  # passport
    assert parse_id_number("110102850312001", PartyType.natural_person) == "110102850312001"  # 15-digit ID
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    for bad, fragment in [
        (wrong_check, "校验位"),
        (good[:17], "应为18位"),
        ("110102198502301234", "出生日期"),
        (1.10102198503e17, "文本格式"),
        ("1.10102E+17", "文本格式"),
    ]:
        with pytest.raises(CellError, match=fragment):
            parse_id_number(bad, PartyType.natural_person)


def test_unified_social_credit_code_for_organisations() -> None:
    code = credit_code(42)
    assert parse_id_number(code, PartyType.legal_person) == code
    assert parse_id_number("12345678-9", PartyType.unincorporated) == "123456789"  # old organisation code
    with pytest.raises(CellError, match="校验位"):
        parse_id_number(code[:17] + ("0" if code[17] != "0" else "1"), PartyType.legal_person)
    with pytest.raises(CellError, match="不允许的字符"):
        parse_id_number("91110000I00037341L", PartyType.legal_person)


def test_identity_key_prefers_the_id_number() -> None:
    assert identity_key(id_number="X1", party_type=PartyType.natural_person, name="张三") == "id:X1"
    assert (
        identity_key(id_number=None, party_type=PartyType.legal_person, name="某公司")
        == "name:legal_person:某公司"
    )


def test_case_numbers_are_normalised_and_belong_to_the_court() -> None:
    assert parse_case_number("（２０２６）京０１０２民初１２３４５号", "京0102") == "(2026)京0102民初12345号"
    assert parse_case_number("〔2026〕京0102 执 7 号", "京0102") == "(2026)京0102执7号"
    with pytest.raises(CellError, match="法院代码京0105"):
        parse_case_number("(2026)京0105民初1号", "京0102")
    for bad in ("2026京0102民初1号", "(2026)京0102民初1", "(26)京0102民初1号", "民初1号"):
        with pytest.raises(CellError, match="格式不正确"):
            parse_case_number(bad, "京0102")


def test_case_types_roles_and_aliases() -> None:
    assert parse_case_type("多元调解＋速裁") is CaseType.mediation
    assert parse_case_type("速裁") is CaseType.mediation
    assert parse_case_type(" 商事 ") is CaseType.commercial
    assert parse_role("申请执行人") is LitigationRole.plaintiff
    assert parse_role("被执行人") is LitigationRole.defendant
    assert parse_role("委托诉讼代理人") is LitigationRole.agent
    with pytest.raises(CellError, match="未知的案件类型「刑事」"):
        parse_case_type("刑事")


def test_names_emails_and_addresses() -> None:
    assert clean_name(" 张　三 ") == "张三"
    assert clean_name("John  Smith") == "John Smith"
    assert parse_emails("ZhangSan＠Example.COM；li@qq.com") == ["zhangsan@example.com", "li@qq.com"]
    with pytest.raises(CellError, match="电子邮箱"):
        parse_emails("zhang@qq。com")
    assert parse_addresses("北京市西城区金融大街1号；北京市朝阳区建国路2号，3单元") == [
        "北京市西城区金融大街1号",
        "北京市朝阳区建国路2号,3单元",
    ]
