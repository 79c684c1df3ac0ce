"""Time the desk, the lists, the wall and the case file through the real API over a court's history.

    .venv/bin/python benchmarks/api_at_scale.py [--deliveries 1000000] [--runs 30] [--compose-settings]
                                                [--jit-off] [--keep] [--reuse SCHEMA]

The history is the router benchmark's (benchmarks/router_pass.py `load`: set-based SQL in a private
schema built by the migrations, 0.4 N cases, 95 % of the deliveries closed over three years, the newest
open), to which this adds what the screens read: a supervisor and three agents (agent_heavy, whose
group and own deliveries hold a tenth of the history, agent2 in the same group, agent3 in another),
assignees and performers on the deliveries and phone attempts, a call record per phone attempt that
rang (half of them today-ish for the wall; of the calls on attempts still in progress one in fifty is
live, about 30 at 1,000,000 deliveries, what a centre's agents hold at once, the rest ended unanswered),
open callbacks (some due) on one open delivery in fifty, and five mass cases gathering the deliveries
of every (N / 1500)th party (about 300 each at any size). The deliveries' derived facts (call queue, its
tally, case workers: backend/deliveries/upkeep.py) are then rebuilt from all that, as the migration that
introduced them does for a stored history.

Each operation runs through the songda app in process (FastAPI's TestClient, the same routers, auth,
audit and sessions as `songda serve`) --runs times after one warm-up; it prints p50 / p99 in ms, then
the plans (EXPLAIN ANALYZE, BUFFERS) of the slowest statements each operation sent. Prints figures and
asserts nothing. The schema is dropped at the end unless --keep; --reuse times a kept one again (migrated
to the head first) without generating anything. --compose-settings runs the benchmark's connections with
the server settings docker-compose.yml gives PostgreSQL (SESSION_SETTINGS: no JIT, no parallel workers);
--jit-off turns JIT off alone.
"""

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from statistics import median, quantiles
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from router_pass import DEFAULT_URL, PrivateSchema, load, private_schema  # beside this script
from sqlalchemy import Engine, event, select, text

from backend.deliveries.queries import COUNT_LIMIT

# What docker-compose.yml passes to the PostgreSQL server (README: PostgreSQL settings), as session options.
SESSION_SETTINGS = {"jit": "off", "max_parallel_workers_per_gather": "0"}

EXTRA_STEPS: tuple[tuple[str, str], ...] = (
    (
        "assignees",
        """UPDATE delivery SET assignee_user_id = CASE WHEN id % 10 = 0 THEN :heavy
             WHEN id % 50 = 1 THEN :agent2 WHEN id % 50 = 2 THEN :agent3 END,
             agent_group = CASE WHEN id % 10 = 0 THEN 'civil'
             WHEN id % 50 = 2 THEN 'commercial' ELSE agent_group END
           WHERE id % 10 = 0 OR id % 50 IN (1, 2)""",
    ),
    (
        "performers",
        """UPDATE delivery_attempt AS a SET performed_by_user_id = d.assignee_user_id
           FROM delivery AS d WHERE d.id = a.delivery_id AND d.assignee_user_id IS NOT NULL
             AND a.method = 'phone' AND a.status <> 'planned'""",
    ),
    (
        "call_record",
        """INSERT INTO call_record (call_id, idempotency_key, delivery_attempt_id, agent_user_id,
             agent_endpoint, number_dialled, status, originated_at, answered_at, ended_at,
             talk_seconds, outcome, recording_status, event_log, created_at, updated_at)
           SELECT 'bench-' || a.id, 'bench-' || a.id, a.id,
             coalesce(a.performed_by_user_id, (ARRAY[:heavy, :agent2, :agent3])[a.id % 3 + 1]),
             'PJSIP/agent', '13' || lpad(d.party_id::text, 9, '0'),
             CASE WHEN a.status = 'in_progress' AND a.id % 50 = 0 THEN 'talking' ELSE 'ended' END,
             a.started_at, CASE WHEN a.outcome = 'served' OR a.id % 50 = 0 THEN a.started_at END,
             CASE WHEN a.status <> 'in_progress' THEN a.ended_at
               WHEN a.id % 50 <> 0 THEN a.started_at + interval '1 minute' END,
             CASE WHEN a.outcome = 'served' THEN 240 END,
             CASE WHEN a.status = 'in_progress' AND a.id % 50 = 0 THEN NULL WHEN a.outcome = 'served'
               THEN 'answered' WHEN a.outcome = 'busy' THEN 'busy' ELSE 'no_answer' END,
             CASE WHEN a.status = 'in_progress' AND a.id % 50 = 0 THEN 'recording' ELSE 'missing' END, '[]',
             a.started_at, a.started_at
           FROM delivery_attempt AS a JOIN delivery AS d ON d.id = a.delivery_id
           WHERE a.method = 'phone' AND a.started_at IS NOT NULL""",
    ),
    (
        "desk_callback",
        """INSERT INTO desk_callback (delivery_id, kind, due_at, created_at)
           SELECT id, CASE WHEN id % 3 = 0 THEN 'requested' ELSE 'retry' END,
             :now + interval '1 hour' * ((id % 7) - 3), :now
           FROM delivery WHERE status IN ('pending', 'in_progress') AND id % 50 = 3""",
    ),
    (
        "mass cases",
        """UPDATE delivery SET case_id = 1 + (party_id / :stride) % 5
           WHERE party_id % :stride = 0""",
    ),
    (
        "mass parties",
        "UPDATE party SET case_id = 1 + (id / :stride) % 5 WHERE id % :stride = 0",
    ),
)


def add_screens_data(engine: Engine, deliveries: int, users: dict[str, int]) -> None:
    from backend.database import utcnow

    params = {"now": utcnow(), "stride": max(4, 2 * (deliveries * 2 // 5) // 1500), **users}
    counts = []
    for name, sql in EXTRA_STEPS:
        started = time.perf_counter()
        with engine.begin() as connection:
            rows = connection.execute(text(sql), params).rowcount
        counts.append(f"{name} {rows:,} ({time.perf_counter() - started:.0f} s)")
    print("  " + " · ".join(counts))
    from backend.deliveries import upkeep

    started = time.perf_counter()
    with engine.begin() as connection:
        upkeep.rebuild(connection)
    print(f"  derived facts rebuilt in {time.perf_counter() - started:.1f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        tables = ("delivery", "delivery_attempt", "call_record", "desk_callback", "party", "case_worker")
        for table in (*tables, "call_queue_tally"):
            connection.exec_driver_sql(f'VACUUM (ANALYZE) "{table}"')


def make_users() -> dict[str, int]:
    from backend import database
    from backend.auth import service as auth_service
    from backend.auth.roles import Role

    specs = {
        "supervisor": (Role.supervisor, None),
        "heavy": (Role.agent, "civil"),
        "agent2": (Role.agent, "civil"),
        "agent3": (Role.agent, "commercial"),
    }
    ids = {}
    with database.get_session() as session:
        for name, (role, group) in specs.items():
            user = auth_service.create_user(
                db_session=session,
                username=f"bench_{name}",
                full_name=name,
                role=role,
                password="bench-password-2026",
                court_id=1,
                agent_group=group,
            )
            ids[name] = user.id
    return ids


def tokens(users: dict[str, int]) -> dict[str, dict[str, str]]:
    from backend import database
    from backend.auth import service as auth_service
    from backend.auth.models import User

    headers = {}
    with database.get_session() as session:
        for name, user_id in users.items():
            raw, _ = auth_service.issue_token(db_session=session, user=session.get(User, user_id))
            headers[name] = {"Authorization": f"Bearer {raw}"}
    return headers


@contextmanager
def recorded(engine: Engine) -> Iterator[list[tuple[float, str, Any]]]:
    """Every SELECT sent while the block runs, with how long it took."""
    found: list[tuple[float, str, Any]] = []
    started: dict[int, float] = {}

    def before(_conn: Any, cursor: Any, _sql: str, _params: Any, _context: Any, _many: bool) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(_conn: Any, cursor: Any, sql: str, params: Any, _context: Any, _many: bool) -> None:
        took = time.perf_counter() - started.pop(id(cursor), time.perf_counter())
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            found.append((took, sql, params))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else samples * 99
    return median(samples) * 1000, cuts[98] * 1000


def last_page_cursor(who: str, query: dict[str, Any]) -> str:
    """The cursor whose page is the list's last (the 51st row from the end), from the API's own query."""
    from backend import database
    from backend.auth.models import User
    from backend.deliveries.models import Delivery
    from backend.deliveries.queries import delivery_query
    from backend.deliveries.schemas import DeliveryFilters

    with database.get_session() as session:
        user = session.scalars(select(User).where(User.username == f"bench_{who}")).one()
        backwards = (
            delivery_query(user=user, filters=DeliveryFilters(**query))
            .order_by(None)
            .order_by(Delivery.deadline.desc().nulls_first(), Delivery.id.desc())
            .offset(50)
            .limit(1)
        )
        row = session.scalars(backwards).first()
        return "" if row is None else f"{row.deadline.isoformat() if row.deadline else ''}~{row.id}"


# Work an operation needs done between its timed runs (outside the timing), by operation.
UNTIMED: dict[Callable[[], Any], Callable[[], None]] = {}


def operations(
    client: Any, headers: dict[str, dict[str, str]], deliveries: int
) -> dict[str, Callable[[], Any]]:
    def next_task(agent: str) -> Callable[[], Any]:
        """The next-task request alone; between runs (untimed) the task it locked is released."""
        taken: list[int] = []

        def release() -> None:
            while taken:
                delivery_id = taken.pop()
                client.post(f"/api/desk/tasks/{delivery_id}/release", json={}, headers=headers[agent])

        def run() -> Any:
            answer = client.post("/api/desk/next", headers=headers[agent])
            if answer.status_code == 200:
                taken.append(answer.json()["delivery"]["id"])
            return answer

        UNTIMED[run] = release
        return run

    def listing(who: str, which: str, **query: Any) -> Callable[[], Any]:
        """Page 1; the deepest numbered page whose total is still counted exactly ("deep"); or the last
        page, reached by cursor ("last": the cursor after the 51st row from the end, as paging on from
        the first page would arrive at it)."""
        params = {"page_size": 50, "page": 1, **query}
        if which == "deep":
            params["page"] = COUNT_LIMIT // 50
        if which == "last" and (cursor := last_page_cursor(who, query)):
            params["after"] = cursor  # (a list of one page has no cursor: its last page is page 1)

        def run() -> Any:
            return client.get("/api/deliveries", params=params, headers=headers[who])

        return run

    for agent in ("heavy", "agent2", "agent3"):
        client.post("/api/desk/presence", json={"state": "available"}, headers=headers[agent])
    mass_case = 1
    return {
        "next task, agent2": next_task("agent2"),
        "next task, agent_heavy": next_task("heavy"),
        "list overdue p1, supervisor": listing("supervisor", "first", overdue=True),
        "list overdue last, supervisor": listing("supervisor", "last", overdue=True),
        "list overdue p40, supervisor": listing("supervisor", "deep", overdue=True),
        "list p1, agent_heavy": listing("heavy", "first"),
        "list last, agent_heavy": listing("heavy", "last"),
        "list p40, agent_heavy": listing("heavy", "deep"),
        "list p1, agent3": listing("agent3", "first"),
        "list last, agent3": listing("agent3", "last"),
        "wall snapshot": lambda: client.get("/api/wall", headers=headers["supervisor"]),
        "case file, mass case": lambda: client.get(
            f"/api/cases/{mass_case}/file", headers=headers["supervisor"]
        ),
        "case file, typical case": lambda: client.get(
            f"/api/cases/{max(6, deliveries // 5)}/file", headers=headers["supervisor"]
        ),
    }


def explain(engine: Engine, sql: str, params: Any) -> list[str]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [row[0] for row in rows]
        connection.rollback()
    return plan


def measure(
    engine: Engine, client: Any, headers: dict[str, dict[str, str]], deliveries: int, runs: int
) -> None:
    slowest: dict[str, tuple[float, str, Any]] = {}
    print(f"\n{'operation':<32} {'p50 ms':>8} {'p99 ms':>8}  status  statements")
    for name, run in operations(client, headers, deliveries).items():
        between = UNTIMED.get(run, lambda: None)
        run()  # warm-up
        samples = []
        statements: dict[str, list[Any]] = defaultdict(list)
        status = None
        for _ in range(runs):
            between()
            with recorded(engine) as found:
                started = time.perf_counter()
                status = run().status_code
                samples.append(time.perf_counter() - started)
            for took, sql, params in found:
                statements[sql].append((took, params))
        between()
        p50, p99 = percentiles(samples)
        worst = max(
            ((median(t for t, _ in calls), sql, calls[0][1]) for sql, calls in statements.items()),
            default=None,
        )
        if worst is not None:
            slowest[name] = worst
        print(f"{name:<32} {p50:>8.1f} {p99:>8.1f}  {status:>6}  {len(statements)}")
    print("\nThe slowest statement of each operation (EXPLAIN ANALYZE, BUFFERS):")
    for name, (took, sql, params) in slowest.items():
        print(f"\n-- {name}: {took * 1000:.1f} ms median in the runs\n   {' '.join(sql.split())[:600]}")
        print("\n".join(f"   | {line}" for line in explain(engine, sql, params)))


@contextmanager
def kept_schema(url: str, name: str) -> Iterator[PrivateSchema]:
    """A schema an earlier run kept (--keep), left in place afterwards."""
    from backend import database

    admin = database.build_engine(url)
    with admin.connect() as connection:
        version = str(connection.exec_driver_sql("SHOW server_version").scalar())
        jit = str(connection.exec_driver_sql("SHOW jit").scalar())
    admin.dispose()
    joiner = "&" if "?" in url else "?"
    yield PrivateSchema(name, f"{url}{joiner}options=-csearch_path%3D{name}", version, jit)


def bench_users() -> dict[str, int]:
    """The users an earlier run made in a kept schema."""
    from backend import database
    from backend.auth.models import User

    with database.get_session() as session:
        rows = session.execute(select(User.username, User.id).where(User.username.startswith("bench_")))
        return {username.removeprefix("bench_"): user_id for username, user_id in rows}


def session_options(settings: dict[str, str]) -> str:
    """SETTINGS as the tail of a libpq `options` value in a URL (`-c name=value` each, URL-encoded)."""
    return "".join(f"%20-c{name}%3D{value}" for name, value in settings.items())


def run(
    url: str, deliveries: int, runs: int, keep: bool, settings: dict[str, str], reuse: str | None
) -> None:
    from backend import database, dbmigrate

    schemas = kept_schema(url, reuse) if reuse else private_schema(url, "bench_api", keep=keep)
    with schemas as schema:
        shown = ", ".join(f"{name} {value}" for name, value in {"jit": schema.jit, **settings}.items())
        print(
            f"API at scale, {deliveries:,} deliveries, PostgreSQL {schema.server_version} ({shown}), "
            f"schema {schema.name}"
        )
        schema_url = schema.url + session_options(settings)
        os.environ["SONGDA_DATABASE_URL"] = schema_url
        os.environ["SONGDA_IN_PROCESS_SCHEDULER"] = "false"  # no router pass or sweep in the timings
        os.environ.setdefault("SONGDA_DATA_DIR", tempfile.mkdtemp(prefix="songda-bench-api-"))
        from backend.config import get_settings

        get_settings.cache_clear()
        dbmigrate.upgrade(schema_url, "heads")
        engine = database.configure(schema_url)
        try:
            started = time.perf_counter()
            if reuse:
                users = bench_users()
            else:
                load(engine, deliveries)
                users = make_users()
                add_screens_data(engine, deliveries, users)
                print(f"  generated in {time.perf_counter() - started:.0f} s")
            with engine.connect() as connection:
                figures = connection.exec_driver_sql(
                    "SELECT (SELECT count(*) FROM delivery), "
                    "(SELECT count(*) FROM delivery WHERE status IN ('pending', 'in_progress')), "
                    '(SELECT count(*) FROM "case"), (SELECT count(*) FROM delivery_attempt), '
                    "(SELECT count(*) FROM call_record), "
                    "(SELECT max(n) FROM (SELECT count(*) AS n FROM delivery GROUP BY case_id) AS c)"
                ).one()
            print(
                "  deliveries {:,} (open {:,}), cases {:,}, attempts {:,}, call records {:,}, "
                "largest case {:,} deliveries".format(*figures)
            )
            from fastapi.testclient import TestClient

            import backend.wiring  # noqa: F401
            from backend.app import create_app

            with TestClient(create_app()) as client:
                measure(engine, client, tokens(users), deliveries, runs)
        finally:
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="keep the generated schema")
    parser.add_argument("--jit-off", action="store_true", help="jit = off on the benchmark's connections")
    parser.add_argument(
        "--compose-settings", action="store_true", help="docker-compose's PostgreSQL settings"
    )
    parser.add_argument("--reuse", metavar="SCHEMA", help="time a schema kept by an earlier run again")
    options = parser.parse_args()
    settings = dict(SESSION_SETTINGS) if options.compose_settings else {}
    if options.jit_off:
        settings["jit"] = "off"
    run(options.url, options.deliveries, options.runs, options.keep, settings, options.reuse)


if __name__ == "__main__":
    main()
