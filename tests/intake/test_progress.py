"""Progress is committed outside the import's transaction, so others can watch it while it runs."""

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from backend.database import session_factory
from backend.intake import progress as progress_module
from backend.intake import service
from backend.intake.enums import JobStatus
from backend.intake.models import ImportJob
from backend.intake.progress import ProgressListener
from tests.intake.exports import person_id, row, write_csv


class Watcher(ProgressListener):
    """Looks at the job row from another session at chosen moments of the run."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.seen: list[tuple[str, str, int, int]] = []

    def _look(self, moment: str) -> None:
        session: Session = session_factory()()
        try:
            job = session.get_one(ImportJob, self.job_id)
            self.seen.append((moment, job.status, job.processed_rows, job.total_rows))
        finally:
            session.close()

    def rows_done(self, rows: int) -> None:
        if rows == 10:
            self._look("row 10")

    def step_done(self, label: str) -> None:
        if label == "当事人":
            self._look("writing parties")


def test_progress_is_visible_from_other_sessions_during_the_run(
    db: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_module, "PROGRESS_WRITE_SECONDS", 0.0)
    rows = [row(当事人=f"当事人{n}", 证件号码=person_id(n)) for n in range(1, 31)]
    path = write_csv(tmp_path / "export.csv", rows)
    with service.get_session() as session:
        job_id = service.create_job(db_session=session, filename=path.name, source_path=path).id
    watcher = Watcher(job_id)
    job = service.run_job(job_id=job_id, listener=watcher)
    assert job.status == JobStatus.done
    assert watcher.seen == [("row 10", "validating", 10, 30), ("writing parties", "writing", 30, 30)]


def test_a_job_delivered_twice_runs_once(db: object, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", [row()])
    with service.get_session() as session:
        job_id = service.create_job(db_session=session, filename=path.name, source_path=path).id
    first = service.run_job(job_id=job_id)
    again = service.run_job(job_id=job_id)
    assert (first.status, again.status) == ("done", "done")
    assert again.finished_at == first.finished_at and again.summary["parties_created"] == 1
