"""One process serving the Gradio UI (at /) and the HTTP API, on loopback by default."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from qa.errors import ConfigError
from qa.settings import Settings

if TYPE_CHECKING:
    from qa.api import Engine


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the server reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def ui_credentials(settings: Settings) -> tuple[str, str] | None:
    """QA_AUTH as (user, password), None when unset."""
    if settings.auth is None:
        return None
    user, sep, password = settings.auth.get_secret_value().partition(":")
    if not (sep and user and password):
        raise ConfigError("QA_AUTH must look like user:password (both parts non-empty).")
    return user, password


def check_exposure(host: str, settings: Settings) -> None:
    """Refuse to serve beyond loopback unless both the UI and the API require credentials."""
    ui_credentials(settings)
    if is_loopback(host):
        return
    needed = (("QA_AUTH", settings.auth), ("QA_API_TOKEN", settings.api_token))
    missing = [name for name, value in needed if value is None]
    if missing:
        raise ConfigError(
            f"Refusing to serve on {host}, reachable from other machines, without "
            f"{' and '.join(missing)}: set QA_AUTH=user:password (web UI) and "
            "QA_API_TOKEN=<secret> (HTTP API), or use --host 127.0.0.1."
        )


def create_server(engine: Engine) -> Any:
    """The API app with the chat UI mounted at `/` (behind QA_AUTH when set)."""
    import gradio as gr

    from app import build_app
    from qa.http_api import build_api

    token = engine.settings.api_token
    api = build_api(engine, token.get_secret_value() if token else None)
    demo = build_app(engine).queue(default_concurrency_limit=4)
    return gr.mount_gradio_app(
        api, demo, path="/", show_error=False, auth=ui_credentials(engine.settings)
    )


@contextmanager
def run_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `app` with uvicorn in a background thread; yields its URL (port 0: a free one)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start on {host}:{port}")
        time.sleep(0.05)
    bound_port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def serve(
    host: str = "127.0.0.1", port: int = 7860, seed_paths: Sequence[str] | None = None
) -> None:
    """Load the engine (ingesting `seed_paths` into an empty index) and serve UI + API."""
    import uvicorn

    from index.ingest import ingest_paths
    from qa.api import default_engine

    settings = Settings()
    check_exposure(host, settings)  # before the slow part: a refusal comes at once
    engine = default_engine(settings)
    if not (seed_paths and engine.store.count() == 0):
        # serve the page while the embedder loads; the first question waits for it if need be
        threading.Thread(target=engine.warm_up, name="warm-up", daemon=True).start()
    if seed_paths and engine.store.count() == 0:
        print(
            ingest_paths(
                seed_paths, engine.settings, store=engine.store, embed_model=engine.embed_model
            ).summary()
        )
    print(
        f"article-qa: serving the chat on http://{host}:{port}/ and the API under /v1 and /api",
        flush=True,
    )
    uvicorn.run(create_server(engine), host=host, port=port, log_level="warning")
