"""The HTTP API served for real on 127.0.0.1: the official openai client, the article routes,
errors, and schemathesis against /openapi.json."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from qa.citations import Answer

pytestmark = pytest.mark.slow
WOUNDED = "How many civilians were wounded?"


@pytest.fixture(scope="module")
def server_url(
    seed_index: Path, embed_model, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The real server (API + UI) over a private copy of the seed index, no token."""
    from qa.engine import Engine
    from qa.server import create_server, run_in_thread
    from qa.settings import Settings

    index_dir = tmp_path_factory.mktemp("http") / "index"
    shutil.copytree(seed_index, index_dir)
    engine = Engine(Settings(index_dir=index_dir), embed_model=embed_model)
    with run_in_thread(create_server(engine)) as url:
        yield url


@pytest.fixture(scope="module")
def http(server_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server_url, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def openai_client(server_url: str):  # type: ignore[no-untyped-def]
    from openai import OpenAI

    return OpenAI(base_url=f"{server_url}/v1", api_key="unused", max_retries=0)


def test_openai_client_gets_a_cited_answer(openai_client) -> None:  # type: ignore[no-untyped-def]
    reply = openai_client.chat.completions.create(
        model="anything", messages=[{"role": "user", "content": WOUNDED}]
    )
    content = reply.choices[0].message.content
    citations = reply.model_extra["citations"]
    assert "five" in content and "[1]" in content
    assert citations[0]["n"] == 1 and "wounded five other civilians" in citations[0]["passage"]
    assert citations[0]["article_id"].startswith("seeds/")


def test_openai_client_streams_a_cited_answer(openai_client) -> None:  # type: ignore[no-untyped-def]
    stream = openai_client.chat.completions.create(
        model="extractive",
        stream=True,
        messages=[{"role": "user", "content": "Where were the rockets fired from?"}],
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    last = chunks[-1]
    assert "al-Amin al-Thaniyah" in text and "[1]" in text
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["citations"][0]["n"] == 1
    assert all("citations" not in (c.model_extra or {}) for c in chunks[:-1])


def test_history_turns_carry_into_a_follow_up(openai_client) -> None:  # type: ignore[no-untyped-def]
    messages = [
        {"role": "system", "content": "Answer from the articles."},
        {"role": "user", "content": "Where were the rockets fired from?"},
        {"role": "assistant", "content": "From the al-Amin al-Thaniyah neighborhood. [1]"},
        {"role": "user", "content": "And how many were wounded?"},
    ]
    reply = openai_client.chat.completions.create(model="x", messages=messages)
    assert "five" in reply.choices[0].message.content and reply.model_extra["citations"]


def test_models_list_the_answerer(openai_client) -> None:  # type: ignore[no-untyped-def]
    assert [m.id for m in openai_client.models.list()] == ["extractive"]


def test_models_are_retrieved_by_name(openai_client) -> None:  # type: ignore[no-untyped-def]
    from openai import NotFoundError

    model = openai_client.models.retrieve("extractive")
    assert model.id == "extractive" and model.object == "model"
    with pytest.raises(NotFoundError) as raised:
        openai_client.models.retrieve("gpt-4o")
    assert raised.value.body == {
        "message": "No model 'gpt-4o': GET /v1/models lists the one there is.",
        "type": "not_found_error",
    }


TOOL = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"n": 2}, "`n` = 2 is not supported"),
        ({"response_format": {"type": "json_object"}}, '`response_format` "json_object"'),
        ({"tools": [TOOL], "tool_choice": "required"}, '`tool_choice` "required"'),
        ({"tools": [TOOL], "tool_choice": "required", "stream": True}, "`tool_choice`"),
        (
            {"tools": [TOOL], "tool_choice": {"type": "function", "function": {"name": "lookup"}}},
            "`tool_choice` {",
        ),
    ],
)
def test_openai_client_is_told_what_is_not_supported(  # type: ignore[no-untyped-def]
    openai_client, options: dict[str, Any], named: str
) -> None:
    from openai import BadRequestError

    with pytest.raises(BadRequestError) as raised:
        openai_client.chat.completions.create(
            model="x", messages=[{"role": "user", "content": WOUNDED}], **options
        )
    error = raised.value.body
    assert error["type"] == "invalid_request_error" and error["message"].startswith(named)
    assert "not supported" in error["message"] and "leave it out" in error["message"]


def test_openai_client_options_that_change_nothing_are_ignored_and_usage_is_read(  # type: ignore[no-untyped-def]
    openai_client,
) -> None:
    reply = openai_client.chat.completions.create(
        model="x",
        messages=[{"role": "user", "content": WOUNDED}],
        **{"temperature": 0.1, "max_tokens": 5, "top_p": 0.9, "stop": ["\n"], "logprobs": False},
        **{"user": "u", "seed": 1, "n": 1, "response_format": {"type": "text"}},
        **{"tools": [TOOL], "tool_choice": "auto", "stream_options": None},
    )
    content = reply.choices[0].message.content
    assert "five" in content and reply.model_extra["citations"]
    # word counts: the extractive answerer has no tokenizer
    assert reply.usage.prompt_tokens == len(WOUNDED.split()) == 5
    assert reply.usage.completion_tokens == len(content.split())
    assert reply.usage.total_tokens == 5 + len(content.split())


def test_openai_client_streams_usage_last_when_asked(openai_client) -> None:  # type: ignore[no-untyped-def]
    stream = openai_client.chat.completions.create(
        model="x",
        stream=True,
        stream_options={"include_usage": True},
        messages=[{"role": "user", "content": WOUNDED}],
    )
    *answer, last = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in answer)
    assert "five" in text and answer[-1].choices[0].finish_reason == "stop"
    assert last.choices == [] and last.usage is not None
    assert (last.usage.prompt_tokens, last.usage.completion_tokens) == (5, len(text.split()))


def test_ask_returns_the_cli_json_shape(http: httpx.Client) -> None:
    r = http.post("/api/ask", json={"question": WOUNDED, "top_k": 3, "until": "2021-01-01"})
    body = r.json()
    assert r.status_code == 200 and set(body) == set(Answer("", True).as_dict())
    assert body["answered"] and body["citations"][0]["published"] == "2020-11-17"
    refused = http.post("/api/ask", json={"question": WOUNDED, "since": "2022-01-01"}).json()
    assert refused["answered"] is False and refused["citations"] == []
    assert "No article matches the date and source filters" in refused["text"]
    one = http.post("/api/ask", json={"question": WOUNDED, "sources": "Nowhere Times"})
    assert one.status_code == 200 and "No article matches" in one.json()["text"]
    early = http.post("/api/ask", json={"question": WOUNDED, "as_of": "2020-11-01"}).json()
    assert early["answered"] is False and "published by 2020-11-01" in early["text"]


def test_articles_are_added_listed_and_deleted(http: httpx.Client) -> None:
    text = "The Lisbon tram line 28 reopened on Monday after repairs costing 4 million euros."
    r = http.post(
        "/api/articles",
        json={"text": text, "title": "Tram 28", "published": "2024-03-04", "source": "Diário"},
    )
    assert r.status_code == 200, r.text
    (article_id,) = r.json()["ids"]
    listed = {a["id"]: a for a in http.get("/api/articles").json()}
    assert listed[article_id] == {
        "id": article_id,
        "title": "Tram 28",
        "published": "2024-03-04",
        "source": "Diário",
        "chunks": 1,
    }
    answer = http.post("/api/ask", json={"question": "How much did the tram 28 repairs cost?"})
    assert "4 million euros" in answer.json()["text"]

    lines = [json.dumps({"id": "wire/1", "title": "Ferry", "text": "The ferry sank."}), "{oops"]
    r = http.post("/api/articles", json={"jsonl": "\n".join(lines)})
    assert r.status_code == 200 and r.json()["ids"] == ["wire/1"]
    (failure,) = r.json()["failed"]
    assert (
        failure["path"] == "jsonl" and failure["line"] == 2 and "invalid JSON" in failure["error"]
    )

    assert http.delete(f"/api/articles/{article_id}").json() == {
        "deleted": article_id,
        "passages": 1,
    }
    assert http.delete("/api/articles/wire/1").status_code == 200  # ids with slashes
    assert {a["id"] for a in http.get("/api/articles").json()} == {
        "seeds/2020-11-17-rockets-fired-at-us-embassy-baghdad.txt"
    }
    gone = http.post("/api/ask", json={"question": "How much did the tram 28 repairs cost?"})
    assert "4 million euros" not in gone.json()["text"]
    assert http.delete(f"/api/articles/{article_id}").status_code == 404


FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Alps Wire</title>
<item><title>Pass closed</title><link>http://127.0.0.1:9/gone</link>
<description>The Furka pass closed for the winter on Monday.</description></item>
</channel></rss>"""


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = (
            b"<html><head><title>Glacier</title></head><body><article><h1>Glacier</h1>"
            b"<p>The Rhone glacier lost 3 metres of ice thickness in the summer of 2023, "
            b"surveyors said on Friday.</p></article></body></html>"
        )
        kind = "text/html; charset=utf-8"
        if self.path == "/feed.xml":  # its entry's page cannot be reached: read from the feed
            body, kind = FEED, "application/rss+xml"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_a_url_is_fetched_and_ingested(http: httpx.Client) -> None:
    page = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=page.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{page.server_address[1]}/glacier.html"
    try:
        r = http.post("/api/articles", json={"url": url})
        feed = http.post("/api/articles", json={"url": url.replace("glacier.html", "feed.xml")})
    finally:
        page.shutdown()
        page.server_close()
    assert r.status_code == 200, r.text
    assert r.json()["ids"] == [url] and r.json()["added"] == 1
    assert feed.json()["ids"] == ["http://127.0.0.1:9/gone"], feed.text
    [warning] = feed.json()["warnings"]  # said as the CLI says it
    assert warning["article"] == "http://127.0.0.1:9/gone"
    assert (
        "summary only" in warning["error"] and "nothing answered at 127.0.0.1" in warning["error"]
    )
    gone = http.delete(f"/api/articles/{quote('http://127.0.0.1:9/gone', safe='')}")
    assert gone.status_code == 200, gone.text
    answer = http.post("/api/ask", json={"question": "How much ice did the Rhone glacier lose?"})
    assert "3 metres" in answer.json()["text"]
    dead = http.post("/api/articles", json={"url": "http://127.0.0.1:9/nothing"})
    assert dead.status_code == 400 and "Nothing ingested" in dead.json()["error"]["message"]
    assert http.delete(f"/api/articles/{quote(url, safe='')}").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/api/ask", {"question": 7}, 400),
        ("POST", "/api/ask", {"question": "x", "top_k": 0}, 400),
        ("POST", "/api/ask", {"question": "x", "since": "yesterday"}, 400),
        ("POST", "/api/ask", {"question": "x", "since": "2024-05-01", "until": "2024-03-01"}, 400),
        ("POST", "/v1/chat/completions", {"messages": []}, 400),
        (
            "POST",
            "/v1/chat/completions",
            {"messages": [{"role": "assistant", "content": "hi"}]},
            400,
        ),
        ("POST", "/v1/chat/completions", {"messages": [{"role": "user", "content": " "}]}, 400),
        ("POST", "/api/articles", {"text": "a", "jsonl": "b"}, 400),
        ("POST", "/api/articles", {"text": "   "}, 400),
        ("POST", "/api/articles", {"url": "file:///etc/passwd"}, 400),
        ("GET", "/api/nothing-here", None, 404),
        ("DELETE", "/api/articles/no-such-id", None, 404),
    ],
)
def test_bad_input_gets_a_json_error(
    http: httpx.Client, method: str, path: str, body: Any, status: int
) -> None:
    r = http.request(method, path, json=body)
    assert r.status_code == status
    error = r.json()["error"]
    assert error["message"] and error["type"] and "Traceback" not in r.text


def test_malformed_json_is_a_400(http: httpx.Client) -> None:
    r = http.post("/api/ask", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == {
        "message": "Invalid request: the body is not valid JSON (at character 1: "
        "Expecting property name enclosed in double quotes)",
        "type": "invalid_request_error",
    }


@pytest.mark.parametrize(
    ("path", "options", "said"),
    [
        (
            "/api/ask",
            {"top_k": "5"},
            'top_k: send a whole number from 1 to 100, without quotes (not "5")',
        ),
        (
            "/api/ask",
            {"top_k": True},
            "top_k: send a whole number from 1 to 100, without quotes (not true)",
        ),
        ("/api/ask", {"since": 0}, "since: send the day as YYYY-MM-DD, e.g. 2024-03-07 (not 0)"),
        (
            "/v1/chat/completions",
            {"until": "2020-01-01T00:00:00"},
            'until: send the day as YYYY-MM-DD, e.g. 2024-03-07 (not "2020-01-01T00:00:00")',
        ),
        ("/v1/chat/completions", {"top_k": "5"}, "top_k: send a whole number"),
    ],
)
def test_numbers_and_days_are_not_guessed(
    http: httpx.Client, path: str, options: dict[str, Any], said: str
) -> None:
    body = (
        {"question": WOUNDED}
        if path == "/api/ask"
        else {"messages": [{"role": "user", "content": WOUNDED}]}
    )
    r = http.post(path, json={**body, **options})
    message = r.json()["error"]["message"]
    assert r.status_code == 400 and message.startswith(f"Invalid request: {said}")


def test_a_trailing_slash_lists_the_articles_and_deletes_nothing(http: httpx.Client) -> None:
    listed = http.get("/api/articles/")
    assert listed.status_code == 200 and listed.json() == http.get("/api/articles").json() != []
    r = http.delete("/api/articles/")
    assert r.status_code == 404 and r.json()["error"]["message"] == (
        "No article id given: GET /api/articles lists them."
    )


def test_empty_index_and_oversized_body(tmp_path: Path, embed_model) -> None:  # type: ignore[no-untyped-def]
    """An empty index is a 503 saying to ingest; a body over QA_MAX_FILE_MB is a 413; client
    ids never name files."""
    from qa.engine import Engine
    from qa.http_api import build_api
    from qa.server import run_in_thread
    from qa.settings import Settings

    engine = Engine(
        Settings(index_dir=tmp_path / "empty", max_file_mb=0.01), embed_model=embed_model
    )
    with run_in_thread(build_api(engine)) as url:
        r = httpx.post(f"{url}/api/ask", json={"question": WOUNDED})
        assert r.status_code == 503 and "qa ingest" in r.json()["error"]["message"]
        assert r.json()["error"]["message"].endswith("or send articles to POST /api/articles.")
        assert httpx.get(f"{url}/api/health").json()["status"] == "empty"
        big = httpx.post(f"{url}/api/articles", json={"text": "word " * 5000})
        assert big.status_code == 413 and "QA_MAX_FILE_MB" in big.json()["error"]["message"]
        sneaky = {"text": "Gulls nest on the roof.", "id": "../../escape", "title": "../x"}
        assert httpx.post(f"{url}/api/articles", json=sneaky, timeout=120).status_code == 200
    # the upload went to a generated name under the index dir, and is gone
    assert list((tmp_path / "empty" / "uploads").iterdir()) == []
    assert {p.name for p in tmp_path.rglob("*escape*")} == set()


def undeclared(value: Any, schema: dict[str, Any], defs: dict[str, Any], at: str = "") -> list[str]:
    """Where `value` carries a key its OpenAPI `schema` does not declare, or lacks a required one."""
    if "$ref" in schema:
        return undeclared(value, defs[schema["$ref"].rsplit("/", 1)[-1]], defs, at)
    if "anyOf" in schema:  # `int | None` and the like: judged by the branch that fits best
        return min((undeclared(value, s, defs, at) for s in schema["anyOf"]), key=len)
    if isinstance(value, list):
        items = schema.get("prefixItems") or [schema.get("items", {})] * len(value)
        return [
            p
            for i, (v, s) in enumerate(zip(value, items, strict=False))
            for p in undeclared(v, s, defs, f"{at}[{i}]")
        ]
    if not isinstance(value, dict):
        return []
    declared = schema.get("properties", {})
    problems = [f"{at}.{k} is not declared" for k in value if k not in declared]
    problems += [f"{at}.{k} is missing" for k in schema.get("required", []) if k not in value]
    for key in value.keys() & declared.keys():
        problems += undeclared(value[key], declared[key], defs, f"{at}.{key}")
    return problems


def test_every_key_a_reply_carries_is_declared_in_openapi(http: httpx.Client) -> None:
    doc = http.get("/openapi.json").json()
    defs = doc["components"]["schemas"]

    def reply(method: str, path: str, route: str = "", body: Any = None) -> Any:
        r = http.request(method, path, json=body)
        assert r.status_code == 200, r.text
        operation = doc["paths"][route or path][method.lower()]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert undeclared(r.json(), schema, defs) == [], f"{method} {path}"
        return r.json()

    assert reply("GET", "/api/health")["status"] == "ok"
    assert reply("GET", "/v1/models")["data"][0]["id"] == "extractive"
    assert reply("GET", "/v1/models/extractive", "/v1/models/{model_id}")["id"] == "extractive"
    chat = {"messages": [{"role": "user", "content": WOUNDED}]}
    assert reply("POST", "/v1/chat/completions", body=chat)["usage"]["completion_tokens"] > 0
    answer = reply("POST", "/api/ask", body={"question": WOUNDED})
    assert {"question", "notice", "confidence"} <= set(answer)
    assert {"score", "source", "highlights", "headline"} <= set(answer["citations"][0])
    assert reply("GET", "/api/articles")[0]["chunks"] >= 1
    lines = [
        json.dumps({"id": "schema/1", "published": "soonish", "text": "The dam was finished."}),
        "{oops",
    ]
    added = reply("POST", "/api/articles", body={"jsonl": "\n".join(lines)})
    assert set(added["warnings"][0]) == {"path", "error", "line", "article"}
    assert set(added["failed"][0]) == {"path", "error", "line"}
    route = "/api/articles/{article_id}"
    assert reply("DELETE", "/api/articles/schema/1", route)["deleted"] == "schema/1"


def test_openapi_document_lists_the_routes(http: httpx.Client) -> None:
    paths = http.get("/openapi.json").json()["paths"]
    assert {
        "/v1/chat/completions",
        "/v1/models",
        "/api/ask",
        "/api/articles",
        "/api/health",
    } <= set(paths)
    assert "/api/articles/{article_id}" in paths


# schemathesis: requests generated from /openapi.json (valid and invalid) never get a 5xx.
# (Its pytest plugin's `from_fixture` does not work with pytest 9, so operations are driven here.)


def fuzz(base_url: str, operation: Any, mode: GenerationMode, examples: int) -> None:
    """Send `examples` generated requests for one operation; each must get a non-5xx answer."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def check(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(base_url=base_url, timeout=60)
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"
        if response.status_code >= 400:
            assert set(response.json()) == {"error"}
        if "json" in response.headers.get("content-type", ""):  # the reply matches its schema
            case.validate_response(response, checks=[response_schema_conformance])

    check()


def test_schemathesis_finds_no_server_errors(server_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{server_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 8
    for operation in operations:
        ingests = operation.method.upper() == "POST" and operation.path == "/api/articles"
        modes = [GenerationMode.POSITIVE]
        if operation.path != "/api/health":  # it takes no input at all, so none can be invalid
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:
            fuzz(server_url, operation, mode, 3 if ingests else 10)
