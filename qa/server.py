"""One process serving the Gradio UI (at /) and the HTTP API, on loopback by default."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.errors import ConfigError, QAError
from qa.settings import Settings

if TYPE_CHECKING:
    from qa.engine import Engine

log = logging.getLogger("article-qa.server")
UPLOAD_CAP_FACTOR = 5  # Gradio's upload cap, in times QA_MAX_FILE_MB (see create_server)


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


def check_port_free(host: str, port: int) -> None:
    """Refuse at once, saying what to do, when another program holds the address."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConfigError(
            f"Cannot serve on host {host!r} ({exc.strerror}): check --host."
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise port_taken(host, port, exc.strerror or str(exc)) from None


def port_taken(host: str, port: int, reason: str) -> ConfigError:
    """The error for an address another program holds, saying what to do."""
    return ConfigError(
        f"Cannot serve on {host}:{port} ({reason}): another program (an earlier qa serve?) "
        "holds it; stop it or choose another port with --port (make run PORT=7861)."
    )


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


class EngineLoader:
    """The Engine, loaded in a background thread so that the page is served before the models."""

    def __init__(
        self,
        settings: Settings,
        seed_paths: Sequence[str] | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.settings = settings
        self.seed_paths = list(seed_paths or [])
        self.stage = "Loading the index…"
        self.error: BaseException | None = None
        self._engine = engine
        self._done = threading.Event()
        if engine is not None:
            self._done.set()

    @classmethod
    def of(cls, engine: Engine | EngineLoader) -> EngineLoader:
        """`engine` itself if it is a loader, else a loader holding it, ready."""
        return engine if isinstance(engine, EngineLoader) else cls(engine.settings, engine=engine)

    @property
    def ready(self) -> bool:
        """Whether the engine is loaded and warm."""
        return self._done.is_set() and self.error is None

    @property
    def failed(self) -> bool:
        """Whether loading ended in an error (`engine()` raises it)."""
        return self.error is not None

    def load(self, make_engine: Callable[[Settings], Engine] | None = None) -> None:
        """Open the index, ingest the seeds into an empty one, load the embedder and BM25."""
        try:
            self.stage = "Opening the index…"
            if make_engine is None:
                from qa.api import default_engine

                make_engine = default_engine
            engine = make_engine(self.settings)
            # seeds go into a new index only: an index emptied by deleting stays empty
            seeded = self.settings.index_dir / ".seeded"
            empty = engine.store.count() == 0
            if not empty:
                mark(seeded)
            elif self.seed_paths and seeded.exists():
                print(
                    "article-qa: the index is empty (its articles were deleted); "
                    f"`qa ingest {' '.join(self.seed_paths)}` adds the sample again",
                    flush=True,
                )
            elif self.seed_paths:
                from index.ingest import ingest_paths

                self.stage = f"First run: indexing {' '.join(self.seed_paths)}…"
                report = ingest_paths(
                    self.seed_paths,
                    self.settings,
                    store=engine.store,
                    embed_model=engine.embed_model,
                    progress=False,
                )
                print(f"article-qa: {report.summary()}", flush=True)
                for f in report.failed:
                    print(f"  failed: {f['path']}: {f['error']}", file=sys.stderr)
                for s in report.skipped:
                    print(f"  skipped: {s['path']}: {s['error']}", file=sys.stderr)
                mark(seeded)
            self.stage = "Loading the embedder and the article list…"
            engine.warm_up()
            self._engine = engine
            self.stage = "Ready."
        except Exception as exc:  # kept for whoever waits on the engine
            if not isinstance(exc, QAError):
                log.exception("loading the index failed")
            self.error = exc
            self.stage = "The index could not be loaded."
        finally:
            self._done.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to `timeout` seconds for loading to end; whether it has."""
        return self._done.wait(timeout)

    def engine(self) -> Engine:
        """The loaded engine, waiting for it if need be; raises what made loading fail."""
        self._done.wait()
        if self.error is not None:
            raise self.error
        assert self._engine is not None
        return self._engine


def mark(path: Path) -> None:
    """Leave an empty marker file (a read-only index folder just goes without)."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()


class LoadedEngine:
    """Stands in for the loader's Engine: settings at once, anything else once loaded."""

    def __init__(self, loader: EngineLoader) -> None:
        self.settings = loader.settings
        self._loader = loader

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader.engine(), name)


class LoadingGate:
    """Answers API calls with 503 (and Retry-After) until the engine has loaded."""

    def __init__(self, app: Any, loader: EngineLoader) -> None:
        self.app, self.loader = app, loader

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        api_call = scope["type"] == "http" and scope["path"].startswith(("/api/", "/v1/"))
        if not api_call or self.loader.ready:
            return await self.app(scope, receive, send)
        from qa.http_errors import error_response

        if self.loader.failed:
            message = f"{self.loader.stage} {failure_text(self.loader.error)}"
        else:
            message = f"Still starting ({self.loader.stage}): try again in a few seconds."
        response = error_response(503, message)
        response.headers["Retry-After"] = "2"
        await response(scope, receive, send)


def failure_text(error: BaseException | None) -> str:
    """What went wrong, for people: our own errors in full, others by type only."""
    if isinstance(error, QAError):
        return str(error)
    return f"({type(error).__name__}; the server log has the details)"


def host_name(header: str) -> str:
    """The host of a Host header, without its port ("[::1]:7860" -> "::1")."""
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class LoopbackHostsOnly:
    """On a loopback bind, refuse requests addressed to another host name: DNS rebinding.

    A web page whose name an attacker re-points at 127.0.0.1 sends its own name as the Host;
    only this machine's names (localhost, 127.0.0.0/8, ::1) and QA_ALLOWED_HOSTS are answered.
    Not Starlette's TrustedHostMiddleware: its refusal is a bare "Invalid host header", where
    this one is the API's error shape and names the setting that fixes it.
    """

    def __init__(self, app: Any, allowed: str = "") -> None:
        self.app = app
        self.allowed = {h.strip().lower() for h in allowed.split(",") if h.strip()}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        header = dict(scope.get("headers") or ()).get(b"host", b"").decode("latin-1")
        name = host_name(header).lower()
        if (
            scope["type"] not in ("http", "websocket")
            or not header
            or is_loopback(name)
            or name in self.allowed
        ):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        from qa.http_errors import error_response

        message = (
            f"This server answers only requests to localhost, not to {name!r}: behind a proxy, "
            "add its name to QA_ALLOWED_HOSTS; to serve other machines, start it with --host "
            "and set QA_AUTH and QA_API_TOKEN."
        )
        await error_response(400, message)(scope, receive, send)


def create_server(engine: Engine | EngineLoader) -> Any:
    """The API app with the chat UI mounted at `/` (behind QA_AUTH when set)."""
    import gradio as gr

    from app import build_app
    from qa.http_api import build_api

    loader = EngineLoader.of(engine)
    settings = loader.settings
    token = settings.api_token
    api = build_api(LoadedEngine(loader), token.get_secret_value() if token else None)  # type: ignore[arg-type]
    api.add_middleware(LoadingGate, loader=loader)
    demo = build_app(loader).queue(default_concurrency_limit=4)
    return gr.mount_gradio_app(
        api,
        demo,
        path="/",
        show_error=False,
        auth=ui_credentials(settings),
        # Gradio refuses a whole selection when one file is over its cap, so its cap is well
        # above ours: a file a little over QA_MAX_FILE_MB gets its own row and costs the others
        # nothing; one far over it is still refused (413) while read, before it is kept. In
        # MiB: the page's message counts in them, and says "100 Mb", not "95.4 Mb", for 5 x 20
        max_file_size=int(UPLOAD_CAP_FACTOR * settings.max_file_mb * 1024 * 1024),
    )


def uvicorn_server(app: Any, host: str, port: int, allowed_hosts: str = "") -> Any:
    """A uvicorn server for `app` that, when asked to stop, first ends the chat pages' streams.

    An open chat page holds a heartbeat stream that Gradio ends only on its app's stop event;
    uvicorn waits for open connections before it stops, so without this it would wait forever.
    """
    import uvicorn

    stop_events = [
        r.app.stop_event for r in app.routes if hasattr(getattr(r, "app", None), "stop_event")
    ]

    class Server(uvicorn.Server):
        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            for stop in stop_events:
                stop.set()
            await super().shutdown(sockets)

    if is_loopback(host):
        app = LoopbackHostsOnly(app, allowed_hosts)
    return Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))


def url_of(host: str, port: int) -> str:
    """The address people open: an IPv6 host in brackets."""
    name = host.strip("[]")
    return f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}"


@contextmanager
def run_in_thread(
    app: Any, host: str = "127.0.0.1", port: int = 0, allowed_hosts: str = ""
) -> Iterator[str]:
    """Serve `app` with uvicorn in a background thread; yields its URL (port 0: a free one)."""
    server = uvicorn_server(app, host, port, allowed_hosts)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start on {host}:{port}")
        time.sleep(0.05)
    bound_port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield url_of(host, bound_port)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def serve(
    host: str = "127.0.0.1", port: int = 7860, seed_paths: Sequence[str] | None = None
) -> None:
    """Serve UI + API at once; the engine loads (ingesting `seed_paths` into an empty index) after."""
    settings = Settings()
    check_exposure(host, settings)  # before anything slow: a refusal comes at once
    check_port_free(host, port)
    loader = EngineLoader(settings, seed_paths)
    server = uvicorn_server(create_server(loader), host, port, settings.allowed_hosts)

    def load_once_listening() -> None:
        # torch, Chroma and the model would slow the page's start-up: they load once it is served
        while not server.started:
            if server.should_exit:
                return
            time.sleep(0.05)
        print(
            f"article-qa: serving the chat on {url_of(host, port)}/ and the API under /v1 and "
            "/api; loading the index…",
            flush=True,
        )
        loader.load()
        if loader.failed:
            server.should_exit = True  # a broken index or configuration ends `qa serve`
        else:
            print("article-qa: ready", flush=True)

    threading.Thread(target=load_once_listening, name="engine-loader", daemon=True).start()
    try:
        server.run()
    except SystemExit:  # uvicorn exits when it cannot bind: taken since check_port_free looked
        if server.started:
            raise
        raise port_taken(host, port, "address already in use") from None
    if loader.error is not None:
        raise loader.error
