"""Chinese identifiers with their real check characters: resident ID numbers (GB 11643) and
unified social credit codes (GB 32100), plus phone numbers."""

import random
from datetime import date

from backend.demo.names import MOBILE_PREFIXES

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def resident_id_check(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id(rng: random.Random, *, region: str, born: date, male: bool) -> str:
    """An 18-digit resident ID: region, birth date, sequence (odd for men), check digit."""
    sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + resident_id_check(first17)


def is_valid_resident_id(value: str) -> bool:
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return resident_id_check(value[:17]) == value[17].upper()


def _organisation_check(body: str) -> str:
    total = sum(USCC_CHARSET.index(char) * weight for char, weight in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_check(first17: str) -> str:
    total = sum(
        USCC_CHARSET.index(char) * weight for char, weight in zip(first17, _USCC_WEIGHTS, strict=True)
    )
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc(rng: random.Random, *, kind: str, region: str) -> str:
    """An 18-character unified social credit code; KIND is e.g. 91 (company) or 11 (state organ)."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = f"{kind}{region}{body}{_organisation_check(body)}"
    return first17 + uscc_check(first17)


def is_valid_uscc(value: str) -> bool:
    if len(value) != 18 or any(char not in USCC_CHARSET for char in value):
        return False
    return uscc_check(value[:17]) == value[17]


def mobile_number(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def landline_number(rng: random.Random) -> str:
    """A Beijing fixed line: 010 and eight digits starting 5, 6 or 8."""
    return f"010-{rng.choice('568')}{rng.randrange(10**7):07d}"
