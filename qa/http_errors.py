"""The HTTP API's one error shape, its error handlers, and the middlewares in front of it.

Every error is `{"error": {"message", "type"}}`: 4xx for bad input, 503 when the index or the
LLM endpoint cannot serve, never a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from qa.errors import (
    UNREACHABLE,
    ConfigError,
    IndexBusyError,
    IndexUnreachableError,
    LLMError,
    LoadError,
    NoIndexError,
    QAError,
    is_unreachable,
)
from qa.http_models import ErrorResponse, RequestError

log = logging.getLogger("qa.http")
STATUS_OF = {
    NoIndexError: 503,
    IndexBusyError: 503,
    IndexUnreachableError: 503,
    ConfigError: 503,
    LLMError: 503,
    LoadError: 400,
}
TYPE_OF = {401: "authentication_error", 404: "not_found_error", 413: "request_too_large"}
ERRORS: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorResponse},
    "5XX": {"model": ErrorResponse},
}


def error_response(status: int, message: str) -> JSONResponse:
    """The one error shape of the API."""
    kind = TYPE_OF.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return JSONResponse({"error": {"message": message, "type": kind}}, status_code=status)


def qa_status(exc: QAError) -> int:
    """HTTP status of an error the engine raised on purpose (bad input unless listed)."""
    return next((s for cls, s in STATUS_OF.items() if isinstance(exc, cls)), 400)


def invalid_part(error: dict[str, Any]) -> str:
    """One of pydantic's validation errors as `where: what`, said the way a client fixes it."""
    if error["type"] == "json_invalid":  # loc is ("body", the character where parsing stopped)
        reason = (error.get("ctx") or {}).get("error")
        detail = f": {reason}" if reason else ""
        return f"the body is not valid JSON (at character {error['loc'][-1]}{detail})"
    where = ".".join(str(p) for p in error["loc"] if p != "body") or "body"
    return f"{where}: {str(error['msg']).removeprefix('Value error, ')}"


def qa_message(exc: QAError) -> str:
    """An engine error's message for an API caller, who may have no shell to run `qa` in."""
    if isinstance(exc, NoIndexError):
        return f"{str(exc).rstrip('.')}, or send articles to POST /api/articles."
    return str(exc)


def install_error_handlers(app: FastAPI) -> None:
    """Turn every failure into the JSON error shape; tracebacks go to the log only."""

    @app.exception_handler(RequestError)
    async def on_request_error(_: Request, exc: RequestError) -> JSONResponse:
        response = error_response(exc.status, exc.message)
        response.headers.update(exc.headers)  # a 401's WWW-Authenticate, for one
        return response

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [invalid_part(e) for e in exc.errors()[:5]]
        sent = request.headers.get("content-type", "")
        if request.method == "POST" and "json" not in sent:  # curl -d sends a form
            parts.append(
                f"send the body as JSON with Content-Type: application/json (not {sent or 'none'})"
            )
        return error_response(400, "Invalid request: " + "; ".join(parts))

    @app.exception_handler(HTTPException)
    async def on_http(_: Request, exc: HTTPException) -> JSONResponse:
        response = error_response(exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})  # a 405's Allow, for one
        return response

    @app.exception_handler(QAError)
    async def on_qa(_: Request, exc: QAError) -> JSONResponse:
        response = error_response(qa_status(exc), qa_message(exc))
        if isinstance(exc, IndexBusyError):  # another process writes: worth trying again soon
            response.headers["Retry-After"] = "10"
        return response

    app.add_middleware(CrashGuard)  # any other error: see there


def crash_response(method: str, path: str, exc: Exception) -> JSONResponse:
    """An unexpected error's reply: 503 for an unreachable index (one log line), else 500."""
    if is_unreachable(exc):
        log.warning("error serving %s %s: %r", method, path, exc)
        return error_response(503, UNREACHABLE.format(kind=type(exc).__name__))
    log.error("error serving %s %s", method, path, exc_info=exc)
    message = f"Internal error ({type(exc).__name__}); the server log has the details."
    return error_response(500, message)


class CrashGuard:
    """Answer an API call's unexpected error in the error shape, logged once.

    An exception handler for `Exception` would run in Starlette's outermost middleware, which
    re-raises after replying, so uvicorn logged each failure again as a full traceback: while
    a Chroma server is down, some 160 lines a question.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(("/api/", "/v1/")):
            return await self.app(scope, receive, send)
        started = False

        async def watched(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if started:  # a stream cut short: nothing else can be said
                raise
            await crash_response(scope["method"], scope["path"], exc)(scope, receive, send)


class BodyLimit:
    """Refuse API request bodies over `max_bytes` (413) instead of reading them into memory."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(("/api/", "/v1/")):
            return await self.app(scope, receive, send)
        message = f"Request body over {self.max_bytes / 1e6:g} MB (QA_MAX_FILE_MB): send less."
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return await error_response(413, message)(scope, receive, send)
        received = 0

        async def limited() -> Any:
            nonlocal received
            event = await receive()
            received += len(event.get("body", b""))
            if received > self.max_bytes:
                raise HTTPException(413, message)
            return event

        await self.app(scope, limited, send)


class HeadAsGet:
    """Answer HEAD on the API's GET routes as GET without the body (uptime checks use it)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        head = scope["type"] == "http" and scope["method"] == "HEAD"
        if not head or not scope["path"].startswith(("/api/", "/v1/")):
            return await self.app(scope, receive, send)

        async def headers_only(message: Any) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
