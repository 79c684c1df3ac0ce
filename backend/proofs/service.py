"""Proof of service (送达回证): generated per succeeded attempt, stored as evidence, verifiable by QR code."""

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.database import utcnow
from backend.deliveries.channels import channel_for
from backend.deliveries.enums import METHOD_LABELS, AttemptStatus, DeliveryMethod
from backend.deliveries.models import DeliveryAttempt
from backend.evidence import chain, service
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence, EvidenceChainEntry
from backend.evidence.verification import verify_case_chain
from backend.proofs import excerpt
from backend.proofs import facts as proof_facts
from backend.proofs.models import ProofOfService
from backend.proofs.pdf import ProofContent, render_proof


class ProofNotAllowed(ValueError):
    """The attempt cannot have a proof (not succeeded, or missing what the law requires)."""


@dataclass(frozen=True, slots=True)
class ProofCheck:
    """The public answer of a verification: no personal data."""

    proof_id: int
    intact: bool
    generated_at: datetime
    entries_checked: int
    checked_at: datetime


def verify_url(*, proof_id: int, chain_head_hash: str) -> str:
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/api/proofs/{proof_id}/verify?h={chain_head_hash}"


def _titles(method: DeliveryMethod) -> tuple[str, str]:
    return channel_for(method).proof_title, f"（{METHOD_LABELS[method]}）"


def _succeeded_attempt(db_session: Session, attempt_id: int) -> DeliveryAttempt:
    attempt = db_session.get(DeliveryAttempt, attempt_id)
    if attempt is None:
        raise LookupError(f"送达尝试不存在: {attempt_id}")
    if attempt.status != AttemptStatus.succeeded:
        raise ProofNotAllowed("只有成功的送达尝试才能生成送达回证")
    return attempt


def _check_items(db_session: Session, items: list[Evidence], chain_seq: int) -> None:
    """Every listed item must be in the chain the proof covers."""
    query = select(EvidenceChainEntry.evidence_id, EvidenceChainEntry.item_sha256).where(
        EvidenceChainEntry.evidence_id.in_([item.id for item in items]), EvidenceChainEntry.seq <= chain_seq
    )
    chained: dict[int, str] = {evidence_id: sha256 for evidence_id, sha256 in db_session.execute(query)}
    unchained = [str(item.id) for item in items if chained.get(item.id) != item.sha256]
    if unchained:
        raise ProofNotAllowed(f"证据 #{'、#'.join(unchained)} 未登记在证据链中，不能列入送达回证")


def _content(
    db_session: Session,
    attempt: DeliveryAttempt,
    proof: ProofOfService,
    items: list[Evidence],
    method_facts: list[proof_facts.Fact],
) -> ProofContent:
    title, subtitle = _titles(attempt.method)
    return ProofContent(
        proof_id=proof.id,
        court_name=attempt.delivery.case.court.name,
        title=title,
        subtitle=subtitle,
        facts=proof_facts.common_facts(db_session=db_session, attempt=attempt),
        method_facts=method_facts,
        transcript_excerpt=excerpt.transcript_excerpt(items=items),
        evidence=proof_facts.evidence_lines(items),
        signatures=proof_facts.signature_images(items),
        chain_seq=proof.chain_seq,
        chain_head_hash=proof.chain_head_hash,
        verify_url=verify_url(proof_id=proof.id, chain_head_hash=proof.chain_head_hash),
        generated_at=proof.created_at,
    )


def _existing_proof(db_session: Session, attempt_id: int) -> ProofOfService | None:
    query = select(ProofOfService).where(ProofOfService.attempt_id == attempt_id)
    return db_session.scalars(query).first()


def _new_proof(db_session: Session, attempt: DeliveryAttempt) -> ProofOfService:
    case_id = attempt.delivery.case_id
    head = chain.chain_head(db_session=db_session, case_id=case_id)
    if head is None:  # its link would carry the all-zero genesis hash, which anyone can guess
        raise ProofNotAllowed("该案件证据链为空，送达回证须列明其依据的证据")
    proof = ProofOfService(
        attempt_id=attempt.id,
        case_id=case_id,
        chain_seq=head.seq,
        chain_head_hash=head.entry_hash,
        created_at=utcnow(),
    )
    db_session.add(proof)
    db_session.flush()
    return proof


def generate_proof(*, db_session: Session, attempt_id: int) -> Evidence:
    """Render the attempt's proof PDF and store it as evidence; a second call returns the first proof."""
    attempt = _succeeded_attempt(db_session, attempt_id)
    chain.lock_case_chain(db_session=db_session, case_id=attempt.delivery.case_id)  # one proof per attempt
    existing = _existing_proof(db_session, attempt_id)
    if existing is not None and existing.evidence_id is not None:
        return db_session.get_one(Evidence, existing.evidence_id)
    try:
        method_facts = proof_facts.required_facts(db_session=db_session, attempt=attempt)
    except proof_facts.FactsIncomplete as exc:
        raise ProofNotAllowed(str(exc)) from exc
    proof = existing or _new_proof(db_session, attempt)
    items = proof_facts.proof_items(db_session=db_session, attempt=attempt)
    _check_items(db_session, items, proof.chain_seq)
    pdf = render_proof(_content(db_session, attempt, proof, items, method_facts))
    evidence = service.store_evidence(
        db_session=db_session,
        case_id=proof.case_id,
        kind=EvidenceKind.proof_pdf,
        content=pdf,
        content_type="application/pdf",
        metadata={
            "proof_id": proof.id,
            "chain_seq": proof.chain_seq,
            "chain_head_hash": proof.chain_head_hash,
        },
        created_by_system="proof",
        attempt_id=attempt.id,
    )
    proof.evidence_id = evidence.id
    db_session.flush()
    return evidence


def generate_or_existing_proof(*, db_session: Session, attempt_id: int) -> Evidence:
    """generate_proof, safe against a concurrent generation of the same proof (the automatic one, or a
    second request): the loser's unique violation is rolled back and the winner's proof returned."""
    try:
        return generate_proof(db_session=db_session, attempt_id=attempt_id)
    except IntegrityError:
        db_session.rollback()
        existing = _existing_proof(db_session, attempt_id)
        if existing is None or existing.evidence_id is None:
            raise
        return db_session.get_one(Evidence, existing.evidence_id)


def proof_for_evidence(*, db_session: Session, evidence_id: int) -> ProofOfService | None:
    return db_session.scalars(select(ProofOfService).where(ProofOfService.evidence_id == evidence_id)).first()


def _proof_intact(db_session: Session, proof: ProofOfService, claimed_hash: str) -> tuple[bool, int]:
    if proof.evidence_id is None or not hmac.compare_digest(proof.chain_head_hash, claimed_hash):
        return False, 0
    own_entry = db_session.scalars(
        select(EvidenceChainEntry).where(EvidenceChainEntry.evidence_id == proof.evidence_id)
    ).first()
    if own_entry is None or own_entry.case_id != proof.case_id:
        return False, 0
    report = verify_case_chain(db_session=db_session, case_id=proof.case_id, upto_seq=own_entry.seq)
    head_matches = proof.chain_seq == 0 or _entry_hash_at(db_session, proof) == proof.chain_head_hash
    return report.intact and head_matches, report.entries_checked


def _entry_hash_at(db_session: Session, proof: ProofOfService) -> str | None:
    query = select(EvidenceChainEntry.entry_hash).where(
        EvidenceChainEntry.case_id == proof.case_id, EvidenceChainEntry.seq == proof.chain_seq
    )
    return db_session.scalar(query)


def _holds_the_printed_hash(db_session: Session, proof: ProofOfService, claimed_hash: str) -> bool:
    """Whether CLAIMED_HASH is the chain hash printed on the proof: the proof's record of it, or the chain
    entry it names (so a record edited afterwards is still reported, to the holder of the paper)."""
    if proof.chain_seq == 0:  # a proof on an empty chain: its genesis hash is no secret
        return False
    if hmac.compare_digest(proof.chain_head_hash, claimed_hash):
        return True
    printed = _entry_hash_at(db_session, proof)
    return printed is not None and hmac.compare_digest(printed, claimed_hash)


def verify_proof(*, db_session: Session, proof_id: int, claimed_hash: str) -> ProofCheck | None:
    """Whether the proof, the chain entries it rests on and their files are intact; None when there is no
    such proof or CLAIMED_HASH is not the one printed on it (the two are not told apart)."""
    proof = db_session.get(ProofOfService, proof_id)
    if proof is None or not _holds_the_printed_hash(db_session, proof, claimed_hash):
        return None
    intact, checked = _proof_intact(db_session, proof, claimed_hash)
    return ProofCheck(
        proof_id=proof.id,
        intact=intact,
        generated_at=proof.created_at,
        entries_checked=checked,
        checked_at=utcnow(),
    )
