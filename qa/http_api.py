"""The HTTP API: OpenAI-compatible chat completions that keep their citations, and the articles.

Errors take the one shape of `qa.http_errors`. Blocking engine calls run in worker threads.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import secrets
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Annotated, Any

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from qa.chat_completions import completion, completion_events, split_conversation, unsupported
from qa.citations import Answer
from qa.errors import UNREACHABLE, LoadError, is_unreachable
from qa.http_errors import (
    ERRORS,
    BodyLimit,
    HeadAsGet,
    install_error_handlers,
)
from qa.http_models import (
    AnswerOut,
    ArticleIn,
    ArticleOut,
    AskRequest,
    ChatCompletionOut,
    ChatRequest,
    DeletedOut,
    HealthOut,
    IngestOut,
    ModelListOut,
    ModelOut,
    RequestError,
)

if TYPE_CHECKING:
    from qa.engine import Engine

log = logging.getLogger("qa.http")
ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
LOCK_WAIT_S = 20.0  # how long an add or delete waits for another process's write (`qa ingest`)
BEARER = HTTPBearer(auto_error=False, description="QA_API_TOKEN, when the server sets one.")


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """The methods other routes take at the request's path (empty when no route has it)."""
    partial = (r for r in routes if r.matches(scope)[0] is Match.PARTIAL)
    return sorted({m for r in partial for m in getattr(r, "methods", None) or ()})


def answerer_name(engine: Engine) -> str:
    """What answers: `extractive`, or the LLM model's name."""
    return engine.settings.llm_model if engine.settings.llm == "openai" else "extractive"


def engine_workers(engine: Engine) -> int:
    """Questions answered at once: one per core when computed here, more when awaiting an LLM."""
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity else os.cpu_count() or 2
    return cores if engine.settings.llm == "extractive" else max(8, 4 * cores)


def article_records(body: ArticleIn) -> tuple[str, list[tuple[int, str]]]:
    """JSONL to ingest and the id on each line; ids come from the content, never the temp file."""
    if body.text is not None:
        digest = hashlib.sha256(f"{body.title}\x1f{body.text}".encode()).hexdigest()[:16]
        aid = body.id or body.url or f"api/{digest}"
        fields = body.model_dump(include={"title", "url", "source", "published", "text"})
        return json.dumps({"id": aid, **fields}, ensure_ascii=False) + "\n", [(1, aid)]
    lines, ids = [], []
    for n, raw in enumerate((body.jsonl or "").splitlines(), 1):
        try:
            record = json.loads(raw) if raw.strip() else None
        except json.JSONDecodeError:
            record = None  # kept as is: the loader reports the line
        if isinstance(record, dict):
            if record.get("id") in (None, ""):
                record["id"] = "api/" + hashlib.sha256(raw.encode()).hexdigest()[:16]
            ids.append((n, str(record["id"])))
            raw = json.dumps(record, ensure_ascii=False)
        lines.append(raw)
    return "\n".join(lines) + "\n", ids


def fetched_jsonl(
    url: str, max_bytes: int
) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """The articles behind a URL (a page, or a feed's entries) as JSONL, what failed, warnings."""
    try:
        from index.fetch import fetch_url
    except ImportError:
        message = "Fetching a URL is not available here: send the page's `text` with its `url`."
        raise RequestError(400, message) from None
    from index.report import failure

    lines, failed, warnings = [], [], []
    for item in fetch_url(url, max_bytes=max_bytes):
        if isinstance(item, LoadError):
            failed.append(failure(item))
            continue
        if item.warning:  # e.g. a feed entry read from its summary: said here, where it is known
            note = LoadError(item.path, item.warning)
            warnings.append({**failure(note), "article": item.id})
        fields = ("id", "title", "url", "source", "published", "text")
        lines.append(json.dumps({k: getattr(item, k) for k in fields}, ensure_ascii=False))
    if not lines:
        where = [f"{f['path']}: " if f["path"] != url else "" for f in failed]
        reasons = "; ".join(f"{w}{f['error']}" for w, f in zip(where, failed[:5], strict=False))
        raise RequestError(400, f"Nothing ingested from {url}: {reasons or 'no article found'}")
    return "\n".join(lines), failed, warnings


def build_api(engine: Engine, token: str | None = None) -> FastAPI:
    """The app with every API route; with `token` set, each call needs it as a bearer token."""
    app = FastAPI(title="article-qa", version="0.1.0", description=__doc__)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=int(engine.settings.max_file_mb * 1_000_000))
    app.add_middleware(HeadAsGet)

    def authorize(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
    ) -> None:
        given = credentials.credentials if credentials else ""
        if token and not secrets.compare_digest(given.encode(), token.encode()):
            raise RequestError(
                401,
                "Missing or wrong API token: send `Authorization: Bearer …`.",
                {"WWW-Authenticate": 'Bearer realm="article-qa"'},
            )

    api = APIRouter(dependencies=[Depends(authorize)], responses=ERRORS)
    write_lock = threading.Lock()  # one ingest or delete at a time; questions go on meanwhile
    # Questions past the core count wait their turn instead of all slowing down together, so
    # answers come back one by one; each question takes the limiter once, or it would queue again.
    limiter = anyio.CapacityLimiter(engine_workers(engine))

    async def call(fn: Callable[..., Any], *args: Any) -> Any:
        return await anyio.to_thread.run_sync(fn, *args, limiter=limiter)

    async def pull(events: Iterator[str]) -> AsyncIterator[str]:
        # after the first item only text is left (or an LLM being awaited): the default pool
        while (event := await anyio.to_thread.run_sync(next, events, None)) is not None:
            yield event

    @app.get("/api/health", responses=ERRORS, response_model=HealthOut)
    def health() -> dict[str, Any]:
        """Whether the index answers (no token needed)."""
        try:
            passages = engine.store.count()
        except Exception as exc:
            if is_unreachable(exc):  # a Chroma server that is down: say where to look
                log.warning("health check failed: %r", exc)
                raise RequestError(503, UNREACHABLE.format(kind=type(exc).__name__)) from None
            log.exception("health check failed")
            raise RequestError(503, f"The index cannot be read ({type(exc).__name__}).") from None
        status = "ok" if passages else "empty"
        return {"status": status, "passages": passages, "answerer": answerer_name(engine)}

    def model_card() -> dict[str, Any]:
        return {"id": answerer_name(engine), "object": "model", "created": 0, "owned_by": "qa"}

    @api.get("/v1/models", response_model=ModelListOut)
    def models() -> dict[str, Any]:
        """The answerer, as OpenAI's model list."""
        return {"object": "list", "data": [model_card()]}

    @api.get("/v1/models/{model_id:path}", response_model=ModelOut)
    def model(model_id: str) -> dict[str, Any]:
        """The answerer, when asked for by its name."""
        card = model_card()
        if model_id != card["id"]:
            raise RequestError(
                404, f"No model {model_id!r}: GET /v1/models lists the one there is."
            )
        return card

    stream_doc: dict[int | str, dict[str, Any]] = {200: {"content": {"text/event-stream": {}}}}

    @api.post("/v1/chat/completions", responses=stream_doc, response_model=ChatCompletionOut)
    async def chat_completions(body: ChatRequest) -> Any:
        """OpenAI chat completion: the answer with `[n]` markers, plus `citations`."""
        # `usage` counts words; `n` over 1, JSON output and forced tool calls are refused (400)
        if reason := unsupported(body):
            raise RequestError(400, reason)
        question, history = split_conversation(body.messages)
        head = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "created": int(time.time()),
            "model": answerer_name(engine),
        }
        items = engine.stream(
            question, history, body.top_k, body.since, body.until, body.sources, body.as_of
        )
        if not body.stream:
            answer = await call(lambda: next(i for i in items if isinstance(i, Answer)))
            return completion(answer, head, question)
        first = await call(next, items, None)  # retrieval runs here: its errors are HTTP errors
        rest = itertools.chain([first] if first is not None else [], items)
        usage = bool(body.stream_options and body.stream_options.include_usage)
        events = pull(completion_events(rest, head, question, usage))
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)

    @api.post("/api/ask", response_model=AnswerOut)
    async def ask(body: AskRequest) -> dict[str, Any]:
        """The `qa ask --json` answer."""
        b = body
        answer = await call(
            engine.ask, b.question, b.history, b.top_k, b.since, b.until, b.sources, b.as_of
        )
        return dict(answer.as_dict())

    @api.get("/api/articles", response_model=list[ArticleOut])
    @api.get("/api/articles/", response_model=list[ArticleOut], include_in_schema=False)
    def list_articles() -> list[dict[str, Any]]:
        """Every indexed article: id, title, published, source, chunks."""
        entries = sorted(
            engine.store.manifest().values(), key=lambda e: (e.published, e.title), reverse=True
        )
        return [e.as_dict() for e in entries]

    # a failure's `line` and a warning's `article` are left out where they do not apply
    @api.post("/api/articles", response_model=IngestOut, response_model_exclude_unset=True)
    @api.post(
        "/api/articles/",
        response_model=IngestOut,
        response_model_exclude_unset=True,
        include_in_schema=False,
    )
    def add_articles(body: ArticleIn) -> dict[str, Any]:
        """Ingest one article's `text` (with its metadata), `jsonl` articles, or a `url` alone."""
        from index.ingest import ingest_paths  # imported late: llama-index and Chroma take seconds

        if (body.text is None) == (body.jsonl is None) and (body.text is not None or not body.url):
            raise RequestError(
                400, "Send one of `text` (with title, url, ...), `jsonl`, or `url` alone (fetched)."
            )
        max_bytes = int(engine.settings.max_file_mb * 1_000_000)
        fetch_failed: list[dict[str, Any]] = []
        fetch_warnings: list[dict[str, Any]] = []
        if body.text is None and body.jsonl is None:
            jsonl, fetch_failed, fetch_warnings = fetched_jsonl(body.url, max_bytes)
            body = body.model_copy(update={"jsonl": jsonl})
        content, ids = article_records(body)
        uploads = engine.settings.index_dir / "uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        path = uploads / f"{uuid.uuid4().hex}.jsonl"  # our name, never the client's: no traversal
        with write_lock:
            try:
                path.write_text(content, encoding="utf-8")
                report = ingest_paths(
                    [str(path)],
                    engine.settings,
                    engine.store,
                    engine.embed_model,
                    progress=False,
                    lock_timeout=LOCK_WAIT_S,
                )
            finally:
                path.unlink(missing_ok=True)
        label = "jsonl" if body.jsonl is not None else "text"
        # entries name the request's `text` or `jsonl`, never our temp path
        failed = fetch_failed + [{**f, "path": label} for f in report.failed]
        warnings = fetch_warnings + [{**w, "path": label} for w in report.warnings]
        if failed and not (report.added or report.updated or report.unchanged):
            reasons = [
                f"line {f['line']}: {f['error']}"
                if "line" in f and label == "jsonl"
                else f["error"]
                for f in failed
            ]
            raise RequestError(400, "Nothing ingested: " + "; ".join(reasons[:5]))
        failed_lines = {f.get("line") for f in failed}
        kept = [aid for n, aid in ids if n not in failed_lines]
        return {**report.as_dict(), "failed": failed, "warnings": warnings, "ids": kept}

    @api.delete("/api/articles/{article_id:path}", response_model=DeletedOut)
    def delete_article(article_id: str) -> dict[str, Any]:
        """Remove an article's passages from Chroma and the lexical index."""
        from index.ingest import delete

        if not article_id:
            raise RequestError(404, "No article id given: GET /api/articles lists them.")
        with write_lock:
            entry = engine.store.manifest().get(article_id)
            if entry is None:
                raise RequestError(404, f"No article {article_id!r}: GET /api/articles lists them.")
            delete(engine.store, engine.settings, [article_id], lock_timeout=LOCK_WAIT_S)
        return {"deleted": article_id, "passages": entry.chunks}

    @api.api_route("/api/{rest:path}", methods=ANY_METHOD, include_in_schema=False)
    @api.api_route("/v1/{rest:path}", methods=ANY_METHOD, include_in_schema=False)
    def unknown(request: Request) -> Response:
        if allowed := allowed_methods([*app.router.routes, *api.routes], request.scope):
            if request.method == "OPTIONS":  # what the route takes, as its Allow header
                return Response(status_code=204, headers={"Allow": ", ".join(allowed)})
            message = (
                f"{request.method} {request.url.path} is not allowed: use {', '.join(allowed)}."
            )
            raise HTTPException(405, message, headers={"Allow": ", ".join(allowed)})
        raise RequestError(404, "No such API route: /openapi.json lists them.")

    app.include_router(api)
    return app
