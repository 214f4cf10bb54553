"""One process serving the Gradio UI (at /) and the HTTP API, on loopback by default."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from qa.api import Engine, default_engine


def create_server(engine: Engine) -> Any:
    """A FastAPI app with the chat UI mounted at `/`."""
    import gradio as gr
    from fastapi import FastAPI

    from app import build_app

    def stream(question: str, history: Sequence[tuple[str, str]]) -> Iterator[Any]:
        return engine.stream(question, history=history)

    api = FastAPI(title="article-qa", version="0.1.0")
    demo = build_app(stream).queue(default_concurrency_limit=4)
    return gr.mount_gradio_app(api, demo, path="/", show_error=False)


def serve(host: str = "127.0.0.1", port: int = 7860, seed_paths: Sequence[str] | None = None) -> None:
    """Load the engine (ingesting `seed_paths` into an empty index) and serve UI + API."""
    import uvicorn

    from index.ingest import ingest_paths

    engine = default_engine()
    if seed_paths and engine.store.count() == 0:
        print(ingest_paths(seed_paths, engine.settings, store=engine.store, embed_model=engine.embed_model).summary())
    print(f"article-qa: serving on http://{host}:{port}", flush=True)
    uvicorn.run(create_server(engine), host=host, port=port, log_level="warning")
