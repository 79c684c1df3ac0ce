from enum import StrEnum


class CaseType(StrEnum):
    civil = "civil"
    commercial = "commercial"
    administrative = "administrative"
    enforcement = "enforcement"
    mediation = "mediation"


CASE_TYPE_LABELS: dict[CaseType, str] = {
    CaseType.civil: "民事",
    CaseType.commercial: "商事",
    CaseType.administrative: "行政",
    CaseType.enforcement: "执行",
    CaseType.mediation: "多元调解+速裁",
}

# The call queue's order among equal deadlines and hearings: fast-track mediation first (short statutory
# periods), then commercial, civil, administrative, enforcement.
CASE_TYPE_PRIORITY: dict[CaseType, int] = {
    CaseType.mediation: 0,
    CaseType.commercial: 1,
    CaseType.civil: 2,
    CaseType.administrative: 3,
    CaseType.enforcement: 4,
}
