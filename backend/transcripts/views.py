"""Transcripts API: search across the caller's cases, one transcript, a case's calls, flag review, retry.

Scope is the one rule of backend.cases.access: outside it a case's calls do not exist (404). Every read
is audited; refusals are returned (not raised) so that their audit row is committed.
"""

from typing import Annotated, Any

from fastapi import Query, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend.audit import service as audit_service
from backend.auth.dependencies import CurrentUser, client_ip, secured_router
from backend.auth.models import User
from backend.auth.roles import ALL_ROLES, Role
from backend.calls.models import CallRecord
from backend.cases.access import can_see_case
from backend.cases.models import Case
from backend.database import SessionDep
from backend.transcripts import casefile, flags, service
from backend.transcripts.models import Transcript, TranscriptFlag
from backend.transcripts.schemas import (
    CaseCallRead,
    FlagRead,
    FlagReviewCreate,
    SearchHitRead,
    SearchPage,
    SearchResultRead,
    TranscriptRead,
)
from backend.transcripts.search import SearchResult, search_transcripts

router = secured_router(prefix="/api/transcripts", tags=["通话转写"], roles=ALL_ROLES)
# Flags are reviewed by the callers and by the clerks who rely on the recording as evidence.
review_router = secured_router(
    prefix="/api/transcripts", tags=["通话转写"], roles={Role.admin, Role.supervisor, Role.agent, Role.clerk}
)
retry_router = secured_router(
    prefix="/api/transcripts", tags=["通话转写"], roles={Role.admin, Role.supervisor}
)
case_calls_router = secured_router(prefix="/api/cases", tags=["通话转写"], roles=ALL_ROLES)
SPEAKER_LABELS = {"agent": "专员", "party": "当事人"}


def _audit(db_session: Session, request: Request, user: User, action: str, **fields: Any) -> None:
    audit_service.record(
        db_session=db_session, actor=user, action=action, client_ip=client_ip(request), **fields
    )


def _not_found(
    db_session: Session, request: Request, user: User, what: str, object_type: str, object_id: int
) -> JSONResponse:
    _audit(
        db_session,
        request,
        user,
        f"{object_type}_access_denied",
        object_type=object_type,
        object_id=object_id,
    )
    return JSONResponse({"detail": f"{what}不存在"}, status_code=status.HTTP_404_NOT_FOUND)


def _visible_transcript(db_session: Session, user: User, transcript_id: int) -> Transcript | None:
    transcript = db_session.get(Transcript, transcript_id)
    visible = transcript and can_see_case(db_session=db_session, user=user, case_id=transcript.case_id)
    return transcript if visible else None


def _result_read(db_session: Session, result: SearchResult) -> SearchResultRead:
    transcript = result.transcript
    record = db_session.get_one(CallRecord, transcript.call_record_id)
    case = db_session.get_one(Case, transcript.case_id)
    hits = [
        SearchHitRead(
            utterance_index=hit.utterance_index,
            speaker=hit.speaker,
            speaker_label=SPEAKER_LABELS.get(hit.speaker, hit.speaker),
            start=hit.start,
            utterance_start=hit.utterance_start,
            utterance_end=hit.utterance_end,
            snippet=hit.snippet.text,
            snippet_html=hit.snippet.marked_html,
            highlights=list(hit.snippet.highlights),
            exact=hit.exact,
        )
        for hit in result.hits
    ]
    return SearchResultRead(
        transcript_id=transcript.id,
        call_record_id=record.id,
        call_id=record.call_id,
        case_id=case.id,
        case_number=case.case_number,
        score=round(result.score, 3),
        hits=hits,
    )


@router.get("/search", response_model=SearchPage)
def search(
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="检索词，空格分隔多个词")],
    fuzzy: Annotated[bool, Query(description="近似匹配（容忍识别错误）")] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchPage:
    """Transcripts of the caller's cases containing the query, best first, with highlighted snippets."""
    results = search_transcripts(db_session=db_session, user=user, query=q, limit=limit, fuzzy=fuzzy)
    ids = [result.transcript.id for result in results]
    _audit(
        db_session, request, user, "transcript_search", detail={"q": q, "fuzzy": fuzzy, "transcript_ids": ids}
    )
    return SearchPage(query=q, fuzzy=fuzzy, results=[_result_read(db_session, result) for result in results])


@router.get("/{transcript_id}", response_model=TranscriptRead)
def get_transcript(transcript_id: int, request: Request, user: CurrentUser, db_session: SessionDep) -> Any:
    """One transcript: status (with the error when failed), dialogue and flags."""
    transcript = _visible_transcript(db_session, user, transcript_id)
    if transcript is None:
        return _not_found(db_session, request, user, "转写记录", "transcript", transcript_id)
    _audit(
        db_session,
        request,
        user,
        "transcript_read",
        object_type="transcript",
        object_id=transcript.id,
        case_id=transcript.case_id,
    )
    return casefile.transcript_read(db_session=db_session, transcript=transcript)


@case_calls_router.get("/{case_id}/calls", response_model=list[CaseCallRead])
def case_calls(case_id: int, request: Request, user: CurrentUser, db_session: SessionDep) -> Any:
    """The case's calls with their recordings (streamed by /api/evidence/{id}/content), transcript, flags."""
    if not can_see_case(db_session=db_session, user=user, case_id=case_id):
        return _not_found(db_session, request, user, "案件", "case", case_id)
    calls = casefile.case_calls(db_session=db_session, case_id=case_id)
    _audit(
        db_session,
        request,
        user,
        "case_calls_read",
        object_type="case",
        object_id=case_id,
        case_id=case_id,
        detail={"calls": [call.call_id for call in calls]},
    )
    return calls


@review_router.post("/flags/{flag_id}/review", response_model=FlagRead)
def review_flag(
    flag_id: int, body: FlagReviewCreate, request: Request, user: CurrentUser, db_session: SessionDep
) -> Any:
    """Confirm or dismiss a key-phrase flag; only the flag changes (it is a hint, not an outcome)."""
    flag = db_session.get(TranscriptFlag, flag_id)
    if flag is None or not can_see_case(db_session=db_session, user=user, case_id=flag.case_id):
        return _not_found(db_session, request, user, "关键词提示", "transcript_flag", flag_id)
    flags.review_flag(
        db_session=db_session,
        flag=flag,
        reviewer=user,
        decision=body.decision,
        note=body.note,
        client_ip=client_ip(request),
    )
    return FlagRead.model_validate(flag)


@retry_router.post(
    "/{transcript_id}/retry", response_model=TranscriptRead, status_code=status.HTTP_202_ACCEPTED
)
def retry_transcript(transcript_id: int, request: Request, user: CurrentUser, db_session: SessionDep) -> Any:
    """Queue a failed transcript again with a fresh set of attempts."""
    transcript = _visible_transcript(db_session, user, transcript_id)
    if transcript is None:
        return _not_found(db_session, request, user, "转写记录", "transcript", transcript_id)
    try:
        service.retry_failed(db_session=db_session, transcript=transcript)
    except ValueError as error:
        return JSONResponse({"detail": str(error)}, status_code=status.HTTP_409_CONFLICT)
    _audit(
        db_session,
        request,
        user,
        "transcript_retry",
        object_type="transcript",
        object_id=transcript.id,
        case_id=transcript.case_id,
    )
    db_session.commit()
    service.enqueue_transcription(call_record_id=transcript.call_record_id)
    return casefile.transcript_read(db_session=db_session, transcript=transcript)
