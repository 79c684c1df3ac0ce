"""`songda import FILE`: the court export imported from the command line, with a progress bar."""

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from backend import database
from backend.intake import service
from backend.intake.enums import JobStatus
from backend.intake.models import ImportJob
from backend.intake.plan import SUMMARY_LABELS
from backend.intake.progress import ProgressListener
from backend.intake.writer import WRITE_STEPS

SHOWN_WARNINGS = 30


class RichProgress(ProgressListener):
    """Two bars: rows validated, then write steps."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.validation: TaskID = progress.add_task("读取与校验", total=None)
        self.writing: TaskID | None = None

    def total(self, rows: int) -> None:
        self.progress.update(self.validation, total=rows)

    def rows_done(self, rows: int) -> None:
        self.progress.update(self.validation, completed=rows)

    def phase(self, status: JobStatus, label: str) -> None:
        if status is JobStatus.writing:
            self.writing = self.progress.add_task(label, total=len(WRITE_STEPS) + 1)

    def step_done(self, label: str) -> None:
        if self.writing is not None:
            self.progress.update(self.writing, advance=1, description=f"写入数据库：{label}")


def import_export(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="法院导出的案件表（CSV或XLSX）"
    ),
    documents: Path | None = typer.Option(
        None, "--documents", exists=True, help="文书文件所在的文件夹或zip压缩包"
    ),
    court: str | None = typer.Option(None, "--court", help="法院代码（如京0102），默认为配置的法院"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只校验并统计，不写入任何数据"),
    valid_only: bool = typer.Option(
        False, "--valid-only", help="只导入无误的案件（每个案件整体导入或整体拒绝），列出被拒的案件"
    ),
) -> None:
    """Import a court export (CSV or XLSX): the whole file or nothing, or (--valid-only) its valid cases."""
    console = Console()  # created per run so that the terminal width is current
    with database.get_session() as session:
        try:
            job = service.create_job(
                db_session=session,
                filename=file.name,
                source_path=file.resolve(),
                documents_path=documents.resolve() if documents else None,
                court_code=court,
                dry_run=dry_run,
                valid_cases_only=valid_only,
            )
        except ValueError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
        job_id = job.id
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        job = service.run_job(job_id=job_id, listener=RichProgress(progress))
    _report(console, job)
    if job.status != JobStatus.done:
        raise typer.Exit(1)


def _report(console: Console, job: ImportJob) -> None:
    if job.errors:
        total = job.summary.get("error_count", len(job.errors))
        outcome = "所在案件未导入" if job.status == JobStatus.partial else "未写入任何数据"
        console.print(_issues_table(f"错误（共{total}条，{outcome}）", job.errors))
    if job.warnings:
        console.print(_issues_table("警告", job.warnings[:SHOWN_WARNINGS]))
        more = job.summary.get("warning_count", len(job.warnings)) - min(len(job.warnings), SHOWN_WARNINGS)
        if more > 0:
            console.print(f"另有{more}条警告未显示")
    for refused in job.summary.get("refused_cases", []):
        rows = "、".join(str(row) for row in refused["rows"])
        console.print(f"被拒：{refused['case_number'] or '案号无法识别'}（第{rows}行）")
    if job.status in (JobStatus.done, JobStatus.partial):
        console.print(f"导入任务#{job.id}：{'试运行，未写入' if job.dry_run else '已导入'} {job.filename}")
        console.print(_summary_table(job))


def _issues_table(title: str, issues: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    for header in ("行", "列", "内容"):
        table.add_column(header, overflow="fold")
    table.add_column("问题", overflow="fold", min_width=24)
    for issue in issues:
        row = "文件" if issue["row"] is None else str(issue["row"])
        table.add_row(row, issue["column"] or "", issue["value"] or "", issue["message"])
    return table


def _summary_table(job: ImportJob) -> Table:
    table = Table("项目", "数量")
    for key, label in SUMMARY_LABELS.items():
        table.add_row(label, str(job.summary.get(key, 0)))
    return table
