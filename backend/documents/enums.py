from enum import StrEnum


class DocumentKind(StrEnum):
    summons = "summons"  # 传票
    complaint = "complaint"  # 起诉状副本
    notice = "notice"  # 应诉通知书 / 举证通知书 / 其他通知书
    evidence = "evidence"  # 证据
    judgment = "judgment"  # 判决书
    ruling = "ruling"  # 裁定书
    mediation = "mediation"  # 调解书
    other = "other"


# Judgment, ruling and mediation agreement may not be served by phone.
NOT_SERVABLE_BY_PHONE = frozenset({DocumentKind.judgment, DocumentKind.ruling, DocumentKind.mediation})

DOCUMENT_KIND_KEYWORDS: tuple[tuple[str, DocumentKind], ...] = (
    ("传票", DocumentKind.summons),
    ("起诉状", DocumentKind.complaint),
    ("上诉状", DocumentKind.complaint),
    ("申请书", DocumentKind.complaint),
    ("判决", DocumentKind.judgment),
    ("裁定", DocumentKind.ruling),
    ("调解书", DocumentKind.mediation),
    ("通知", DocumentKind.notice),
    ("证据", DocumentKind.evidence),
)


def kind_from_name(name: str) -> DocumentKind:
    """Classify a document by the keywords of its Chinese name."""
    for keyword, kind in DOCUMENT_KIND_KEYWORDS:
        if keyword in name:
            return kind
    return DocumentKind.other
