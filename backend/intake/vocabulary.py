"""The export's words mapped to the domain's: case numbers, case types, party types, roles."""

import re
from typing import TypeVar

from backend.cases.enums import CaseType
from backend.intake.normalize import CellError, clean_text
from backend.parties.enums import LitigationRole, PartyType

CASE_TYPES: dict[str, CaseType] = {
    "民事": CaseType.civil,
    "商事": CaseType.commercial,
    "民商事": CaseType.commercial,
    "行政": CaseType.administrative,
    "执行": CaseType.enforcement,
    "多元调解+速裁": CaseType.mediation,
    "多元调解速裁": CaseType.mediation,
    "多元调解": CaseType.mediation,
    "速裁": CaseType.mediation,
    "调解": CaseType.mediation,
}

PARTY_TYPES: dict[str, PartyType] = {
    "自然人": PartyType.natural_person,
    "个人": PartyType.natural_person,
    "法人": PartyType.legal_person,
    "单位": PartyType.legal_person,
    "非法人组织": PartyType.unincorporated,
    "其他组织": PartyType.unincorporated,
}

ROLES: dict[str, LitigationRole] = {
    "原告": LitigationRole.plaintiff,
    "申请人": LitigationRole.plaintiff,
    "申请执行人": LitigationRole.plaintiff,
    "起诉人": LitigationRole.plaintiff,
    "被告": LitigationRole.defendant,
    "被申请人": LitigationRole.defendant,
    "被执行人": LitigationRole.defendant,
    "第三人": LitigationRole.third_party,
    "上诉人": LitigationRole.appellant,
    "被上诉人": LitigationRole.appellee,
    "代理人": LitigationRole.agent,
    "诉讼代理人": LitigationRole.agent,
    "委托诉讼代理人": LitigationRole.agent,
    "委托代理人": LitigationRole.agent,
    "法定代理人": LitigationRole.agent,
}

_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "[": "(", "]": ")", "【": "(", "】": ")"})
_CASE_NUMBER = re.compile(r"\((\d{4})\)([\u3400-\u9fff]\d{0,4})([\u3400-\u9fff]{1,6})(\d{1,6})号")
CASE_NUMBER_HINT = "应如(2026)京0102民初12345号"


T = TypeVar("T")


def _lookup(table: dict[str, T], value: object, label: str) -> T:
    text = clean_text(value).replace(" ", "")
    found = table.get(text) or table.get(text.removesuffix("案件"))
    if found is None:
        raise CellError(f"未知的{label}「{text}」，可用：{'、'.join(dict.fromkeys(table))}")
    return found


def parse_case_type(value: object) -> CaseType:
    return _lookup(CASE_TYPES, value, "案件类型")


def parse_party_type(value: object) -> PartyType:
    return _lookup(PARTY_TYPES, value, "当事人类型")


def parse_role(value: object) -> LitigationRole:
    return _lookup(ROLES, value, "诉讼地位")


def parse_case_number(value: object, court_code: str) -> str:
    """(2026)京0102民初12345号 with half-width parentheses; its court code must be COURT_CODE."""
    text = clean_text(value).replace(" ", "").translate(_BRACKETS)
    match = _CASE_NUMBER.fullmatch(text)
    if match is None:
        raise CellError(f"案号「{text}」格式不正确，{CASE_NUMBER_HINT}")
    year, code = int(match.group(1)), match.group(2)
    if not 1990 <= year <= 2099:
        raise CellError(f"案号「{text}」中的年份{year}不合理")
    if code != court_code:
        raise CellError(f"案号「{text}」的法院代码{code}不是本次导入的法院{court_code}")
    return text


_LOOSE_CASE_NUMBER = re.compile(r"\(?(\d{4})\)?([\u3400-\u9fff]\d{0,4}[\u3400-\u9fff]{1,6}\d{1,6}号)")


def loose_case_number(text: str) -> str | None:
    """The case number in a file or folder name, whose parentheses may be full-width or missing."""
    compact = clean_text(text).replace(" ", "").translate(_BRACKETS)
    match = _LOOSE_CASE_NUMBER.fullmatch(compact)
    return f"({match.group(1)}){match.group(2)}" if match else None


def is_court_code(text: str) -> bool:
    """A 案号 court code: one province character and up to four digits (京0102)."""
    return bool(re.fullmatch(r"[\u3400-\u9fff]\d{0,4}", text))
