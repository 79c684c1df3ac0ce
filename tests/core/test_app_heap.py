"""While the app runs, what existed once it had started is frozen out of the garbage collector's full
collections (they would pause every websocket client for each of its objects); shutting down thaws it."""

import gc

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from backend.app import create_app


def test_the_started_heap_is_frozen_while_the_app_runs_and_thawed_after(db: Engine) -> None:
    gc.unfreeze()
    with TestClient(create_app()) as client:
        assert client.get("/api/health").status_code == 200
        frozen_while_running = gc.get_freeze_count()
    assert frozen_while_running > 10_000  # the modules, mappers and app objects, not a handful
    assert gc.get_freeze_count() == 0
