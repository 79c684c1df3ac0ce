"""The `songda` command: serve, worker, db, import, demo, users, and the telephony/ASR tools."""

import typer
from rich.console import Console
from rich.table import Table

import backend.wiring  # noqa: F401  (channels, reactions, periodic jobs)
from asr.cli import asr_app
from backend import database, dbmigrate
from backend.auth import service as auth_service
from backend.auth.roles import ROLE_LABELS, Role
from backend.backup.cli import backup_command, restore_command
from backend.config import get_settings
from backend.core import schedule
from backend.evidence.cli import evidence_app
from backend.intake.cli import import_export
from backend.messaging.cli import mail_app, sms_app
from backend.transcripts.cli import transcripts_app
from telephony.cli import asterisk_app, softphone_command

app = typer.Typer(help="送达 Songda 司法送达平台", no_args_is_help=True)
db_app = typer.Typer(help="数据库", no_args_is_help=True)
user_app = typer.Typer(help="用户管理", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.command(name="import")(import_export)
app.add_typer(evidence_app, name="evidence")
app.add_typer(asterisk_app(get_settings), name="asterisk")
app.add_typer(asr_app(get_settings), name="asr")
app.add_typer(transcripts_app, name="transcripts")
app.add_typer(sms_app, name="sms")
app.add_typer(mail_app, name="mail")
app.command(name="softphone")(softphone_command(get_settings))
app.command(name="backup")(backup_command)
app.command(name="restore")(restore_command)
console = Console()


@app.command()
def serve(host: str | None = None, port: int | None = None, reload: bool = False) -> None:
    """Run the web server (API and agent desk)."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "backend.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        reload=reload,
        # Desk messages are small JSON; compressing each one per socket costs more CPU than it saves.
        ws_per_message_deflate=False,
    )


@app.command()
def worker(concurrency: int = 2, beat: bool = False) -> None:
    """Run a Celery worker (production: SONGDA_TASK_QUEUE_URL=redis://...)."""
    from backend.worker import celery_app

    celery_app.conf.beat_schedule = schedule.beat_schedule()  # for --beat; backend.wiring declared the jobs
    argv = ["worker", "--loglevel=INFO", f"--concurrency={concurrency}"]
    if beat:
        argv.append("--beat")
    celery_app.worker_main(argv)


@app.command()
def beat() -> None:
    """Run the Celery beat scheduler (one per deployment)."""
    from backend.worker import celery_app

    celery_app.conf.beat_schedule = schedule.beat_schedule()  # the periodic jobs backend.wiring declared
    celery_app.start(["beat", "--loglevel=INFO"])


@app.command()
def demo(
    cases: int = typer.Option(300, min=1, help="生成的案件数"),
    seed: int = typer.Option(2026, help="随机种子：相同种子生成相同数据"),
    reset: bool = typer.Option(False, help="先删除已有演示数据再重新生成"),
) -> None:
    """Seed demo data: cases, parties, PDFs, deliveries, and one user per role."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from backend.demo.seed import report_lines, seed_demo

    try:
        with database.get_session() as session:
            report = seed_demo(db_session=session, cases=cases, seed=seed, reset=reset)
    except (OperationalError, ProgrammingError) as exc:
        message = f"数据库不可用或尚未初始化（请先运行 songda db upgrade）：{exc.orig}"
        console.print(message, style="red", markup=False)
        raise typer.Exit(1) from exc
    for line in report_lines(report):
        console.print(line)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Create or migrate the database schema."""
    get_settings().ensure_dirs()
    dbmigrate.upgrade(revision=revision)
    console.print(f"数据库已升级至 {revision}: {get_settings().effective_database_url}")


@user_app.command("add")
def user_add(
    username: str,
    role: Role,
    full_name: str = typer.Option(..., "--name", help="姓名"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    agent_group: str | None = None,
    sip_extension: str | None = None,
) -> None:
    """Create a user."""
    with database.get_session() as session:
        try:
            auth_service.create_user(
                db_session=session,
                username=username,
                full_name=full_name,
                role=role,
                password=password,
                agent_group=agent_group,
                sip_extension=sip_extension,
            )
        except (auth_service.UserExists, ValueError) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
    console.print(f"已创建用户 {username}（{ROLE_LABELS[role]}）")


@user_app.command("list")
def user_list() -> None:
    """List users."""
    from sqlalchemy import select

    from backend.auth.models import User

    table = Table("用户名", "姓名", "角色", "状态")
    with database.get_session() as session:
        for user in session.scalars(select(User).order_by(User.username)):
            state = "启用" if user.is_active else "停用"
            table.add_row(user.username, user.full_name, ROLE_LABELS[user.role], state)
    console.print(table)


def _change_user(username: str, action: str) -> None:
    with database.get_session() as session:
        try:
            user = auth_service.get_user(db_session=session, username=username)
        except auth_service.UnknownUser as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
        if action == "disable":
            auth_service.set_active(db_session=session, user=user, active=False)
        elif action == "enable":
            auth_service.set_active(db_session=session, user=user, active=True)
        else:
            auth_service.unlock(user=user)


@user_app.command("disable")
def user_disable(username: str) -> None:
    """Disable a user and end their sessions."""
    _change_user(username, "disable")
    console.print(f"已停用 {username}")


@user_app.command("enable")
def user_enable(username: str) -> None:
    """Re-enable a user."""
    _change_user(username, "enable")
    console.print(f"已启用 {username}")


@user_app.command("unlock")
def user_unlock(username: str) -> None:
    """Lift a lockout after repeated failed logins."""
    _change_user(username, "unlock")
    console.print(f"已解锁 {username}")


@user_app.command("set-password")
def user_set_password(
    username: str,
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Set a new password; the user's sessions end."""
    with database.get_session() as session:
        try:
            user = auth_service.get_user(db_session=session, username=username)
            auth_service.set_password(db_session=session, user=user, password=password)
        except (auth_service.UnknownUser, ValueError) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
    console.print(f"已重置 {username} 的密码")
