"""Storing a captured signature as evidence: the strokes (points with time) and the PNG, both in the
case's chain, the PNG naming the strokes' hash. One capture, reused by every method that asks for a
signature on a screen (the court window, e-delivery, field delivery)."""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core.errors import InvalidRequest
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence
from backend.evidence.service import store_evidence
from backend.signatures.schemas import SignatureCapture

PNG_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 1_000_000
MAX_POINTS = 20_000
MIN_POINTS = 5


@dataclass(frozen=True, slots=True)
class StoredSignature:
    image: Evidence  # the PNG (kind signature)
    strokes: Evidence  # the strokes JSON (kind signature)
    points: int


def _png(data_url: str) -> bytes:
    if not data_url.startswith(PNG_PREFIX):
        raise InvalidRequest("签名图片格式有误，须为 PNG")
    try:
        png = base64.b64decode(data_url[len(PNG_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest("签名图片无法解码") from None
    if not png.startswith(PNG_MAGIC) or len(png) > MAX_PNG_BYTES:
        raise InvalidRequest("签名图片格式有误或过大")
    return png


def _points(strokes: list[dict[str, Any]]) -> int:
    total = 0
    for stroke in strokes:
        points = stroke.get("points")
        if not isinstance(points, list) or not all(
            isinstance(p, dict)
            and isinstance(p.get("x"), int | float)
            and isinstance(p.get("y"), int | float)
            for p in points
        ):
            raise InvalidRequest("签名笔迹数据有误")
        total += len(points)
    if total < MIN_POINTS:
        raise InvalidRequest("签名过短，请当事人重新签名")
    if total > MAX_POINTS:
        raise InvalidRequest("签名笔迹数据过大")
    return total


def store_signature(
    *,
    db_session: Session,
    capture: SignatureCapture,
    case_id: int,
    attempt_id: int | None,
    signer: str,
    signed_document: str,
    actor: User | None,
    context: dict[str, Any] | None = None,
    system: str | None = None,
) -> StoredSignature:
    """File SIGNER's signature of SIGNED_DOCUMENT (e.g. 送达回证): strokes JSON, then the PNG naming it;
    filed by ACTOR, or by SYSTEM where the party signs on their own device (the portal)."""
    png = _png(capture.png_data_url)
    points = _points(capture.strokes)
    about = {"signer": signer, "signed_document": signed_document, **(context or {})}
    strokes = store_evidence(
        db_session=db_session,
        case_id=case_id,
        kind=EvidenceKind.signature,
        content=json.dumps({**about, "strokes": capture.strokes}, ensure_ascii=False).encode(),
        content_type="application/json",
        metadata={**about, "part": "strokes", "points": points},
        created_by_user=actor,
        created_by_system=system,
        attempt_id=attempt_id,
    )
    image = store_evidence(
        db_session=db_session,
        case_id=case_id,
        kind=EvidenceKind.signature,
        content=png,
        content_type="image/png",
        metadata={
            **about,
            "part": "image",
            "strokes_evidence_id": strokes.id,
            "strokes_sha256": strokes.sha256,
        },
        created_by_user=actor,
        created_by_system=system,
        attempt_id=attempt_id,
    )
    return StoredSignature(image=image, strokes=strokes, points=points)
