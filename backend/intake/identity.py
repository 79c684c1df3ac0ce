"""ID numbers (GB 11643 resident ID, GB 32100 unified social credit code) and party identity keys.

Policy for the 证件号码 cell:
- 自然人: an 18-character value is a resident ID (including the foreigner's permanent residence ID,
  which uses the same checksum); a wrong check digit is imported as written and marked 待核实 (a typo
  in one digit does not prevent service), any other flaw refuses the row; 15 digits is a
  first-generation ID (no check digit, its birth date is checked); other all-digit values of 14 or more
  digits are a failed ID attempt.
  Anything else (passport E12345678, 港澳居民来往内地通行证 H1234567890, 台胞证 8 digits...) is accepted
  as another identity document, upper-cased and without spaces.
- 法人/非法人组织: an 18-character value is a unified social credit code (a wrong check character is
  imported and marked 待核实 the same way);
  older registration numbers (15-digit 工商注册号, 9-character 组织机构代码) are accepted as they are.
"""

import re
from datetime import date

from backend.intake.normalize import CellError, UnverifiedValue, clean_text
from backend.parties.enums import PartyType

_RESIDENT_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_CHECK = "10X98765432"
_CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
NUMERIC_ID = "证件号码被Excel存成了数字，末尾几位已丢失；请把该列设置为文本格式后重新导出"


def resident_id_check_char(first17: str) -> str:
    """The 18th character of a resident ID whose first 17 digits are FIRST17."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _RESIDENT_WEIGHTS, strict=True))
    return _RESIDENT_CHECK[total % 11]


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code."""
    values = (_CREDIT_CHARSET.index(char) for char in first17)
    total = sum(value * weight for value, weight in zip(values, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARSET[(31 - total % 31) % 31]


def parse_id_number(value: object, party_type: PartyType) -> str | None:
    """The normalised ID number of a party, None when blank; CellError when it is wrong."""
    if isinstance(value, float) or (isinstance(value, int) and len(str(value)) > 15):
        raise CellError(NUMERIC_ID)
    text = clean_text(value).replace(" ", "").replace("-", "").upper()
    if not text:
        return None
    if re.fullmatch(r"\d(\.\d+)?E\+?\d+", text):
        raise CellError(NUMERIC_ID)
    if len(text) > 32:
        raise CellError("证件号码超过32位")
    if party_type is PartyType.natural_person:
        _check_person_id(text)
    elif len(text) == 18:
        _check_credit_code(text)
    return text


def _check_person_id(text: str) -> None:
    if len(text) == 18:
        if not re.fullmatch(r"\d{17}[\dX]", text):
            raise CellError("身份证号码应为17位数字加1位数字或X")
        _check_birth_date(text[6:14])
        if resident_id_check_char(text[:17]) != text[17]:
            raise UnverifiedValue("身份证号码校验位不正确，已按原样导入并标记为待核实，请核对号码", text)
    elif len(text) == 15 and text.isdigit():
        _check_birth_date("19" + text[6:12])
    elif text.isdigit() and len(text) >= 14:
        raise CellError(f"身份证号码应为18位，此处为{len(text)}位")


def _check_birth_date(digits: str) -> None:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError as exc:
        raise CellError("身份证号码中的出生日期不存在") from exc
    if born.year < 1900 or born > date.today():
        raise CellError("身份证号码中的出生日期不合理")


def _check_credit_code(text: str) -> None:
    if not re.fullmatch(f"[{_CREDIT_CHARSET}]{{18}}", text):
        raise CellError("统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）")
    if credit_code_check_char(text[:17]) != text[17]:
        raise UnverifiedValue("统一社会信用代码校验位不正确，已按原样导入并标记为待核实，请核对", text)


def identity_key(*, id_number: str | None, party_type: PartyType, name: str) -> str:
    """What makes a party the same across exports: its ID number, else its type and name."""
    if id_number:
        return f"id:{id_number}"
    return f"name:{party_type.value}:{name}"
