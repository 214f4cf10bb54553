"""The page's wiring: readable errors, the chat through gradio_client, the loading state."""

from __future__ import annotations

import json
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gradio as gr
import pytest
from markdown_it import MarkdownIt

from app import build_app
from qa.errors import ConfigError, NoIndexError
from qa.page_errors import user_errors
from qa.page_filters import parse_filters
from qa.page_handlers import SEARCHING, WAITING, build_handlers, hold
from qa.server import EngineLoader


def rendered(markdown: str) -> str:
    """Chat markdown as a CommonMark renderer (like the page's) turns it into HTML."""
    return MarkdownIt("commonmark").render(markdown)


def shown(chat_message: dict) -> str:
    """The HTML a chat message renders to (Gradio returns content as a list of parts)."""
    content = chat_message["content"]
    parts = content if isinstance(content, list) else [{"text": content}]
    return rendered("".join(p.get("text", "") for p in parts))


def test_filters_are_checked_and_passed_on() -> None:
    assert parse_filters(3, " 2020-11-01 ", "", ["Wire"], "2020-12-01") == {
        "top_k": 3,
        "since": "2020-11-01",
        "until": None,
        "sources": ["Wire"],
        "as_of": "2020-12-01",
    }
    assert parse_filters(None, None, None, None) == {
        "top_k": None,
        "since": None,
        "until": None,
        "sources": None,
        "as_of": None,
    }
    with pytest.raises(ConfigError, match="'as of' date must look like"):
        parse_filters(5, "", "", [], "yesterday")
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        parse_filters(5, "17/11/2020", "", [])
    with pytest.raises(ConfigError, match="after the 'until'"):
        parse_filters(5, "2021-01-01", "2020-01-01", [])


def test_errors_become_readable_page_messages() -> None:
    with pytest.raises(gr.Error, match="Articles tab") as no_index, user_errors("answering"):
        raise NoIndexError("/tmp/x")
    # a message for the user, not a failure: Gradio prints no traceback to the console for it
    assert not no_index.value.print_exception
    with pytest.raises(gr.Error, match="must look like &lt;YYYY&gt;"), user_errors("answering"):
        raise ConfigError("must look like <YYYY>")
    with pytest.raises(gr.Error) as caught, user_errors("answering this question"):
        raise KeyError("internal detail")
    assert "while answering this question" in str(caught.value) and "internal detail" not in str(
        caught.value
    )
    assert not caught.value.print_exception  # the log has the trace (log.exception), once


@pytest.mark.slow
def test_gradio_client_gets_cited_answers_with_history(seed_engine) -> None:  # type: ignore[no-untyped-def]
    from gradio_client import Client

    demo = build_app(seed_engine)
    demo.queue().launch(
        server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True
    )
    try:
        client = Client(demo.local_url, verbose=False)
        result = client.predict("How many civilians were wounded?", api_name="/ask")
        assert result["answered"] and "five" in result["text"] and result["citations"][0]["n"] == 1
        # (the box's output is left alone after the question is taken: an update, not text)
        chat, sources, _ = client.predict(
            "Where were the rockets fired from?", [], api_name="/chat"
        )
        assert "al-Amin al-Thaniyah" in shown(chat[-1])
        assert "href='#source-0-1'" in shown(chat[-1])
        assert "<mark>" in sources and "id='source-0-1'" in sources
        # the session keeps the history: a follow-up is answered as turn 1, about the rockets
        chat, sources, _ = client.predict("And how many were wounded?", chat, api_name="/chat")
        assert (
            len(chat) == 4 and "five" in str(chat[-1]["content"]) and "id='source-1-1'" in sources
        )
        with pytest.raises(Exception, match="YYYY-MM-DD"):
            client.predict("Where?", [], 5, "yesterday", "", [], api_name="/chat")
        # asked as of a day before the seed article came out: there was nothing to cite yet
        early, _, _ = client.predict(
            "Where were the rockets fired from?", [], 5, "", "", [], "extractive", "2020-11-01",
            api_name="/chat",
        )  # fmt: skip
        assert "published by 2020-11-01" in shown(early[-1])
    finally:
        demo.close()


class ScriptedLLM(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that streams a fixed answer a few words at a time."""

    deltas = [
        "The rockets were fired ",
        "from the al-Amin ",
        "al-Thaniyah neighborhood, ",
        "east of Baghdad. [1]",
    ]

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for delta in self.deltas:
            chunk = {
                "id": "c",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "scripted",
                "choices": [{"index": 0, "delta": {"content": delta}, "finish_reason": None}],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
            time.sleep(0.3)
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.slow
def test_llm_answers_stream_into_the_chat_and_the_offline_answerer_stays_available(
    seed_engine,  # type: ignore[no-untyped-def]
) -> None:
    import openai
    from gradio_client import Client

    from qa.engine import Engine
    from qa.llm import OpenAIAnswerer

    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedLLM)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    client = openai.OpenAI(api_key="k", base_url=f"http://127.0.0.1:{server.server_address[1]}/v1")
    settings = seed_engine.settings.model_copy(update={"llm": "openai", "llm_model": "scripted"})
    llm = OpenAIAnswerer(client, "scripted", seed_engine.embed_model.get_text_embedding_batch)
    engine = Engine(settings, store=seed_engine.store, embed_model=seed_engine.embed_model, llm=llm)
    demo = build_app(engine)
    demo.queue().launch(
        server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True
    )
    try:
        chat = Client(demo.local_url, verbose=False)
        question = "Where were the rockets fired from?"
        job = chat.submit(
            question, [], 5, "", "", [], "scripted (OpenAI-compatible)", api_name="/chat"
        )
        shown_over_time = [shown(out[0][-1]) for out in job]
        partial = [s for s in dict.fromkeys(shown_over_time) if "▍" in s]
        assert len(partial) >= 3, shown_over_time  # the text grew in steps while the model wrote
        assert "from the al-Amin" in partial[-1] and "qa-cite" not in partial[-1]
        final = shown_over_time[-1]
        assert "The rockets were fired from the al-Amin" in final and "#source-0-1" in final
        offline, _, _ = chat.predict(question, [], 5, "", "", [], "extractive", api_name="/chat")
        assert "According to an army statement" in shown(offline[-1])
    finally:
        demo.close()
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_a_question_asked_while_the_index_loads_waits_and_is_answered(seed_engine) -> None:  # type: ignore[no-untyped-def]
    from gradio_client import Client

    loader = EngineLoader(seed_engine.settings)
    gate = threading.Event()

    def slow_engine(_settings: object) -> object:
        gate.wait(60)  # loading goes on until the test has seen the waiting state
        return seed_engine

    demo = build_app(loader)
    demo.queue().launch(
        server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True
    )
    try:
        client = Client(demo.local_url, verbose=False)
        job = client.submit("Where were the rockets fired from?", [], api_name="/chat")
        deadline = time.monotonic() + 60
        while not any(WAITING in str(out[0][-1]["content"]) for out in job.outputs()):
            assert time.monotonic() < deadline and not job.done(), job.outputs()
            time.sleep(0.1)
        assert not loader.ready
        threading.Thread(target=loader.load, args=(slow_engine,), daemon=True).start()
        gate.set()
        chat, sources, _ = job.result(timeout=120)
        shown_over_time = [str(out[0][-1]["content"]) for out in job.outputs()]
        assert any(SEARCHING in s for s in shown_over_time)  # searching once loaded
        assert "al-Amin al-Thaniyah" in shown(chat[-1]) and "id='source-0-1'" in sources
        assert loader.ready and loader.stage == "Ready."
    finally:
        gate.set()
        demo.close()


def test_the_loader_reads_the_article_list_before_it_says_ready(seed_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = seed_engine.store
    reads = []
    read = store._read_manifest
    monkeypatch.setattr(store, "_read_manifest", lambda: reads.append(1) or read())
    loader = EngineLoader(seed_engine.settings)
    loader.load(lambda _settings: seed_engine)  # type: ignore[arg-type,return-value]
    assert loader.ready and reads == [1]
    assert len(store.manifest()) == 1 and reads == [1]  # the page's first load reads nothing


def test_loading_errors_reach_whoever_waits(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from qa.settings import Settings

    loader = EngineLoader(Settings(index_dir=tmp_path))
    assert not loader.wait(0.01) and not loader.ready and not loader.failed

    def broken(_settings: object) -> object:
        raise ConfigError("QA_LLM=openai needs OPENAI_API_KEY")

    loader.load(broken)  # type: ignore[arg-type]
    assert loader.wait(0) and loader.failed and not loader.ready
    with pytest.raises(gr.Error, match="OPENAI_API_KEY"), user_errors("answering"):
        loader.engine()


def test_a_question_sent_while_another_is_answered_is_kept_and_said() -> None:
    with pytest.warns(UserWarning, match="Still answering “Where\\?”; your question stays in"):
        hold("  How many? ", "Where?")
    with pytest.warns(UserWarning, match="click the suggestion again"):
        hold("What's the latest news?", "Where?", typed=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hold("", "Where?")  # a second Enter: nothing to say
        hold("Where?", "Where?")  # the suggestion being answered, clicked again


def test_a_failed_address_stays_in_the_box(seed_engine) -> None:  # type: ignore[no-untyped-def]
    handlers = build_handlers(EngineLoader.of(seed_engine), "extractive")
    rows, *_, box = handlers.add_url("example.com/story")
    assert rows == [["example.com/story", "failed", rows[0][2]]]
    assert rows[0][2].startswith("not a web address: did you mean http://example.com/story")
    assert box == gr.skip()  # left alone, to fix, not emptied
