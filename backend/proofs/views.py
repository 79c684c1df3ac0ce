"""Proof of service API: generate an attempt's proof; the public QR-code check (JSON or a Chinese page)."""

import re
from html import escape
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse, JSONResponse

from backend.audit import service as audit_service
from backend.auth.dependencies import CurrentUser, client_ip, secured_router
from backend.auth.roles import ALL_ROLES, Role
from backend.cases.access import can_see_case
from backend.core.http import service_errors
from backend.database import SessionDep
from backend.deliveries.models import DeliveryAttempt
from backend.evidence.models import Evidence
from backend.proofs import confirmation
from backend.proofs import service as proof_service
from backend.proofs.facts import shanghai_time
from backend.proofs.schemas import (
    AddressConfirmationPdfCreate,
    AddressConfirmationPdfRead,
    ProofCheckRead,
    ProofCreate,
    ProofRead,
)

PROOF_ROLES = {Role.admin, Role.supervisor, Role.agent, Role.field_officer}
proof_router = secured_router(prefix="/api/proofs", tags=["送达回证"], roles=PROOF_ROLES)
public_proof_router = APIRouter(prefix="/api/proofs", tags=["送达回证"])
CHAIN_HASH = re.compile(r"[0-9a-f]{64}")  # what a proof's QR code carries; anything else is not found


@proof_router.post("", response_model=ProofRead, status_code=status.HTTP_201_CREATED)
def create_proof(body: ProofCreate, request: Request, user: CurrentUser, db_session: SessionDep) -> Any:
    """Generate (or return) the proof of service of a succeeded attempt."""
    attempt = db_session.get(DeliveryAttempt, body.attempt_id)
    case_id = attempt.delivery.case_id if attempt else None
    if case_id is None or not can_see_case(db_session=db_session, user=user, case_id=case_id):
        return JSONResponse({"detail": "送达尝试不存在"}, status_code=404)
    try:
        evidence = proof_service.generate_or_existing_proof(db_session=db_session, attempt_id=body.attempt_id)
    except proof_service.ProofNotAllowed as exc:
        return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_409_CONFLICT)
    proof = proof_service.proof_for_evidence(db_session=db_session, evidence_id=evidence.id)
    assert proof is not None
    audit_service.record(
        db_session=db_session,
        actor=user,
        action="proof_generated",
        object_type="proof",
        object_id=proof.id,
        case_id=case_id,
        client_ip=client_ip(request),
    )
    return ProofRead(
        proof_id=proof.id,
        attempt_id=proof.attempt_id,
        evidence_id=evidence.id,
        chain_seq=proof.chain_seq,
        chain_head_hash=proof.chain_head_hash,
        verify_url=proof_service.verify_url(proof_id=proof.id, chain_head_hash=proof.chain_head_hash),
    )


def _wants_html(request: Request, format_: str | None) -> bool:
    if format_ is not None:
        return format_ == "html"
    return "text/html" in request.headers.get("accept", "")


def _page(title: str, verdict: str, colour: str, rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>" for label, value in rows)
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>body{{font-family:sans-serif;max-width:36em;margin:2em auto;"
        f"padding:0 1em}}h2{{color:{colour}}}th{{text-align:left;padding-right:1em}}</style></head>"
        f"<body><h1>{escape(title)}</h1><h2>{escape(verdict)}</h2><table>{cells}</table>"
        "<p>本页只说明回证及其证据是否完好，不显示任何当事人信息。</p></body></html>"
    )


def _check_page(check: proof_service.ProofCheck) -> HTMLResponse:
    verdict, colour = (
        ("核验通过：回证及其所列证据完好，未被改动", "#1a7f37")
        if check.intact
        else ("核验未通过：回证或其证据已被改动、缺失，或链接不正确", "#cf222e")
    )
    rows = [
        ("回证编号", str(check.proof_id)),
        ("回证生成时间", shanghai_time(check.generated_at) + "（北京时间）"),
        ("核验时间", shanghai_time(check.checked_at) + "（北京时间）"),
        ("核验的证据链条目", str(check.entries_checked)),
    ]
    return HTMLResponse(_page("送达回证核验", verdict, colour, rows))


@public_proof_router.get("/{proof_id}/verify", response_model=ProofCheckRead)
def verify_proof(
    proof_id: int,
    request: Request,
    db_session: SessionDep,
    h: Annotated[str, Query(max_length=128, description="回证上的证据链头哈希")],
    format_: Annotated[Literal["json", "html"] | None, Query(alias="format")] = None,
) -> Any:
    """Public: whether a proof and the chain entries it rests on are intact (no personal data)."""
    well_formed = CHAIN_HASH.fullmatch(h) is not None
    check = (
        proof_service.verify_proof(db_session=db_session, proof_id=proof_id, claimed_hash=h)
        if well_formed
        else None
    )
    audit_service.record(
        db_session=db_session,
        actor=None,
        actor_username="public",
        action="proof_checked",
        object_type="proof",
        object_id=proof_id,
        client_ip=client_ip(request),
        detail={"intact": check.intact if check else None},
    )
    html = _wants_html(request, format_)
    if check is None:
        if html:
            return HTMLResponse(_page("送达回证核验", "未找到该送达回证", "#cf222e", []), status_code=404)
        return JSONResponse({"detail": "未找到该送达回证"}, status_code=404)
    return _check_page(check) if html else ProofCheckRead.model_validate(check)


confirmation_router = secured_router(prefix="/api/proofs", tags=["送达回证"], roles=ALL_ROLES)


@confirmation_router.post("/address-confirmations", response_model=AddressConfirmationPdfRead)
def address_confirmation_pdf(
    body: AddressConfirmationPdfCreate, request: Request, user: CurrentUser, db_session: SessionDep
) -> Any:
    """The signed 送达地址确认书 as a PDF for the paper file (made once, kept as evidence)."""
    source = db_session.get(Evidence, body.evidence_id)
    if source is None or not can_see_case(db_session=db_session, user=user, case_id=source.case_id):
        return JSONResponse({"detail": "送达地址确认书不存在"}, status_code=404)
    with service_errors():
        pdf = confirmation.address_confirmation_pdf(db_session=db_session, source=source)
    audit_service.record(
        db_session=db_session,
        actor=user,
        action="address_confirmation_printed",
        object_type="evidence",
        object_id=pdf.id,
        case_id=source.case_id,
        client_ip=client_ip(request),
    )
    db_session.commit()
    return AddressConfirmationPdfRead(evidence_id=pdf.id, sha256=pdf.sha256)
