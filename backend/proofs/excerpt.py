"""The transcript excerpt a phone proof quotes, from a transcript item's JSON."""

from typing import Any

from backend.evidence import service
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence

EXCERPT_LIMIT = 600
SPEAKER_LABELS = {"agent": "服务专员", "party": "当事人"}


def _speaker(label: Any) -> str:
    return SPEAKER_LABELS.get(str(label), str(label)) if label else ""


def _turn_line(turn: dict[str, Any]) -> str:
    speaker = turn.get("speaker_label") or _speaker(
        turn.get("speaker") or turn.get("leg") or turn.get("role")
    )
    text = str(turn.get("text", "")).strip()
    return f"{speaker}：{text}" if speaker else text


def transcript_text(data: Any) -> str | None:
    """Readable text of transcript JSON: "excerpt"/"text", "utterances"/"segments"/"turns", or "legs"."""
    if isinstance(data, str):
        return data.strip() or None
    if not isinstance(data, dict):
        return None
    for key in ("excerpt", "text"):
        if isinstance(data.get(key), str) and data[key].strip():
            return str(data[key]).strip()
    turns = data.get("utterances") or data.get("segments") or data.get("turns")
    if isinstance(turns, list):
        return "\n".join(_turn_line(turn) for turn in turns if isinstance(turn, dict)) or None
    legs = data.get("legs")
    if isinstance(legs, dict):
        lines = [f"{_speaker(leg)}：{transcript_text(body) or ''}" for leg, body in legs.items()]
        return "\n".join(lines) or None
    return None


def _load(item: Evidence) -> Any:
    try:
        return service.read_json(item)
    except ValueError:  # a plain-text transcript
        return service.read_text(item)


def clip(text: str, limit: int = EXCERPT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def transcript_excerpt(*, items: list[Evidence]) -> str | None:
    """The words of the call, shortened for the proof; None when nothing was transcribed."""
    for item in items:
        if item.kind == EvidenceKind.transcript and (text := transcript_text(_load(item))):
            return clip(text)
    return None
