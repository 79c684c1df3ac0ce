"""`songda asterisk up|down|status|reload|render` and `songda softphone`, built around a settings loader
(the application passes its own: telephony does not read the application's configuration itself)."""

import json
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from dialplans.render import host_ipv4_addresses, render_config
from telephony import provisioning
from telephony.settings import TelephonySettings
from telephony.sip_accounts import agent_sip_accounts, agent_sip_password
from telephony.softphone import AgentSoftphone

SettingsLoader = Callable[[], TelephonySettings]


def _print_status(status: provisioning.AsteriskStatus) -> None:
    data = asdict(status)
    data["ami"].pop("secret")
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def asterisk_app(load_settings: SettingsLoader) -> typer.Typer:
    """The `asterisk` command group, reading its settings from LOAD_SETTINGS."""
    app = typer.Typer(help="管理 Songda 使用的 Asterisk（内置私有根目录或生产环境的现有 Asterisk）。")

    @app.command()
    def up() -> None:
        """构建（首次）、配置并启动 Asterisk，等待 AMI 报告启动完成。"""
        _print_status(provisioning.up(settings=load_settings()))

    @app.command()
    def down() -> None:
        """停止内置 Asterisk（core stop now）。"""
        provisioning.down(settings=load_settings())
        typer.echo("Asterisk 已停止")

    @app.command()
    def status() -> None:
        """显示根目录、进程与 AMI 状态。"""
        current = provisioning.status(settings=load_settings())
        _print_status(current)
        raise typer.Exit(0 if current.ami_ok else 1)

    @app.command()
    def reload() -> None:
        """重新生成并安装配置，然后重新加载 Asterisk。"""
        _print_status(provisioning.reload(settings=load_settings()))

    @app.command()
    def render(out: Annotated[Path, typer.Option(help="写入配置文件的目录")]) -> None:
        """把配置文件生成到目录中（供生产环境的现有 Asterisk 使用）。"""
        settings = load_settings()
        files = render_config(
            settings=settings,
            accounts=agent_sip_accounts(settings=settings),
            host_addresses=host_ipv4_addresses(),
        )
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (out / name).write_text(text)
        typer.echo(f"已写入 {len(files)} 个配置文件到 {out}")

    return app


def softphone_command(load_settings: SettingsLoader) -> Callable[..., None]:
    """The `softphone` command, reading its settings from LOAD_SETTINGS."""

    def softphone(
        extension: Annotated[str, typer.Option(help="坐席分机号")] = "1001",
        password: Annotated[str, typer.Option(help="SIP 密码（默认由 secret_key 推导）")] = "",
        voice: Annotated[Path | None, typer.Option(help="接通后作为坐席声音播放的 WAV")] = None,
        record_dir: Annotated[Path, typer.Option(help="保存每通电话所听到声音的目录")] = Path("."),
        auto_answer: Annotated[
            bool, typer.Option(help="自动接听；否则从标准输入读取 a=接听 h=挂断 q=退出")
        ] = True,
        calls: Annotated[int, typer.Option(help="处理完这么多通电话后退出（0 = 不限）")] = 0,
    ) -> None:
        """无界面的坐席软电话（pyVoIP）：注册、接听、播放声音、录下听到的声音。"""
        settings = load_settings()
        phone = AgentSoftphone(
            extension=extension,
            password=password or agent_sip_password(extension, settings=settings),
            server=settings.sip_host,
            server_port=settings.sip_port,
            auto_answer=auto_answer,
            voice_wav=voice,
        )
        with phone:
            typer.echo(f"分机 {extension} 已注册到 {settings.sip_host}:{settings.sip_port}")
            quit_requested = threading.Event()
            if not auto_answer:
                threading.Thread(target=_read_commands, args=(phone, quit_requested), daemon=True).start()
            _serve_calls(phone, record_dir=record_dir, calls=calls, quit_requested=quit_requested)

    return softphone


def _serve_calls(
    phone: AgentSoftphone, *, record_dir: Path, calls: int, quit_requested: threading.Event
) -> None:
    served = 0
    while (calls == 0 or served < calls) and not quit_requested.is_set():
        if not phone.ringing.wait(0.5):
            continue
        typer.echo("来电")
        while not phone.ended.wait(0.5):
            if quit_requested.is_set():
                return
        phone.ringing.clear()
        served += 1
        target = record_dir / f"{phone.extension}-call{served}.wav"
        record_dir.mkdir(parents=True, exist_ok=True)
        phone.received_audio_path.replace(target)
        typer.echo(f"通话结束，听到的声音已保存：{target}")


def _read_commands(phone: AgentSoftphone, quit_requested: threading.Event) -> None:
    for line in sys.stdin:
        command = line.strip().lower()
        if command == "a" and phone.ringing.is_set() and not phone.answered.is_set():
            phone.answer()
        elif command == "h":
            phone.hangup()
        elif command == "q":
            quit_requested.set()
            return
