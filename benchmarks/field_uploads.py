"""Resumable uploads from the officer's phone, measured through a real API process (uvicorn, SQLite).

    .venv/bin/python benchmarks/field_uploads.py [--mb 32]

An officer checked in at a visit sends a video of MB megabytes (an .mp4) as the phone's outbox does: it
declares the file with its SHA-256, then PUTs chunks with Upload-Offset until the server has every byte,
hashes it again and files it as evidence. Printed, for chunks of 256 KiB (the phone's size), 1 MiB and
4 MiB (the largest the server takes): MB/s from the first byte to the stored evidence, and the time of the
final check (hashing and filing). Then the same file is interrupted half way (the connection drops: the
chunk in flight is lost) and resumed from the offset the server reports: the bytes sent in all against the
file's size, and a chunk sent twice (its answer lost) leaves the server's count unchanged.
"""

import argparse
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DATA_DIR = Path(tempfile.mkdtemp(prefix="songda-bench-uploads-"))
os.environ["SONGDA_DATA_DIR"] = str(DATA_DIR)
os.environ["SONGDA_DATABASE_URL"] = f"sqlite:///{DATA_DIR / 'bench.sqlite3'}"

import httpx  # noqa: E402

import backend.models  # noqa: E402,F401
from backend import database  # noqa: E402
from backend.auth import service as auth_service  # noqa: E402
from backend.auth.roles import Role  # noqa: E402
from backend.config import get_settings  # noqa: E402
from backend.database import Base  # noqa: E402
from tests.desk.servers import api_process  # noqa: E402
from tests.field.conftest import _build  # noqa: E402

PASSWORD = "bench-password-2026"
KIB = 1024


def _world() -> tuple[list[int], str]:
    get_settings().ensure_dirs()
    engine = database.configure(os.environ["SONGDA_DATABASE_URL"])
    Base.metadata.create_all(engine)
    with database.get_session() as session:
        world = _build(session)
        for role, name in ((Role.supervisor, "bench-supervisor"), (Role.field_officer, "bench-officer")):
            auth_service.create_user(
                db_session=session, username=name, full_name=name, role=role, password=PASSWORD
            )
    return world.attempt_ids, world.day.isoformat()


def _login(client: httpx.Client, username: str) -> dict[str, str]:
    answer = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _video(megabytes: int, salt: int) -> bytes:
    body = os.urandom(megabytes * KIB * KIB - 16)
    return b"\x00\x00\x00\x18ftypmp42" + salt.to_bytes(4, "big") + body


class Phone:
    def __init__(self, client: httpx.Client, headers: dict[str, str], assignment_id: int) -> None:
        self.client, self.headers, self.assignment_id = client, headers, assignment_id
        self.sent = 0

    def declare(self, content: bytes) -> dict:  # type: ignore[type-arg]
        body = {
            "purpose": "video",
            "filename": "handover.mp4",
            "size_bytes": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        }
        answer = self.client.post(
            f"/api/field/tasks/{self.assignment_id}/uploads", json=body, headers=self.headers
        )
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]

    def chunk(self, upload_id: int, content: bytes, offset: int, size: int) -> dict:  # type: ignore[type-arg]
        data = content[offset : offset + size]
        self.sent += len(data)
        headers = {**self.headers, "Upload-Offset": str(offset), "Content-Type": "application/octet-stream"}
        answer = self.client.put(f"/api/field/uploads/{upload_id}/chunk", content=data, headers=headers)
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]

    def send(self, content: bytes, chunk: int, stop_after: int | None = None) -> tuple[dict, float]:  # type: ignore[type-arg]
        """Send from where the server is; STOP_AFTER bytes: the connection drops (the next chunk is lost)."""
        upload = self.declare(content)
        last = 0.0
        while upload["state"] == "receiving":
            offset = upload["received_bytes"]
            if stop_after is not None and offset >= stop_after:
                self.sent += min(chunk, len(content) - offset)  # sent, never arrived
                return upload, last
            final = offset + chunk >= len(content)
            started = time.perf_counter()
            upload = self.chunk(upload["upload_id"], content, offset, chunk)
            if final:
                last = time.perf_counter() - started
        return upload, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=32)
    args = parser.parse_args()
    attempt_ids, day = _world()
    with api_process(database_url=os.environ["SONGDA_DATABASE_URL"], bus_url="memory://") as base:
        client = httpx.Client(base_url=base, timeout=60)
        supervisor, officer = _login(client, "bench-supervisor"), _login(client, "bench-officer")
        officer_id = client.get("/api/auth/me", headers=officer).json()["id"]
        body = {"attempt_ids": attempt_ids[:1], "officer_id": officer_id, "day": day}
        (stop,) = client.post("/api/field/assignments", json=body, headers=supervisor).json()
        client.post("/api/field/routes", json={"day": day}, headers=officer).raise_for_status()
        check_in = {"lon": 116.36, "lat": 39.91, "accuracy_m": 8}
        client.post(f"/api/field/tasks/{stop['assignment_id']}/check-in", json=check_in, headers=officer)
        phone = Phone(client, officer, stop["assignment_id"])

        for salt, chunk in enumerate((256 * KIB, 1024 * KIB, 4096 * KIB)):
            content = _video(args.mb, salt)
            started = time.perf_counter()
            upload, last = phone.send(content, chunk)
            seconds = time.perf_counter() - started
            assert upload["state"] == "stored", upload
            rate = args.mb / seconds
            print(
                f"{args.mb} MB in {chunk // KIB:>4} KiB chunks: {seconds:5.2f} s, {rate:6.1f} MB/s "
                f"({len(content) // chunk} chunks, {len(content) / chunk / seconds:5.0f} chunks/s; "
                f"the last chunk with the hash check and filing {last * 1000:.0f} ms)"
            )

        content, chunk = _video(args.mb, 99), 256 * KIB
        phone.sent = 0
        half, _ = phone.send(content, chunk, stop_after=len(content) // 2)
        again = phone.chunk(half["upload_id"], content, half["received_bytes"] - chunk, chunk)  # answer lost
        assert again["received_bytes"] == half["received_bytes"], again
        done, _ = phone.send(content, chunk)
        assert done["state"] == "stored", done
        extra_kib = (phone.sent - len(content)) / KIB
        print(
            f"interrupted at {half['received_bytes'] / len(content):.0%} and resumed: "
            f"{phone.sent / KIB / KIB:.2f} MB sent for a {len(content) / KIB / KIB:.0f} MB file "
            f"(the lost chunk and one chunk sent twice: {extra_kib:.0f} KiB more); "
            f"the server kept {done['size_bytes']} bytes once"
        )


if __name__ == "__main__":
    main()
