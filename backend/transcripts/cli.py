"""`songda transcripts ...`: queue the calls whose transcription never finished, search from the shell."""

import typer
from rich.console import Console
from rich.markup import escape

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.transcripts import service
from backend.transcripts.search import search_transcripts

transcripts_app = typer.Typer(help="通话转写", no_args_is_help=True)
console = Console()


@transcripts_app.command()
def backfill() -> None:
    """Queue every recorded call whose transcript is missing, pending, or left by a dead worker."""
    with database.get_session() as db_session:
        record_ids = service.unfinished_call_records(db_session=db_session)
    for record_id in record_ids:
        service.enqueue_transcription(call_record_id=record_id)
    console.print(f"已排队转写 {len(record_ids)} 通通话")


@transcripts_app.command()
def search(query: str, fuzzy: bool = typer.Option(False, help="近似匹配")) -> None:
    """Search every transcript (as an administrator) and print the matching utterances."""
    with database.get_session() as db_session:
        administrator = User(id=0, username="cli", full_name="命令行", role=Role.admin, password_hash="")
        results = search_transcripts(db_session=db_session, user=administrator, query=query, fuzzy=fuzzy)
        for result in results:
            console.print(f"[bold]转写 #{result.transcript.id}[/bold] 案件 #{result.transcript.case_id}")
            for hit in result.hits:
                speaker = service.SPEAKER_NAMES.get(hit.speaker, hit.speaker)
                console.print(f"  [{hit.start:7.1f} s] {speaker}：{escape(hit.snippet.text)}")
    if not results:
        console.print("没有匹配的转写")
