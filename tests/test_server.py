"""Serving: loopback unless told otherwise, credentials beyond it, the bearer token, and load."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from qa.errors import ConfigError
from qa.server import check_exposure, is_loopback, ui_credentials
from qa.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
QA = str(Path(sys.executable).with_name("qa"))
TOKEN = "s3cret-token"


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without credentials, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in ("QA_AUTH", "QA_API_TOKEN")}
    return {**env, "HF_HUB_OFFLINE": "1", **extra}


def test_loopback_hosts() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.5", "example.org", ""))


def test_exposure_needs_both_credentials(tmp_path: Path) -> None:
    bare = Settings(index_dir=tmp_path)
    check_exposure("127.0.0.1", bare)
    with pytest.raises(ConfigError, match="without QA_AUTH and QA_API_TOKEN"):
        check_exposure("0.0.0.0", bare)
    with pytest.raises(ConfigError, match="without QA_API_TOKEN:"):
        check_exposure("10.0.0.1", Settings(index_dir=tmp_path, auth="ann:pw"))
    check_exposure("0.0.0.0", Settings(index_dir=tmp_path, auth="ann:pw", api_token=TOKEN))
    with pytest.raises(ConfigError, match="user:password"):
        ui_credentials(Settings(index_dir=tmp_path, auth="ann"))
    assert ui_credentials(Settings(index_dir=tmp_path, auth="ann:p:w")) == ("ann", "p:w")


def test_serve_refuses_a_public_host_without_credentials(tmp_path: Path, free_port) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    env = clean_env(QA_INDEX_DIR=str(tmp_path / "index"))
    cmd = [QA, "serve", "--host", "0.0.0.0", "--port", str(port)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "Refusing to serve on 0.0.0.0" in done.stderr and "QA_AUTH" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "index").exists()


def test_serve_on_a_port_another_program_holds_says_so_in_one_line(
    tmp_path: Path, free_port
) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        env = clean_env(QA_INDEX_DIR=str(tmp_path / "index"))
        cmd = [QA, "serve", "--port", str(port)]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stderr.startswith(
        f"error: Cannot serve on 127.0.0.1:{port}"
    )
    assert "choose another port with --port" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "index").exists()


@pytest.fixture(scope="module")
def guarded_url(
    seed_index: Path, embed_model, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The real server with QA_API_TOKEN and QA_AUTH set."""
    from qa.engine import Engine
    from qa.server import create_server, run_in_thread

    index_dir = tmp_path_factory.mktemp("guarded") / "index"
    shutil.copytree(seed_index, index_dir)
    settings = Settings(
        index_dir=index_dir, api_token=TOKEN, auth="ann:pw", allowed_hosts="QA.example.org, b.c"
    )
    served = create_server(Engine(settings, embed_model=embed_model))
    with run_in_thread(served, allowed_hosts=settings.allowed_hosts) as url:
        yield url


@pytest.mark.slow
@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", "Bearer"])
def test_api_refuses_a_missing_or_wrong_token(guarded_url: str, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    for method, path in [("GET", "/v1/models"), ("GET", "/api/articles"), ("POST", "/api/ask")]:
        r = httpx.request(method, guarded_url + path, headers=headers, json={"question": "q"})
        assert r.status_code == 401
        assert r.json()["error"]["type"] == "authentication_error"
        assert r.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.slow
def test_api_answers_with_the_token(guarded_url: str) -> None:
    from openai import AuthenticationError, OpenAI

    client = OpenAI(base_url=f"{guarded_url}/v1", api_key=TOKEN, max_retries=0)
    messages = [{"role": "user", "content": "How many civilians were wounded?"}]
    reply = client.chat.completions.create(model="extractive", messages=messages)
    assert "five" in reply.choices[0].message.content and reply.model_extra["citations"]
    wrong = OpenAI(base_url=f"{guarded_url}/v1", api_key="nope", max_retries=0)
    with pytest.raises(AuthenticationError):
        wrong.chat.completions.create(model="extractive", messages=messages)
    assert httpx.get(f"{guarded_url}/api/health").json()["status"] == "ok"  # probes need no token


@pytest.mark.slow
def test_a_loopback_server_answers_only_this_machines_names(guarded_url: str) -> None:
    """DNS rebinding: a page re-pointed at 127.0.0.1 sends its own name as the Host."""
    port = guarded_url.rsplit(":", 1)[1]
    for host in (f"evil.example:{port}", "evil.example", "127.0.0.1.evil.example"):
        r = httpx.get(guarded_url + "/api/health", headers={"Host": host})
        assert r.status_code == 400 and "only requests to localhost" in r.json()["error"]["message"]
        assert httpx.get(guarded_url + "/", headers={"Host": host}).status_code == 400
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "localhost"):
        assert httpx.get(guarded_url + "/api/health", headers={"Host": host}).status_code == 200
    # a reverse proxy's public name, listed in QA_ALLOWED_HOSTS
    proxied = httpx.get(guarded_url + "/api/health", headers={"Host": "qa.example.org"})
    assert proxied.status_code == 200


@pytest.mark.slow
def test_head_and_options_on_api_routes(guarded_url: str) -> None:
    head = httpx.head(guarded_url + "/api/health")
    assert head.status_code == 200 and head.content == b""
    token = {"Authorization": f"Bearer {TOKEN}"}
    options = httpx.options(guarded_url + "/api/ask", headers=token)
    assert options.status_code == 204 and options.headers["Allow"] == "POST"


def test_host_names_and_urls() -> None:
    from qa.server import host_name, url_of

    assert [host_name(h) for h in ("a.b:80", "a.b", "[::1]:7860", "[::1]", "::1")] == [
        "a.b",
        "a.b",
        "::1",
        "::1",
        "::1",
    ]
    assert url_of("::1", 7860) == "http://[::1]:7860" and url_of("[::1]", 1) == "http://[::1]:1"
    assert url_of("127.0.0.1", 7860) == "http://127.0.0.1:7860"


@pytest.mark.slow
def test_ui_asks_for_qa_auth(guarded_url: str) -> None:
    with httpx.Client(base_url=guarded_url) as browser:
        assert browser.get("/config").status_code == 401
        # the Gradio client's routes to the same answers need the login too
        called = browser.post("/gradio_api/call/ask", json={"data": ["How many were wounded?"]})
        assert called.status_code == 401
        assert browser.post("/login", data={"username": "ann", "password": "no"}).status_code == 400
        assert browser.post("/login", data={"username": "ann", "password": "pw"}).status_code == 200
        assert browser.get("/config").status_code == 200


@pytest.fixture
def served_copy(seed_index: Path, embed_model, tmp_path: Path) -> Iterator[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    """The real server over a private copy of the seed index: (url, index dir)."""
    from qa.engine import Engine
    from qa.server import create_server, run_in_thread

    index_dir = tmp_path / "index"
    shutil.copytree(seed_index, index_dir)
    engine = Engine(Settings(index_dir=index_dir), embed_model=embed_model)
    with run_in_thread(create_server(engine)) as url:
        yield url, index_dir


@pytest.mark.slow
def test_concurrent_questions_while_qa_ingest_writes(served_copy: tuple[str, Path]) -> None:
    """bench/load.py, small: rounds of 10 questions at once until a `qa ingest` into the same
    index ends; every question is answered."""
    url, index_dir = served_copy
    cmd = [sys.executable, str(ROOT / "bench" / "load.py"), "--url", url, "-n", "10", "--json"]
    cmd += ["--ingest", str(ROOT / "tests" / "data" / "articles")]
    env = clean_env(QA_INDEX_DIR=str(index_dir))
    load = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=400)
    assert load.returncode == 0, load.stdout + load.stderr
    report = json.loads(load.stdout)
    assert report["errors"] == [] and report["answered"] == report["questions"] >= 10
    assert report["cited"] >= 0.8 * report["answered"] and report["p95_s"] > 0
    ingest = report["ingest"]
    assert ingest["exit_code"] == 0 and json.loads(ingest["report"])["added"] == 5
    # what the other process wrote is answered from once the engine rechecks the index's
    # revision (every 2 s): polled, as a loaded machine may be slow to get there
    question = {"question": "How much did the Harbor Bridge repairs cost?"}
    deadline = time.monotonic() + 30
    while True:
        after = httpx.post(f"{url}/api/ask", json=question, timeout=60).json()
        if "$42 million" in after["text"] or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert "$42 million" in after["text"], after


@pytest.mark.slow
def test_page_is_served_while_the_engine_loads_and_the_api_says_so(seed_engine) -> None:  # type: ignore[no-untyped-def]
    from qa.server import EngineLoader, create_server, run_in_thread

    loader = EngineLoader(seed_engine.settings)
    with run_in_thread(create_server(loader)) as url:
        assert httpx.get(url + "/", timeout=30).status_code == 200  # the chat page, at once
        for path in ("/api/health", "/v1/models"):
            r = httpx.get(url + path, timeout=30)
            assert r.status_code == 503 and r.headers["Retry-After"] == "2"
            assert r.json()["error"]["message"].startswith("Still starting (Loading the index…)")
        loader.load(lambda _settings: seed_engine)
        assert httpx.get(url + "/api/health", timeout=30).json()["status"] == "ok"
        answer = httpx.post(
            url + "/api/ask", json={"question": "How many were wounded?"}, timeout=60
        )
        assert answer.status_code == 200 and "five" in answer.json()["text"]


@pytest.mark.slow
def test_a_failed_load_is_a_readable_503(tmp_path: Path) -> None:
    from qa.server import EngineLoader, create_server, run_in_thread

    loader = EngineLoader(Settings(index_dir=tmp_path / "index"))

    def broken(_settings: Settings) -> Any:
        raise ConfigError("QA_LLM=openai needs OPENAI_API_KEY or OPENAI_BASE_URL")

    loader.load(broken)
    with run_in_thread(create_server(loader)) as url:
        r = httpx.post(url + "/api/ask", json={"question": "q"}, timeout=30)
        assert r.status_code == 503
        assert r.json()["error"]["message"] == (
            "The index could not be loaded. QA_LLM=openai needs OPENAI_API_KEY or OPENAI_BASE_URL"
        )


@pytest.mark.slow
def test_gradio_refuses_an_upload_over_qa_max_file_mb(
    seed_engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    from qa.engine import Engine
    from qa.server import create_server, run_in_thread

    gradio_dir = tmp_path / "gradio"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(gradio_dir))
    settings = seed_engine.settings.model_copy(update={"max_file_mb": 0.01})  # 10,000 bytes
    engine = Engine(settings, store=seed_engine.store, embed_model=seed_engine.embed_model)
    with run_in_thread(create_server(engine)) as url:
        # far over the cap (five times): refused while read, as the page refuses it too
        assert httpx.get(url + "/config").json()["max_file_size"] == 52_428  # 5 x 0.01 MiB
        big = {"files": ("big.txt", b"x" * 60_000, "text/plain")}
        refused = httpx.post(url + "/gradio_api/upload", files=big, timeout=30)
        assert refused.status_code == 413
        assert "exceeded maximum allowed size of 52428 bytes" in refused.text
        assert not [p for p in gradio_dir.rglob("*") if p.is_file()]  # nothing of it was kept
        small = {"files": ("small.txt", b"A short article.", "text/plain")}
        kept = httpx.post(url + "/gradio_api/upload", files=small, timeout=30)
        assert kept.status_code == 200 and Path(kept.json()[0]).read_bytes() == b"A short article."


@pytest.mark.slow
def test_serve_indexes_the_seeds_on_first_run_after_serving_the_page(
    tmp_path: Path, free_port
) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    env = clean_env(QA_INDEX_DIR=str(tmp_path / "index"))
    cmd = [QA, "serve", "--host", "127.0.0.1", "--port", str(port), "--seed", "seeds"]
    server = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        health = None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and server.poll() is None:
            try:
                health = httpx.get(url + "/api/health", timeout=10)
            except httpx.HTTPError:
                time.sleep(0.2)
                continue
            if health.status_code == 200:
                break
            assert "Still starting" in health.json()["error"]["message"]
            time.sleep(0.2)
        assert health is not None and health.json() == {
            "status": "ok",
            "passages": 4,
            "answerer": "extractive",
        }
        assert httpx.get(url + "/", timeout=30).status_code == 200
        answer = httpx.post(
            url + "/api/ask", json={"question": "How many were wounded?"}, timeout=60
        )
        assert "five" in answer.json()["text"]
        # an open chat page holds a heartbeat stream: stopping must not wait for it to close
        with httpx.stream("GET", url + "/gradio_api/heartbeat/abc", timeout=60) as heartbeat:
            assert heartbeat.status_code == 200
            server.terminate()
            stopping = time.monotonic()
            out = server.communicate(timeout=60)[0]
            assert time.monotonic() - stopping < 15
    finally:
        if server.poll() is None:
            server.terminate()
            out = server.communicate(timeout=60)[0]
    lines = [line for line in out.splitlines() if line.startswith("article-qa:")]
    assert (
        "serving the chat" in lines[0] and "1 added" in lines[1] and lines[2] == "article-qa: ready"
    )


@pytest.mark.slow
def test_serve_stops_with_one_line_when_the_engine_cannot_load(tmp_path: Path, free_port) -> None:  # type: ignore[no-untyped-def]
    env = clean_env(QA_INDEX_DIR=str(tmp_path / "index"), QA_LLM="openai")
    env = {k: v for k, v in env.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    cmd = [QA, "serve", "--host", "127.0.0.1", "--port", str(free_port())]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("error: QA_LLM=openai needs")
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_seeds_go_into_a_new_index_only(tmp_path: Path, embed_model) -> None:  # type: ignore[no-untyped-def]
    from index.ingest import delete
    from qa.engine import Engine
    from qa.server import EngineLoader

    settings = Settings(index_dir=tmp_path / "index")

    def started() -> Engine:
        loader = EngineLoader(settings, [str(ROOT / "seeds")])
        loader.load(lambda s: Engine(s, embed_model=embed_model))
        return loader.engine()

    engine = started()
    ids = list(engine.store.manifest())
    assert len(ids) == 1 and engine.store.count() == 4  # the first run indexes the seed
    delete(engine.store, settings, ids)
    assert started().store.count() == 0  # deleted by its user: not brought back at the next start
