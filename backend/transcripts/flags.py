"""Key-phrase flags of a transcript: stored for review, confirmed or dismissed by a person, audited.

A flag is a hint: nothing else changes state because of it (no delivery outcome, no address).
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit import service as audit_service
from backend.auth.models import User
from backend.database import utcnow
from backend.transcripts.enums import FlagReview
from backend.transcripts.models import Transcript, TranscriptFlag
from backend.transcripts.phrases import PhraseRule, find_phrases, load_rules


def flag_transcript(
    *,
    db_session: Session,
    transcript: Transcript,
    utterances: Sequence[dict[str, Any]],
    rules: Sequence[PhraseRule] | None = None,
) -> list[TranscriptFlag]:
    """Store a flag for each key phrase in UTTERANCES (the dialogue with word times)."""
    found = find_phrases(utterances, rules if rules is not None else load_rules())
    flags = [
        TranscriptFlag(
            transcript_id=transcript.id,
            case_id=transcript.case_id,
            category=item.category,
            phrase=item.phrase,
            speaker=item.speaker,
            utterance_index=item.utterance_index,
            char_offset=item.char_offset,
            start=item.start,
            end=item.end,
            utterance_text=item.utterance_text,
        )
        for item in sorted(found, key=lambda item: (item.utterance_index, item.char_offset))
    ]
    db_session.add_all(flags)
    return flags


def transcript_flags(
    *, db_session: Session, transcript_ids: Sequence[int]
) -> dict[int, list[TranscriptFlag]]:
    """The flags of each transcript, in dialogue order."""
    query = (
        select(TranscriptFlag)
        .where(TranscriptFlag.transcript_id.in_(transcript_ids))
        .order_by(TranscriptFlag.utterance_index, TranscriptFlag.char_offset, TranscriptFlag.id)
    )
    flags: dict[int, list[TranscriptFlag]] = {transcript_id: [] for transcript_id in transcript_ids}
    for flag in db_session.scalars(query):
        flags[flag.transcript_id].append(flag)
    return flags


def review_flag(
    *,
    db_session: Session,
    flag: TranscriptFlag,
    reviewer: User,
    decision: FlagReview,
    note: str | None,
    client_ip: str | None = None,
) -> TranscriptFlag:
    """Record a reviewer's decision on a flag (and only that), with an audit row."""
    previous = flag.review_status
    flag.review_status = decision
    flag.reviewed_by_user_id = reviewer.id
    flag.reviewed_at = utcnow()
    flag.review_note = note
    audit_service.record(
        db_session=db_session,
        actor=reviewer,
        action="transcript_flag_reviewed",
        object_type="transcript_flag",
        object_id=flag.id,
        case_id=flag.case_id,
        client_ip=client_ip,
        detail={"category": flag.category.value, "from": previous.value, "to": decision.value, "note": note},
    )
    return flag
