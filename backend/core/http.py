"""Service errors and database constraint failures as HTTP answers with their Chinese message."""

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.errors import InvalidRequest, NotPermitted, NotVisible, RuleViolation


class Refusal(HTTPException):
    """A 409 whose answer names its reason: {"detail": Chinese message, "code": reason code}."""

    def __init__(self, detail: str, code: str) -> None:
        super().__init__(status.HTTP_409_CONFLICT, detail)
        self.code = code


@contextmanager
def service_errors() -> Iterator[None]:
    """Translate the service layer's exceptions into HTTP errors with their Chinese message."""
    try:
        yield
    except NotVisible as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except RuleViolation as exc:
        if exc.code is not None:
            raise Refusal(str(exc), exc.code) from exc
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except NotPermitted as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except InvalidRequest as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc


# Constraint names follow backend.database.NAMING_CONVENTION: uq_<table>_<columns>, fk_<table>_<column>_<ref>.
_NAMED = re.compile(r"\b(?P<kind>uq|fk|ck|pk)_(?P<name>[a-z0-9_]+)")
_NOT_NULL = re.compile(
    r"NOT NULL constraint failed: \w+\.(?P<column>\w+)|column \"(?P<pg>\w+)\"[^\n]*not-null"
)


def constraint_failure(error: IntegrityError) -> tuple[int, str]:
    """The HTTP status and Chinese message for a violated constraint, naming the field where known."""
    text = str(error.orig)
    diag = getattr(error.orig, "diag", None)
    column = getattr(diag, "column_name", None)
    named = _NAMED.search(text)
    constraint = getattr(diag, "constraint_name", None) or (named.group(0) if named else None)
    if column is None and (m := _NOT_NULL.search(text)):
        column = m.group("column") or m.group("pg")
    if column is not None or "NOT NULL" in text.upper() or "not-null" in text:
        return status.HTTP_422_UNPROCESSABLE_CONTENT, f"字段「{column or '未知'}」不能为空"
    if "UNIQUE" in text.upper() or "duplicate key" in text or (constraint or "").startswith("uq_"):
        where = _unique_columns(text, constraint)
        return status.HTTP_409_CONFLICT, f"「{where}」与已有记录重复" if where else "与已有记录重复"
    if "FOREIGN KEY" in text.upper() or (constraint or "").startswith("fk_"):
        field = constraint.split("_", 1)[1] if constraint else None
        return status.HTTP_409_CONFLICT, f"引用的记录不存在（{field}）" if field else "引用的记录不存在"
    return status.HTTP_409_CONFLICT, "数据与已有记录冲突，未保存"


def _unique_columns(text: str, constraint: str | None) -> str | None:
    if m := re.search(r"UNIQUE constraint failed: ([\w., ]+)", text):
        return "、".join(part.split(".")[-1] for part in m.group(1).split(", "))
    if m := re.search(r"Key \(([^)]+)\)=", text):
        return m.group(1)
    return constraint


async def _invalid_request(_request: Request, error: Exception) -> JSONResponse:
    """422 naming each field and what is wrong with it, never echoing what was sent (passwords...)."""
    assert isinstance(error, RequestValidationError)
    problems = [
        {"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type", "")}
        for item in error.errors()
    ]
    return JSONResponse({"detail": problems}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _number_out_of_range(_request: Request, _error: Exception) -> JSONResponse:
    """An id or number larger than the database holds (SQLite raises OverflowError, PostgreSQL DataError)."""
    return JSONResponse({"detail": "数值超出允许范围"}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _refusal(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Refusal)
    return JSONResponse({"detail": error.detail, "code": error.code}, status_code=error.status_code)


async def _integrity_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, IntegrityError)
    code, message = constraint_failure(error)
    return JSONResponse({"detail": message}, status_code=code)


def install_error_handlers(app: FastAPI) -> None:
    """A constraint violation anywhere in a request (flush or commit) answers 409/422, never 500; so does a
    number the database cannot hold."""
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(Refusal, _refusal)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(OverflowError, _number_out_of_range)
    app.add_exception_handler(DataError, _number_out_of_range)


API_HEADERS = ((b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"))


class ApiHeaders:
    """ASGI middleware: answers of /api/ carry personal data and evidence, so they are never cached and
    never sniffed into another type (a header the endpoint set itself is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in API_HEADERS if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """ASGI middleware: a request whose body is larger than its path allows is refused with 413 before
    anything is stored, at once when its Content-Length says so, else as soon as the bytes read pass it
    (the app then sees the client gone, and whatever it answers is dropped)."""

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int | None]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit_for(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        state = {"read": 0, "started": False, "refused": False}

        async def counting_receive() -> Message:
            if state["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            state["read"] += len(message.get("body", b""))
            if state["read"] > limit and not state["started"]:
                state["refused"] = True
                await _refuse(send, limit)
                return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if state["refused"]:
                return
            state["started"] = state["started"] or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counting_receive, guarded_send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 20 else None
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        {"detail": f"上传的文件过大：上限 {limit // (1 << 20)} MB"}, ensure_ascii=False
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send(
        {"type": "http.response.start", "status": status.HTTP_413_CONTENT_TOO_LARGE, "headers": headers}
    )
    await send({"type": "http.response.body", "body": body})


def document_error_answers(app: FastAPI) -> None:
    """The OpenAPI schema says what the API really answers: a 422 carries either the field list of a
    request that does not fit its schema, or the Chinese message of a rule the data breaks."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            error = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
            if error is not None:
                fields = error["properties"]["detail"]
                error["properties"]["detail"] = {"anyOf": [fields, {"type": "string"}], "title": "Detail"}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
