"""EMS court mail throughput: letters ordered and printed per second, tracking events ingested per second.

    .venv/bin/python benchmarks/postal.py [--letters 1000] [--events 100000] [--push-size 200] [--url URL]

In a private data folder and database (SQLite by default; --url for PostgreSQL, a private schema), it
makes LETTERS deliveries with a planned EMS letter each, builds the day's batch and confirms it against the
local EMS server of the tests (tests/postal/vendor_servers.py: real HTTP, SM4 decrypted and checked), then
prints the batch into one PDF each of overlay forms, thermal labels and 送达回证 cards. Then it ingests EVENTS
tracking events (EVENTS / LETTERS per letter, the last one 妥投 with a signer, so every letter is decided and
served through its channel), in pushes of PUSH_SIZE events mixing letters, one transaction per push, as the
push endpoint does. Goals (issue 16): a day's 500 letters in under 30 s; at least 2,000 events/s on SQLite.
The proofs of the served letters are the proofs worker's job: backend.wiring's reactions are not installed.
"""

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DATA_DIR = Path(tempfile.mkdtemp(prefix="songda-bench-postal-"))
os.environ["SONGDA_DATA_DIR"] = str(DATA_DIR)

from sqlalchemy import text  # noqa: E402

import backend.calls.channel  # noqa: E402  (the channels, not the reactions)
import backend.electronic.channel  # noqa: E402
import backend.entrusted.channel  # noqa: E402
import backend.field.channel  # noqa: E402
import backend.models  # noqa: E402
import backend.notice.channel  # noqa: E402
import backend.pickup.channel  # noqa: E402
import backend.postal.channel  # noqa: E402,F401
from backend import database  # noqa: E402
from backend.auth import service as auth_service  # noqa: E402
from backend.auth.models import User  # noqa: E402
from backend.auth.roles import Role  # noqa: E402
from backend.config import get_settings  # noqa: E402
from backend.core.clock import BEIJING  # noqa: E402
from backend.courts.models import Court  # noqa: E402
from backend.database import Base  # noqa: E402
from backend.postal import outcomes, printing, service, tracking  # noqa: E402
from backend.postal.enums import ItemStatus, TraceState  # noqa: E402
from backend.postal.gateway import postal_gateway  # noqa: E402
from backend.postal.gateway.base import Trace  # noqa: E402
from backend.postal.models import PostalItem  # noqa: E402
from tests.postal.conftest import DAY, add_letters  # noqa: E402
from tests.postal.vendor_servers import EMS_AUTH, EMS_KEY, EMS_PUSH_KEY, EMS_SENDER, EmsServer  # noqa: E402


def configure(url: str | None, ems: EmsServer) -> None:
    os.environ["SONGDA_DATABASE_URL"] = url or f"sqlite:///{DATA_DIR / 'bench.sqlite3'}"
    os.environ["SONGDA_POSTAL_GATEWAY_URL"] = f"ems+{ems.url}/api"
    os.environ.update(
        {
            "SONGDA_EMS_SENDER_NO": EMS_SENDER,
            "SONGDA_EMS_AUTHORIZATION": EMS_AUTH,
            "SONGDA_EMS_SECRET_KEY": EMS_KEY,
            "SONGDA_EMS_PUSH_KEY": EMS_PUSH_KEY,
        }
    )
    get_settings.cache_clear()
    get_settings().ensure_dirs()
    Base.metadata.create_all(database.configure(get_settings().effective_database_url))


def private_schema(base_url: str) -> tuple[str, str]:
    schema = f"bench_postal_{uuid.uuid4().hex[:8]}"
    with database.build_engine(base_url).begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in base_url else "?"
    return f"{base_url}{joiner}options=-csearch_path%3D{schema}", schema


def order_and_print(count: int) -> list[str]:
    with database.get_session() as session:
        court = Court(code="京0102", name="北京市西城区人民法院", address="北京市西城区二龙路甲1号")
        session.add(court)
        session.flush()
        clerk = auth_service.create_user(
            db_session=session,
            username="bench-clerk",
            full_name="书记员",
            role=Role.clerk,
            password="bench-password-42",
            court_id=court.id,
        )
        add_letters(session, court, clerk, count)
    started = time.perf_counter()
    with database.get_session() as session:
        clerk = session.query(User).filter_by(username="bench-clerk").one()
        [batch] = service.build_batches(db_session=session, actor=clerk, day=DAY).batches
        report = service.confirm_batch(db_session=session, actor=clerk, batch=batch, gateway=postal_gateway())
        assert not report.errors, report.errors
        ordered = time.perf_counter()
        sheets = service.sheets_of(db_session=session, batch=batch)
    forms = printing.render_forms(sheets)
    labels = printing.render_labels(sheets)
    cards = printing.render_cards(sheets)
    done = time.perf_counter()
    print(
        f"letters: {count}; ordered in {ordered - started:.1f} s "
        f"({count / (ordered - started):.0f} letters/s, local EMS server over HTTP with SM4)"
    )
    print(
        f"  printed in {done - ordered:.1f} s ({count / (done - ordered):.0f} letters/s): forms "
        f"{len(forms) / 1e6:.1f} MB, labels {len(labels) / 1e6:.1f} MB, cards {len(cards) / 1e6:.1f} MB"
    )
    print(
        f"  ordered and printed: {count / (done - started):.0f} letters/s; 500 letters would take "
        f"{500 * (done - started) / count:.1f} s (goal < 30 s)"
    )
    return [sheet.waybill_no for sheet in sheets]


def events_for(waybills: list[str], total: int) -> list[Trace]:
    per_letter = max(2, total // len(waybills))
    start = datetime(2026, 3, 2, 8, 0, tzinfo=BEIJING)
    traces = []
    for waybill in waybills:
        for number in range(per_letter):
            last = number == per_letter - 1
            traces.append(
                Trace(
                    waybill_no=waybill,
                    op_time=start + timedelta(minutes=number),
                    op_code="704" if last else "954",
                    state=TraceState.delivered if last else TraceState.in_transit,
                    description="已妥投，签收人：本人" if last else f"到达处理中心（第 {number} 站）",
                    place="北京市 北京邮区中心局",
                    signer="本人" if last else None,
                )
            )
    return traces


def ingest(traces: list[Trace], push_size: int) -> None:
    random.Random(16).shuffle(traces)  # pushes mix letters and arrive out of order
    deciding = [0.0]
    decide = outcomes.decide

    def timed_decide(**kwargs: Any) -> bool:  # how much of the time goes to serving the decided letters
        begun = time.perf_counter()
        try:
            return decide(**kwargs)
        finally:
            deciding[0] += time.perf_counter() - begun

    outcomes.decide = timed_decide  # type: ignore[assignment]
    started = time.perf_counter()
    decided = 0
    for offset in range(0, len(traces), push_size):
        with database.get_session() as session:
            report = tracking.ingest(db_session=session, traces=traces[offset : offset + push_size])
            decided += len(report.decided)
    seconds = time.perf_counter() - started
    with database.get_session() as session:
        served = session.query(PostalItem).filter(PostalItem.status == ItemStatus.served).count()
    print(
        f"events: {len(traces)} in {seconds:.1f} s = {len(traces) / seconds:.0f} events/s "
        f"(pushes of {push_size}; {decided} letters decided, {served} served through the channel)"
    )
    stored = seconds - deciding[0]
    print(
        f"  of which storing and deduplicating: {stored:.1f} s = {len(traces) / stored:.0f} events/s; "
        f"deciding and serving: {deciding[0]:.1f} s = {decided / deciding[0]:.0f} letters/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--push-size", type=int, default=200)
    parser.add_argument("--url", default=None, help="PostgreSQL URL (a private schema is made and dropped)")
    args = parser.parse_args()
    ems = EmsServer().start()
    schema = None
    url = args.url
    if url:
        url, schema = private_schema(url)
    try:
        configure(url, ems)
        print(f"database: {database.get_engine().dialect.name}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
        waybills = order_and_print(args.letters)
        ingest(events_for(waybills, args.events), args.push_size)
    finally:
        ems.stop()
        database.get_engine().dispose()
        if schema and args.url:
            with database.build_engine(args.url).begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
