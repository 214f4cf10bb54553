"""Edges of the HTTP API served for real on 127.0.0.1 (blank questions, wrong methods, what
replies name), and of `qa serve`'s arguments."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def served(
    embed_model, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[httpx.Client, Path]]:  # type: ignore[no-untyped-def]
    """A client of the API over a fresh, empty index, and the index's folder."""
    from qa.engine import Engine
    from qa.http_api import build_api
    from qa.server import run_in_thread
    from qa.settings import Settings

    index_dir = tmp_path_factory.mktemp("edges") / "index"
    engine = Engine(Settings(index_dir=index_dir), embed_model=embed_model)
    with run_in_thread(build_api(engine)) as url, httpx.Client(base_url=url, timeout=120) as c:
        yield c, index_dir


@pytest.fixture(scope="module")
def api(served: tuple[httpx.Client, Path]) -> httpx.Client:
    """A client of the API over a fresh, empty index."""
    return served[0]


@pytest.mark.slow
@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_a_blank_question_is_a_400_like_the_chat_endpoint(api: httpx.Client, question: str) -> None:
    asked = api.post("/api/ask", json={"question": question})
    chat = api.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": question}]}
    )
    assert asked.status_code == chat.status_code == 400
    error = asked.json()["error"]
    assert error["type"] == "invalid_request_error" and set(asked.json()) == {"error"}
    assert error["message"].startswith("Invalid request: question:")


@pytest.mark.slow
def test_a_form_body_is_told_to_send_json(api: httpx.Client) -> None:
    sent = api.post("/api/ask", data={"question": "Where?"})  # what `curl -d` sends
    assert sent.status_code == 400
    message = sent.json()["error"]["message"]
    assert "send the body as JSON with Content-Type: application/json" in message
    assert "application/x-www-form-urlencoded" in message


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/api/ask", "POST"),
        ("PUT", "/api/ask", "POST"),
        ("DELETE", "/api/articles", "GET, POST"),
        ("GET", "/api/articles/some-id", "DELETE"),
        ("POST", "/v1/models", "GET"),
    ],
)
def test_a_known_route_with_the_wrong_method_is_a_405(
    api: httpx.Client, method: str, path: str, allow: str
) -> None:
    r = api.request(method, path)
    assert r.status_code == 405 and r.headers["allow"] == allow
    assert r.json()["error"]["message"] == f"{method} {path} is not allowed: use {allow}."


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path"), [("GET", "/api/nothing"), ("POST", "/v1/nothing")])
def test_an_unknown_route_stays_a_404(api: httpx.Client, method: str, path: str) -> None:
    r = api.request(method, path)
    assert r.status_code == 404 and "allow" not in r.headers
    assert r.json()["error"]["message"] == "No such API route: /openapi.json lists them."


@pytest.mark.slow
def test_warnings_name_the_request_not_the_servers_temp_file(api: httpx.Client) -> None:
    text = "The regional airport added a direct flight to Lisbon starting in July."
    body = {"text": text, "title": "Airport adds Lisbon flight", "published": "next tuesday"}
    r = api.post("/api/articles", json=body)
    assert r.status_code == 200, r.text
    (warning,) = r.json()["warnings"]
    assert warning["path"] == "text" and "next tuesday" in warning["error"]
    assert "uploads" not in r.text and ".jsonl" not in r.text

    line = '{"id": "wire/9", "title": "Ferry", "published": "soonish", "text": "The ferry ran."}'
    r = api.post("/api/articles", json={"jsonl": line})
    (warning,) = r.json()["warnings"]
    assert warning["path"] == "jsonl" and warning["line"] == 1 and "uploads" not in r.text


@pytest.mark.parametrize("port", ["99999", "0", "-1", "http"])
def test_serve_refuses_a_port_outside_1_to_65535(port: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "qa.cli", "serve", "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"--port: must be a port number from 1 to 65535, not '{port}'" in done.stderr


@pytest.mark.slow
def test_serve_on_a_taken_port_says_what_to_do_even_when_taken_late(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    import qa.server
    from qa.errors import ConfigError

    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "index"))
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(ConfigError, match=f"Cannot serve on 127.0.0.1:{port} .*--port"):
            qa.server.check_port_free("127.0.0.1", port)
        # taken after the check (by a test server, say): uvicorn's exit becomes the same error
        monkeypatch.setattr(qa.server, "check_port_free", lambda host, port: None)
        with pytest.raises(ConfigError, match="address already in use.*make run PORT=7861"):
            qa.server.serve(port=port)


@pytest.mark.parametrize(
    ("error", "status", "says"),
    [
        (httpx.ConnectError("refused"), 503, "The index cannot be reached (ConnectError)"),
        (ValueError("bug"), 500, "Internal error (ValueError)"),
    ],
)
def test_an_unexpected_error_is_answered_once_not_raised_to_the_server(
    error: Exception, status: int, says: str
) -> None:
    """Raised past the app, an error was logged again by uvicorn as a full traceback."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from qa.http_errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)

    @app.get("/api/fails")
    def fails() -> None:
        raise error

    with TestClient(app, raise_server_exceptions=True) as client:  # raises what escapes the app
        reply = client.get("/api/fails")
    assert reply.status_code == status and reply.json()["error"]["message"].startswith(says)


HOLD = """
import sys, time
from pathlib import Path
from index.lock import write_lock
from qa.settings import Settings
with write_lock(Settings(index_dir=Path(sys.argv[1]))):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.mark.slow
def test_an_add_while_another_process_writes_is_a_503_to_retry(
    served: tuple[httpx.Client, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import qa.http_api

    api, index_dir = served
    monkeypatch.setattr(qa.http_api, "LOCK_WAIT_S", 0.5)  # instead of waiting 20 s for the lock
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(index_dir)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    body = {"text": "The night ferry to the island runs again from Monday.", "title": "Ferry"}
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        busy = api.post("/api/articles", json=body)
    finally:
        holder.kill()
        holder.communicate()
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "10"
    assert "Another process is writing to the index" in busy.json()["error"]["message"]
    added = api.post("/api/articles", json=body)  # once it is done, the same request works
    assert added.status_code == 200 and added.json()["added"] == 1, added.text
    for article_id in added.json()["ids"]:
        assert api.delete(f"/api/articles/{quote(article_id, safe='')}").status_code == 200
