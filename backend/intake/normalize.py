"""Cell normalisation: full-width forms, stray spaces, phones, e-mails, addresses and names."""

import re
import unicodedata
from decimal import Decimal, InvalidOperation


class CellError(ValueError):
    """A cell that cannot be used; the message is shown to the clerk as it is."""


class UnverifiedValue(CellError):
    """A cell that is probably wrong but does not prevent service: imported as VALUE, marked 待核实."""

    def __init__(self, message: str, value: object) -> None:
        super().__init__(message)
        self.value = value


# Zero-width characters vanish; the many dashes people type become "-".
_TRANSLATION = str.maketrans(
    {**dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad"), **dict.fromkeys("‐‑‒–—―−﹣", "-")}
)
_CJK = r"\u3400-\u9fff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")


def clean_text(value: object) -> str:
    """NFKC (full-width digits, letters, spaces, punctuation), dashes unified, whitespace collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if not text.isascii():
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        text = text.translate(_TRANSLATION)
    return " ".join(text.split())


def is_blank(value: object) -> bool:
    """An empty cell: nothing, or only spaces (full-width ones too)."""
    return value is None or (isinstance(value, str) and not value.strip())


def clean_name(value: object) -> str:
    """A person's or organisation's name: no space between two Chinese characters (张 三 -> 张三)."""
    return _SPACE_BETWEEN_CJK.sub("", clean_text(value))


def split_list(text: str, separators: str = ";") -> list[str]:
    """Split a cleaned cell on SEPARATORS, dropping blanks and repeats, keeping order."""
    parts = re.split(f"[{re.escape(separators)}\n]", text)
    return list(dict.fromkeys(part.strip() for part in parts if part.strip()))


# ---- phones -------------------------------------------------------------------------------------

PHONE_SEPARATORS = ";,、/|"
_MOBILE = re.compile(r"1[3-9]\d{9}")
_SERVICE = re.compile(r"([48]00)-?(\d{3})-?(\d{4})")
_LANDLINE = re.compile(r"(0\d{2,3})-(\d{7,8})(?:-(\d{1,6}))?")
_LANDLINE_NO_DASH = re.compile(r"0\d{9,11}")
_EXTENSION = re.compile(r"(?:转|分机|EXT\.?|X|#)")
_SCIENTIFIC = re.compile(r"(\d)(?:\.(\d+))?E\+?(\d+)", re.IGNORECASE)
_TRAILING_ZERO_DECIMAL = re.compile(r"(\d+)\.0+")
SCIENTIFIC_PHONE = "「{}」已被Excel转为科学计数法，号码位数已丢失；请把该列设置为文本格式后重新导出"


def parse_phones(value: object) -> list[str]:
    """Every phone number in a cell, normalised; raise CellError naming the first bad one."""
    if isinstance(value, int | float):
        return [normalize_phone(numeric_cell_digits(value))]
    numbers: list[str] = []
    for piece in split_list(clean_text(value), PHONE_SEPARATORS):
        numbers.extend(_numbers_in_piece(piece))
    return list(dict.fromkeys(numbers))


def numeric_cell_digits(value: int | float) -> str:
    """Digits of a numeric spreadsheet cell (13800138000.0 -> 13800138000)."""
    if isinstance(value, float) and not value.is_integer():
        raise CellError(f"「{value}」不是完整的号码")
    return str(int(value))


def _numbers_in_piece(piece: str) -> list[str]:
    try:
        return [normalize_phone(piece.replace(" ", ""))]
    except CellError:
        words = piece.split(" ")
        if len(words) > 1 and all(_is_phone(word) for word in words):
            return [normalize_phone(word) for word in words]
        raise


def _is_phone(text: str) -> bool:
    try:
        normalize_phone(text)
    except CellError:
        return False
    return True


def normalize_phone(raw: str) -> str:
    """One number: mobile as 11 digits, landline as 区号-号码[-分机], 400/800 as 400-xxx-xxxx."""
    text = _expand_scientific(raw)
    if whole := _TRAILING_ZERO_DECIMAL.fullmatch(text):
        text = whole.group(1)
    text = re.sub(r"^\((0\d{2,3})\)-?", r"\1-", text)
    text = _strip_country_code(text)
    if _MOBILE.fullmatch(text.replace("-", "")):
        return text.replace("-", "")
    if match := _SERVICE.fullmatch(text):
        return "-".join(match.groups())
    if landline := _normalize_landline(text):
        return landline
    if re.fullmatch(r"[2-9]\d{6,7}", text):
        raise CellError(f"固定电话「{raw}」缺少区号，应写成如010-62345678")
    raise CellError(f"「{raw}」不是有效的电话号码（手机号应为11位，固定电话应写成区号-号码）")


def _expand_scientific(text: str) -> str:
    match = _SCIENTIFIC.fullmatch(text)
    if match is None:
        return text
    digits_written = 1 + len(match.group(2) or "")
    try:
        number = Decimal(text.upper())
    except InvalidOperation as exc:
        raise CellError(SCIENTIFIC_PHONE.format(text)) from exc
    whole = str(int(number))
    if number != number.to_integral_value() or digits_written < len(whole):
        raise CellError(SCIENTIFIC_PHONE.format(text))
    return whole


def _strip_country_code(text: str) -> str:
    for prefix in ("+86-", "+86", "0086-", "0086"):
        if text.startswith(prefix):
            rest = text.removeprefix(prefix)
            is_mobile = _MOBILE.fullmatch(rest.replace("-", ""))
            return rest if is_mobile or rest.startswith("0") else "0" + rest
    if len(text) == 13 and text.startswith("86") and _MOBILE.fullmatch(text[2:]):
        return text[2:]
    return text


def _normalize_landline(text: str) -> str | None:
    text = _EXTENSION.sub("-", text.upper())
    if _LANDLINE_NO_DASH.fullmatch(text):
        area_length = 3 if text[1] in "12" else 4
        text = f"{text[:area_length]}-{text[area_length:]}"
    match = _LANDLINE.fullmatch(text)
    if match is None or match.group(2)[0] in "01":
        return None
    area, number, extension = match.groups()
    return f"{area}-{number}" + (f"-{extension}" if extension else "")


# ---- e-mail and addresses ------------------------------------------------------------------------

_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
)


def parse_emails(value: object) -> list[str]:
    """Every e-mail address in a cell, lower-cased."""
    emails = []
    for candidate in split_list(clean_text(value), ";,、 "):
        if not _EMAIL.fullmatch(candidate) or len(candidate) > 200:
            raise CellError(f"「{candidate}」不是有效的电子邮箱地址")
        emails.append(candidate.lower())
    return list(dict.fromkeys(emails))


def parse_addresses(value: object) -> list[str]:
    """Addresses separated by ； (commas belong to addresses and do not split them)."""
    addresses = split_list(clean_text(value), ";")
    for address in addresses:
        if len(address) > 300:
            raise CellError("送达地址超过300字")
        if len(address) < 4:
            raise CellError(f"送达地址「{address}」过短，不是完整地址")
    return addresses


DOCUMENT_SEPARATORS = ";"


def parse_document_names(value: object) -> list[str]:
    """Names in 待送达文书, separated by ； or ;."""
    names = split_list(clean_text(value), DOCUMENT_SEPARATORS)
    for name in names:
        if len(name) > 200:
            raise CellError(f"文书名称「{name[:20]}…」超过200字")
        if "/" in name or "\\" in name:
            raise CellError(f"文书名称「{name}」不能包含斜杠")
    return names
