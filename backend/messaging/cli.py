"""`songda sms up|down|status|inbox`: the embedded Kannel (bearerbox, the fake SMSC, smsbox)."""

import signal
import sys
import threading

import typer
from rich.console import Console

from backend.config import get_settings
from backend.messaging.kannel_boxes import KannelBoxes, KannelError

sms_app = typer.Typer(help="短信网关（Kannel）", no_args_is_help=True)
mail_app = typer.Typer(help="电子邮件", no_args_is_help=True)
console = Console()


def _boxes() -> KannelBoxes:
    return KannelBoxes.from_settings(get_settings())


@sms_app.command("up")
def sms_up(
    foreground: bool = typer.Option(False, help="stay running; stop Kannel on SIGTERM (containers)"),
) -> None:
    """Render Kannel's configuration into the data dir and start bearerbox, the fake SMSC and smsbox."""
    boxes = _boxes()
    try:
        boxes.up()
    except KannelError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    settings = get_settings()
    console.print(
        f"Kannel 已启动：sendsms http://127.0.0.1:{settings.kannel_sendsms_port}（配置 {boxes.config_path}）"
    )
    if not settings.sms_gateway_url.startswith("kannel+"):
        url = f"kannel+http://127.0.0.1:{settings.kannel_sendsms_port}"
        console.print(f"提示：设置 SONGDA_SMS_GATEWAY_URL={url} 以经 Kannel 发送短信")
    if foreground:
        _stay_up(boxes)


def _stay_up(boxes: KannelBoxes) -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        while not stop.wait(5) and boxes.running():
            pass
    finally:
        boxes.down()
    if not stop.is_set():
        raise typer.Exit(1)  # a box died: let the container restart


@sms_app.command("down")
def sms_down() -> None:
    """Stop smsbox, the fake SMSC and bearerbox."""
    _boxes().down()
    console.print("Kannel 已停止")


@sms_app.command("status")
def sms_status() -> None:
    """Which Kannel processes run (exit 1 when not all of them do)."""
    status = _boxes().status()
    for name, pid in status.items():
        console.print(f"{name}: {'运行中 pid ' + str(pid) if pid else '未运行'}")
    if not all(status.values()):
        raise typer.Exit(1)


@sms_app.command("inbox")
def sms_inbox(last: int = 20) -> None:
    """The last messages the fake SMSC received (concatenated parts joined)."""
    for received in _boxes().fake_smsc_inbox()[-last:]:
        console.print(f"{received.sender} -> {received.to}（{received.parts} 条）：{received.text}")


@mail_app.command("bounce")
def mail_bounce() -> None:
    """Read one returned mail (DSN) on standard input and fail the message it reports (an MTA alias pipe)."""
    from backend.database import get_session
    from backend.messaging.bounces import ingest_bounce

    with get_session() as db_session:
        message = ingest_bounce(db_session=db_session, raw=sys.stdin.buffer.read())
    console.print(f"退信已登记：消息 #{message.id}" if message else "退信未对应本系统发出的邮件，已忽略")
