"""`songda backup DEST` and `songda restore SRC`."""

from pathlib import Path

import typer
from rich.console import Console

from backend import database
from backend.backup.service import BackupError, backup, restore
from backend.config import get_settings

console = Console()


def backup_command(dest: Path = typer.Argument(..., help="备份目录（新目录或空目录）")) -> None:
    """Write a consistent snapshot of the database, evidence and documents while the system runs."""
    settings = get_settings()
    try:
        snapshot = backup(engine=database.get_engine(), data_dir=settings.data_dir, dest=dest)
    except BackupError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    console.print(f"已备份到 {snapshot.path}：{sum(snapshot.rows.values())} 行数据，{snapshot.files} 个文件")


def restore_command(source: Path = typer.Argument(..., help="songda backup 写出的备份目录")) -> None:
    """Bring a snapshot up on an empty database and data folder; then run `songda evidence verify --all`."""
    settings = get_settings()
    settings.ensure_dirs()
    try:
        snapshot = restore(
            engine=database.get_engine(),
            database_url=settings.effective_database_url,
            data_dir=settings.data_dir,
            source=source,
        )
    except BackupError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    restored = f"已恢复 {sum(snapshot.rows.values())} 行数据，{snapshot.files} 个文件"
    console.print(f"{restored}。请运行 songda evidence verify --all 核验")
