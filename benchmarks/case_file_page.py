"""Time the case file (卷宗) page: the API's server time and the browser's time to render a large case.

    .venv/bin/python benchmarks/case_file_page.py [--db sqlite|postgresql|both] [--runs 30] [--page-runs 10]
                                                  [--deliveries N] [--url POSTGRESQL_URL] [--reuse SCHEMA]

In a fresh database (a SQLite file, and/or a private PostgreSQL schema, both built by the migrations) it
loads the demo data (`songda demo`: 300 cases) — or, on PostgreSQL with --deliveries N, the router
benchmark's court history of N deliveries (benchmarks/router_pass.py `load`) — then adds one large case
(tests/console/world.py: 40 parties with phones, addresses and their history, 300 attempts over 40
deliveries with their facts, 60 answered calls with a WAV recording, a transcript and key-phrase flags,
three proofs). It prints:

- the API's server time (p50 / p99 ms wall, and the process's CPU time per request, which a machine busy
  with other work disturbs less; in process through FastAPI's TestClient: routers, auth, audit,
  sessions as `songda serve`) of GET /api/cases/{id}/file and GET /api/cases/{id}/calls, and of the
  cases search (a part of a case number, a party name, a phone) over the whole database;
- the browser's time (Chromium, against `uvicorn` serving the app) from navigation start to the case
  file usable (case, parties, documents, timeline, proofs drawn: the page's 'casefile-usable' mark) and
  complete (the calls with transcripts too: 'casefile-complete'), p50 / p99 over --page-runs loads.

--reuse SCHEMA (PostgreSQL) times a schema an earlier run kept (benchmarks/api_at_scale.py --keep: a
1,000,000-delivery history takes many minutes to load) instead: migrated to head, the large case and the
benchmark's clerk added unless there from an earlier --reuse run, nothing else changed, nothing dropped.

Goal (issue 13): API p99 under 200 ms, page usable under 1 s. Prints figures, asserts nothing.
"""

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from statistics import median, quantiles
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from api_at_scale import kept_schema  # noqa: E402  (beside this script)
from router_pass import DEFAULT_URL, load, private_schema  # noqa: E402

PARTIES, ATTEMPTS, CALLS = 40, 300, 60
CASE_NUMBER = 99001
CLERK = "casefile_clerk"  # not bench_*: api_at_scale.py --reuse takes those as its own users
PASSWORD = "bench-case-file-2026"
MARKS = "() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]))"


def percentiles(samples: list[float]) -> str:
    p99 = quantiles(samples, n=100, method="inclusive")[98] if len(samples) > 1 else samples[0]
    return f"p50 {median(samples):7.1f} ms   p99 {p99:7.1f} ms   (n={len(samples)})"


@contextmanager
def database_for(kind: str, url: str, reuse: str | None) -> Iterator[str]:
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="songda-bench-casefile-")
        yield f"sqlite:///{folder}/songda.db"
        return
    schemas = kept_schema(url, reuse) if reuse else private_schema(url, "bench_casefile", keep=False)
    with schemas as schema:
        print(f"  PostgreSQL {schema.server_version} (jit {schema.jit}), schema {schema.name}")
        yield schema.url


def prepare(url: str, deliveries: int, reuse: bool) -> tuple[int, str]:
    """Migrate, load the background data (unless REUSE: it is there) and the large case (unless there from
    an earlier run); returns the case's id and number."""
    import backend.wiring  # noqa: F401
    from backend import database, dbmigrate
    from backend.config import get_settings
    from backend.demo.seed import seed_demo

    get_settings.cache_clear()
    dbmigrate.upgrade(url, "heads")
    engine = database.configure(url)
    if not reuse:
        started = time.perf_counter()
        if deliveries:
            load(engine, deliveries)
        else:
            with database.get_session() as session:
                seed_demo(db_session=session, cases=300, seed=2026)
        print(f"  background data in {time.perf_counter() - started:.0f} s")
    case_id, number = large_case()
    with engine.connect() as connection:
        counts = connection.exec_driver_sql(
            'SELECT (SELECT count(*) FROM "case"), (SELECT count(*) FROM delivery), '
            "(SELECT count(*) FROM delivery_attempt), (SELECT count(*) FROM evidence)"
        ).one()
    print("  database: cases {:,}, deliveries {:,}, attempts {:,}, evidence {:,}".format(*counts))
    return case_id, number


def large_case() -> tuple[int, str]:
    """The large case and the clerk who reads it, made unless an earlier run (--reuse) made them."""
    from sqlalchemy import select

    from backend import database
    from backend.auth import service as auth_service
    from backend.auth.models import User
    from backend.auth.roles import Role
    from backend.cases.models import Case
    from backend.courts.models import Court
    from tests.console.world import COURT_CODE, build_case

    started = time.perf_counter()
    number = f"（2026）京0102民初{CASE_NUMBER}号"
    with database.get_session() as session:
        court = select(Court.id).where(Court.code == COURT_CODE)
        in_court = Case.court_id == court.scalar_subquery()
        case_id = session.scalar(select(Case.id).where(in_court, Case.case_number == number))
        if case_id is None:
            agent = session.scalar(select(User).where(User.role == Role.agent).order_by(User.id))
            if agent is None:
                agent = auth_service.create_user(
                    db_session=session, username="bench_agent", full_name="李娜", role=Role.agent,
                    password=PASSWORD,
                )  # fmt: skip
            case = build_case(
                session, agent=agent, parties=PARTIES, attempts=ATTEMPTS, calls=CALLS, number=CASE_NUMBER
            )
            case_id = case.case_id
            print(f"  large case {number}: {PARTIES} parties, {ATTEMPTS} attempts, {CALLS} calls "
                  f"(built in {time.perf_counter() - started:.0f} s)")  # fmt: skip
        else:
            print(f"  large case {number} (made by an earlier run)")
        if session.scalar(select(User.id).where(User.username == CLERK)) is None:
            auth_service.create_user(
                db_session=session, username=CLERK, full_name="陈晓", role=Role.clerk, password=PASSWORD,
                court_id=session.scalar(court),
            )  # fmt: skip
    return case_id, number


def time_api(case_id: int, number: str, runs: int) -> None:
    from fastapi.testclient import TestClient

    from backend.app import create_app

    with TestClient(create_app()) as client:
        login = client.post("/api/auth/login", json={"username": CLERK, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        def get(path: str, **params: str) -> Callable[[], Any]:
            return lambda: client.get(path, params=params, headers=headers)

        calls: list[tuple[str, Callable[[], Any]]] = [
            ("GET /api/cases/{id}/file", get(f"/api/cases/{case_id}/file")),
            ("GET /api/cases/{id}/calls", get(f"/api/cases/{case_id}/calls")),
            ("cases search: number part", get("/api/cases", case_number="民初99001")),
            ("cases search: full number", get("/api/cases", case_number=number)),
            ("cases search: party name", get("/api/cases", party="王")),
            ("cases search: phone", get("/api/cases", phone="13900001234")),
        ]
        for name, call in calls:
            response = call()
            assert response.status_code == 200, name
            samples, cpu = [], []
            for _ in range(runs):
                started, started_cpu = time.perf_counter(), time.process_time()
                call()
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            body = response.json()
            found = f"{len(body['items'])} found" if isinstance(body, dict) and "items" in body else ""
            size = len(response.content)
            print(f"  {name:28s} {percentiles(samples)}   cpu p50 {median(cpu):5.1f} ms   {size:,} B {found}")


def time_page(url: str, case_id: int, runs: int) -> None:
    from playwright.sync_api import sync_playwright

    from tests.desk.servers import api_process

    with api_process(database_url=url, bus_url="memory://") as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"{base}/login?next=/console")
        page.fill("#username", CLERK)
        page.fill("#password", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(f"{base}/console")
        usable: list[float] = []
        complete: list[float] = []
        for run in range(runs + 1):
            page.goto(f"{base}/cases/{case_id}")
            page.wait_for_selector("body[data-ready=all]", timeout=60_000)
            marks = page.evaluate(MARKS)
            if run:  # the first load warms the server and the browser's cache of the bundles
                usable.append(marks["casefile-usable"])
                complete.append(marks["casefile-complete"])
        browser.close()
    print(f"  page usable (parties, timeline)  {percentiles(usable)}")
    print(f"  page complete (calls, transcripts) {percentiles(complete)}")


def run(kind: str, url: str, runs: int, page_runs: int, deliveries: int, reuse: str | None) -> None:
    from backend import database

    background = f"{deliveries:,} deliveries (router_pass)" if deliveries else "the demo data"
    background = f"kept schema {reuse}" if reuse else background
    print(f"\n{kind}: {background} + a case of {PARTIES} parties, {ATTEMPTS} attempts, {CALLS} calls")
    with database_for(kind, url, reuse) as database_url:
        os.environ["SONGDA_DATABASE_URL"] = database_url
        os.environ["SONGDA_IN_PROCESS_SCHEDULER"] = "false"
        try:
            case_id, number = prepare(database_url, deliveries, reuse is not None)
            time_api(case_id, number, runs)
            time_page(database_url, case_id, page_runs)
        finally:
            database.configure(database_url).dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--page-runs", type=int, default=10)
    parser.add_argument("--deliveries", type=int, default=0, help="PostgreSQL: router_pass's history")
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--reuse", metavar="SCHEMA", help="PostgreSQL: time a schema kept by an earlier run")
    options = parser.parse_args()
    if options.reuse:
        options.db = "postgresql"
        # the large case's files (recordings, PDFs) stay beside the kept schema's rows for the next run
        data = Path(tempfile.gettempdir()) / f"songda-bench-casefile-data-{options.reuse}"
        data.mkdir(exist_ok=True)
        os.environ.setdefault("SONGDA_DATA_DIR", str(data))
    os.environ.setdefault("SONGDA_DATA_DIR", tempfile.mkdtemp(prefix="songda-bench-casefile-data-"))
    kinds = ["sqlite", "postgresql"] if options.db == "both" else [options.db]
    for kind in kinds:
        if kind == "sqlite" and options.deliveries:
            print("\nsqlite: --deliveries generates PostgreSQL data only; the demo data is used")
        deliveries = options.deliveries if kind == "postgresql" and not options.reuse else 0
        run(kind, options.url, options.runs, options.page_runs, deliveries, options.reuse)


if __name__ == "__main__":
    main()
