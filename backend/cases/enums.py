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
