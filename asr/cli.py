"""`songda asr ...`: install the Vosk model and transcribe a recorded call, built around a settings loader
(the application passes its own: asr does not read the application's configuration itself)."""

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import typer
from rich.console import Console

from asr.model_fetch import ModelArchive, ModelFetchError, fetch_model

console = Console()


class AsrSettings(Protocol):
    """Where the Vosk model lives and the official archive `fetch-model` installs."""

    @property
    def vosk_model(self) -> Path: ...

    @property
    def vosk_model_url(self) -> str: ...

    @property
    def vosk_model_sha256(self) -> str: ...

    @property
    def vosk_model_size(self) -> int | None: ...


def asr_app(load_settings: Callable[[], AsrSettings]) -> typer.Typer:
    """The `asr` command group, reading its settings from LOAD_SETTINGS."""
    app = typer.Typer(help="语音识别", no_args_is_help=True)
    app.command("fetch-model")(_fetch_model_command(load_settings))
    app.command("transcribe")(_transcribe_command(load_settings))
    return app


def _fetch_model_command(load_settings: Callable[[], AsrSettings]) -> Callable[..., None]:
    def fetch_model_command(
        target: Path | None = typer.Option(None, help="模型目录（默认 SONGDA_VOSK_MODEL）"),
        url: str | None = typer.Option(None, help="模型压缩包地址（默认 SONGDA_VOSK_MODEL_URL）"),
        sha256: str | None = typer.Option(None, help="压缩包 SHA-256（与 --url 一起给出）"),
        size: int | None = typer.Option(None, help="压缩包字节数（可选）"),
        force: bool = typer.Option(False, "--force", help="替换已安装的模型"),
    ) -> None:
        """Download the official Vosk Mandarin model, verify its SHA-256 and unpack it."""
        settings = load_settings()
        if url and not sha256:
            console.print("[red]使用 --url 时必须给出 --sha256[/red]")
            raise typer.Exit(2)
        if url:
            archive = ModelArchive(url=url, sha256=sha256 or "", size=size)
        else:
            official = (settings.vosk_model_url, settings.vosk_model_sha256, settings.vosk_model_size)
            archive = ModelArchive(*official)
        destination = target or settings.vosk_model
        console.print(f"下载 {archive.url} …")
        try:
            installed = fetch_model(archive=archive, target_dir=destination, replace=force)
        except ModelFetchError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
        console.print(f"模型已安装：{installed}")

    return fetch_model_command


def _transcribe_command(load_settings: Callable[[], AsrSettings]) -> Callable[..., None]:
    def transcribe_command(
        agent_leg: Path = typer.Argument(..., exists=True, dir_okay=False, help="专员一侧录音"),
        party_leg: Path = typer.Argument(..., exists=True, dir_okay=False, help="当事人一侧录音"),
        model: Path | None = typer.Option(None, help="模型目录（默认 SONGDA_VOSK_MODEL）"),
    ) -> None:
        """Transcribe a two-leg call recording and print the dialogue."""
        from asr.dialogue import format_dialogue
        from asr.engine import ModelNotInstalled, transcribe_call

        model_path = model or load_settings().vosk_model
        try:
            dialogue = transcribe_call(agent_leg=agent_leg, party_leg=party_leg, model_path=model_path)
        except ModelNotInstalled as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
        console.print(format_dialogue(dialogue))

    return transcribe_command
