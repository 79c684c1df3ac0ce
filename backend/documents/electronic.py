"""Which documents may be served electronically (电子送达).

PRC Civil Procedure Law (2023 text) art. 90 and the SPC's online litigation rules (2021) arts. 29-32:
with the party's consent the court may serve any document by an electronic means that confirms receipt,
judgments, rulings and mediation documents included (no longer excluded since the 2021 amendment), and
must still provide those three on paper when the party asks for it. What cannot go electronically is a
document the court holds only on paper: the party would receive nothing to open, and the 电子送达凭证
could not name its hash. Those are refused, with the reason, so another method serves them."""

from collections.abc import Iterable

from backend.documents.enums import DocumentKind
from backend.documents.models import Document

# Served electronically like the rest, but the court provides paper when the party asks (art. 90 II).
PAPER_ON_REQUEST = frozenset({DocumentKind.judgment, DocumentKind.ruling, DocumentKind.mediation})


def paper_only(documents: Iterable[Document]) -> list[Document]:
    """The documents with no electronic file (or no recorded hash) to send."""
    return [document for document in documents if not document.file_path or not document.sha256]


def electronic_refusal(documents: Iterable[Document]) -> str | None:
    """Why these documents may not be served electronically (Chinese), or None when they may."""
    documents = list(documents)
    if not documents:
        return "本次送达没有文书，不能电子送达"
    missing = paper_only(documents)
    if missing:
        names = "、".join(document.name for document in missing)
        return f"以下文书没有电子文件，不能电子送达：{names}（请先上传电子文件，或改用其他送达方式）"
    return None


def paper_on_request(documents: Iterable[Document]) -> list[Document]:
    """The documents the party may ask to have on paper as well (judgments, rulings, mediation)."""
    return [document for document in documents if document.kind in PAPER_ON_REQUEST]
