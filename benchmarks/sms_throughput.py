"""SMS throughput through the real Kannel and its fake SMSC: messages submitted per second and delivery
reports matched per second, none lost or duplicated.

    .venv/bin/python benchmarks/sms_throughput.py [--messages 10000] [--senders 16]
        [--report-workers 1] [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]

In a private data folder and database (SQLite by default; --url for PostgreSQL, a private schema dropped
at the end), it starts Kannel (bearerbox, the fake SMSC of kannel-extras, smsbox) on free ports and
Songda's delivery-report endpoint (the messaging router: in the senders' process, as the embedded
`songda serve` has its API and its task threads in one process, with --report-workers 0; otherwise
REPORT_WORKERS uvicorn processes beside the senders, as API processes beside Celery workers), and writes
MESSAGES queued SMS to the outbox as `queue_sms` does (a Chinese 12368 notice each, about 100 characters
sent as two concatenated UCS-2 parts, each message with its own text and delivery-report token). SENDERS
threads then run the send task's body (`sending.send_message`: claim, Kannel's sendsms, record) as Celery
workers would, while smsbox calls the report URL back twice per message (accepted by the SMSC, then
delivered; Kannel reports a concatenated message once, not per part). It prints messages
submitted per second, delivery reports matched per second, end to end, and checks that the fake SMSC
received every text exactly once and that every message ended delivered. Goal (issue 14): at least
200 messages/s end to end. It takes /tmp/kannel.lock itself while Kannel runs (do not wrap it in flock).
It prints figures and asserts nothing.

Where a sender's time goes now: mostly waiting for sendsms's answer. smsbox answers once bearerbox has
stored the message and acknowledged it, and Kannel 1.4.5 sets no TCP_NODELAY on the smsbox-bearerbox
link: a small write (smsbox acknowledging a delivery report) left unacknowledged holds the next
submission back until the kernel's delayed ACK, up to 40 ms. Kannel alone (no database) took about 400
sendsms/s from 16 threads here, about 900/s with TCP_NODELAY forced on both boxes by a preloaded shim
(an experiment, not shipped). The database writes of claims, answers and reports are grouped (backend/
messaging/batching.py) and cost well under a millisecond per message.
"""

import argparse
import fcntl
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

KANNEL_LOCK = "/tmp/kannel.lock"
NOTICE = (
    "【北京市西城区人民法院】北京某某科技有限公司您好：您有(2026)京0102民初{n}号案件的文书（应诉通知书、"
    "起诉状副本）送达，请点击链接查收：https://12368.example/s/{token} 。"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def report_app() -> object:
    """The delivery-report endpoint alone (what smsbox calls), for `uvicorn --factory`."""
    from fastapi import FastAPI

    import backend.wiring  # noqa: F401  (the mappers, and the listeners a report may announce to)
    from backend.messaging.views import report_router

    app = FastAPI()
    app.include_router(report_router)
    return app


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def private_schema(base_url: str) -> tuple[str, str]:
    from backend import database

    schema = f"bench_sms_{uuid.uuid4().hex[:8]}"
    with database.build_engine(base_url).begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    joiner = "&" if "?" in base_url else "?"
    return f"{base_url}{joiner}options=-csearch_path%3D{schema}", schema


def drop_schema(base_url: str, schema: str) -> None:
    from backend import database

    engine = database.build_engine(base_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    engine.dispose()


def queue_messages(count: int) -> list[int]:
    """COUNT queued SMS, written as queue_sms writes them (without the send task it queues)."""
    import secrets

    from sqlalchemy import insert, select

    from backend import database
    from backend.messaging.models import SmsOutbox

    rows = [
        {
            "to_number": f"139{n:08d}",
            "text": NOTICE.format(n=10000 + n, token=secrets.token_urlsafe(12)),
            "purpose": "benchmark",
            "dlr_token": secrets.token_urlsafe(24),
        }
        for n in range(count)
    ]
    with database.get_session() as session:
        for start in range(0, count, 1000):
            session.execute(insert(SmsOutbox), rows[start : start + 1000])
    with database.get_session() as session:
        return list(session.scalars(select(SmsOutbox.id).order_by(SmsOutbox.id)))


def _fresh_process() -> None:
    """A forked sender: its own engine and its own connections to smsbox (none shared with the parent)."""
    from backend import database
    from backend.config import get_settings
    from backend.messaging import gateway

    database.configure(get_settings().effective_database_url)
    gateway._sms.cache_clear()


def send_all(ids: list[int], senders: int) -> Counter[str]:
    """Run the send task's body for IDS on SENDERS threads; the statuses it left them in."""
    from backend.messaging import sending

    with ThreadPoolExecutor(max_workers=senders) as pool:
        return Counter(str(status) for status in pool.map(sending.send_message, ids))


def counts() -> Counter[str]:
    from sqlalchemy import func, select

    from backend import database
    from backend.messaging.models import SmsOutbox

    with database.get_session() as session:
        rows = session.execute(select(SmsOutbox.status, func.count()).group_by(SmsOutbox.status)).all()
    return Counter({status.value: number for status, number in rows})


def run(args: argparse.Namespace, data_dir: Path, database_url: str) -> None:
    import backend.wiring  # noqa: F401  (every mapper, for create_all)
    from backend import database
    from backend.config import get_settings
    from backend.database import Base
    from backend.messaging import sending
    from backend.messaging.kannel_boxes import KannelBoxes

    boxes = KannelBoxes(
        directory=data_dir / "kannel",
        admin_port=free_port(),
        smsbox_port=free_port(),
        sendsms_port=free_port(),
        smsc_port=free_port(),
        admin_password="bench-admin",
        username="songda-bench",
        password="bench-sms-secret",
    )
    report_port = free_port()
    os.environ.update(
        {
            "SONGDA_DATABASE_URL": database_url,
            "SONGDA_SMS_GATEWAY_URL": f"kannel+http://127.0.0.1:{boxes.sendsms_port}",
            "SONGDA_SMS_USERNAME": boxes.username,
            "SONGDA_SMS_PASSWORD": boxes.password,
            "SONGDA_SMS_REPORT_BASE_URL": f"http://127.0.0.1:{report_port}",
        }
    )
    get_settings.cache_clear()
    get_settings().ensure_dirs()
    Base.metadata.create_all(database.configure(get_settings().effective_database_url))
    if not args.report_workers:  # the embedded default: one process serves the reports and sends
        server = uvicorn.Server(
            uvicorn.Config(report_app(), host="127.0.0.1", port=report_port, log_level="warning")  # type: ignore[arg-type]
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            boxes.up()
            wait_for_port(report_port)
            measure(args, boxes, sending)
        finally:
            boxes.down()
            server.should_exit = True
            thread.join(timeout=20)
        return
    reports = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "benchmarks.sms_throughput:report_app",
            "--port",
            str(report_port),
            "--workers",
            str(args.report_workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env=os.environ.copy(),
    )
    try:
        boxes.up()
        wait_for_port(report_port)
        measure(args, boxes, sending)
    finally:
        reports.terminate()
        reports.wait(timeout=20)
        boxes.down()


def measure(args: argparse.Namespace, boxes: object, sending: object) -> None:
    from backend.messaging.kannel_boxes import KannelBoxes

    assert isinstance(boxes, KannelBoxes)
    started = time.perf_counter()
    ids = queue_messages(args.messages)
    queued = time.perf_counter()
    workers = f"{args.report_workers} uvicorn processes" if args.report_workers else "in the senders' process"
    print(f"queued {len(ids):,} SMS in {queued - started:.1f} s; delivery reports served {workers}")
    if args.sender_processes > 1:  # as Celery's prefork workers: processes, each with its threads
        processes = args.sender_processes
        slices = [(ids[start::processes], args.senders) for start in range(processes)]
        with multiprocessing.get_context("fork").Pool(processes, initializer=_fresh_process) as pool:
            results = sum(pool.starmap(send_all, slices), Counter())
    else:
        results = send_all(ids, args.senders)
    submitted = time.perf_counter()
    send_seconds = submitted - queued
    print(
        f"submitted {args.messages:,} to Kannel in {send_seconds:.1f} s: "
        f"{args.messages / send_seconds:.0f} messages/s ({args.sender_processes} x {args.senders} senders; "
        f"{dict(results)})"
    )
    deadline = time.monotonic() + args.timeout
    while True:
        now = counts()
        if now["delivered"] + now["failed"] >= args.messages or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    finished = time.perf_counter()
    matched = now["delivered"]
    print(
        f"delivery reports matched: {matched:,} delivered ({dict(now)}), the last "
        f"{finished - submitted:.1f} s after the last submission; "
        f"{2 * matched / (finished - queued):.0f} reports/s (accepted + delivered), "
        f"{matched / (finished - queued):.0f} messages delivered/s"
    )
    print(f"end to end: {args.messages:,} messages in {finished - queued:.1f} s = "
          f"{args.messages / (finished - queued):.0f} messages/s (goal >= 200/s)")
    texts = Counter(sms.text for sms in boxes.fake_smsc_inbox())
    twice = sum(1 for number in texts.values() if number > 1)
    print(f"fake SMSC received {len(texts):,} distinct texts; {twice} more than once; "
          f"{args.messages - len(texts)} missing")


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=16, help="sender threads per sender process")
    parser.add_argument("--sender-processes", type=int, default=1)
    parser.add_argument(
        "--report-workers",
        type=int,
        default=None,
        help="uvicorn processes serving the reports (0: in the senders' process, as the embedded "
        "`songda serve` does; default 1 on SQLite, 2 on PostgreSQL)",
    )
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--url", default="", help="PostgreSQL base URL (default: SQLite)")
    args = parser.parse_args()
    if args.report_workers is None:
        args.report_workers = 2 if args.url else 1
    data_dir = Path(tempfile.mkdtemp(prefix="songda-bench-sms-"))
    os.environ["SONGDA_DATA_DIR"] = str(data_dir)
    os.environ["SONGDA_IN_PROCESS_SCHEDULER"] = "false"
    schema = ""
    lock = open(KANNEL_LOCK, "a")  # noqa: SIM115  (held while Kannel runs)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        if args.url:
            database_url, schema = private_schema(args.url)
            print(f"PostgreSQL, schema {schema}")
        else:
            database_url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
            print("SQLite (WAL)")
        run(args, data_dir, database_url)
    finally:
        if schema:
            from backend import database

            database.configure(args.url).dispose()
            drop_schema(args.url, schema)
        fcntl.flock(lock, fcntl.LOCK_UN)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
