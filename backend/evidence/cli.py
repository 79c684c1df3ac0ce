"""`songda evidence ...`: verify the evidence chains, and audit served deliveries against their facts."""

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import database
from backend.audit import service as audit_service
from backend.cases.models import Case
from backend.evidence.fact_audit import incomplete_services
from backend.evidence.verification import VerificationReport, cases_with_evidence, verify_case_chain

evidence_app = typer.Typer(help="证据与证据链", no_args_is_help=True)
console = Console()


def _case_label(db_session: Session, case_id: int) -> str:
    case_number = db_session.scalar(select(Case.case_number).where(Case.id == case_id))
    return case_number or f"案件 #{case_id}（已不存在）"


def _print_report(label: str, report: VerificationReport) -> None:
    counts = f"{report.entries_checked} 条链条目，{report.files_checked} 个文件"
    if report.intact:
        console.print(f"[green]✓ {escape(label)}：完好[/green]（{counts}，链头 {report.head_hash[:16]}…）")
        return
    console.print(f"[red]✗ {escape(label)}：发现 {len(report.problems)} 处问题[/red]（{counts}）")
    for problem in report.problems:
        console.print(f"    - {escape(problem.message)}")


def _target_case_ids(db_session: Session, case_number: str | None) -> list[int]:
    if case_number is None:
        return cases_with_evidence(db_session=db_session)
    case_id = db_session.scalar(select(Case.id).where(Case.case_number == case_number))
    if case_id is None:
        console.print(f"[red]未找到案件 {escape(case_number)}[/red]")
        raise typer.Exit(1)
    return [case_id]


@evidence_app.command("verify")
def verify(
    case_number: str | None = typer.Option(None, "--case", help="案号，如 (2026)京0102民初12345号"),
    all_cases: bool = typer.Option(False, "--all", help="核验全部有证据的案件"),
) -> None:
    """Recompute every chain entry and re-hash every file; exit 1 on any problem."""
    if (case_number is None) == (not all_cases):
        console.print("[red]请指定 --case 案号 或 --all（二选一）[/red]")
        raise typer.Exit(2)
    failed = 0
    with database.get_session() as db_session:
        case_ids = _target_case_ids(db_session, case_number)
        for case_id in case_ids:
            report = verify_case_chain(db_session=db_session, case_id=case_id)
            _print_report(_case_label(db_session, case_id), report)
            failed += 0 if report.intact else 1
        audit_service.record(
            db_session=db_session,
            actor=None,
            actor_username="cli",
            action="evidence_verified",
            detail={"cases": len(case_ids), "failed": failed, "case_number": case_number},
        )
    console.print(f"共核验 {len(case_ids)} 个案件，{failed} 个未通过。")
    if failed:
        raise typer.Exit(1)


@evidence_app.command("audit")
def audit() -> None:
    """List every served delivery whose required facts are incomplete; exit 1 if there is any."""
    found = 0
    with database.get_session() as db_session:
        for finding in incomplete_services(db_session=db_session):
            found += 1
            label = f"{finding.case_number} 送达任务 #{finding.delivery_id}（{finding.method}）"
            console.print(f"[red]✗ {escape(label)}[/red]：{escape('；'.join(finding.problems))}")
        audit_service.record(
            db_session=db_session,
            actor=None,
            actor_username="cli",
            action="service_facts_audited",
            detail={"incomplete": found},
        )
    if found:
        console.print(f"[red]{found} 个已送达的送达任务送达要件不全。[/red]")
        raise typer.Exit(1)
    console.print("[green]全部已送达的送达任务送达要件齐全，且均有证据支撑。[/green]")
