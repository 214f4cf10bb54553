"""The page's pure formatting (hostile article text stays text) and its API via gradio_client."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import gradio as gr
import pytest
from markdown_it import MarkdownIt

from app import (
    build_app,
    escape_text,
    example_questions,
    format_answer,
    highlight_passage,
    ingest_row,
    parse_filters,
    prune_uploads,
    render_sources,
    safe_filename,
    status_markdown,
    store_upload,
    user_errors,
)
from index.ingest import IngestReport
from index.store import ArticleEntry
from qa.citations import Answer, Citation
from qa.errors import ConfigError, LoadError, NoIndexError

HOSTILE = (
    '<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> '
    "[click](javascript:window.__pwned=3) <a href='javascript:x'>a</a> ${window.__pwned=4} "
    "{{constructor}} **bold** `code` # heading\n1. item\n> quote | table | www.example.com &amp;"
)


def rendered(markdown: str) -> str:
    """Chat markdown as a CommonMark renderer (like the page's) turns it into HTML."""
    return MarkdownIt("commonmark").render(markdown)


def shown(chat_message: dict) -> str:
    """The HTML a chat message renders to (Gradio returns content as a list of parts)."""
    content = chat_message["content"]
    parts = content if isinstance(content, list) else [{"text": content}]
    return rendered("".join(p.get("text", "") for p in parts))


def cite(n: int = 1, **kw: object) -> Citation:
    fields: dict = dict(
        n=n,
        article_id="a",
        title="T",
        url="",
        published="2020-11-17",
        passage="p",
        start=0,
        end=1,
        score=0.5,
    )
    fields.update(kw)
    return Citation(**fields)


def entry(title: str, published: str = "", source: str = "", chunks: int = 1) -> ArticleEntry:
    return ArticleEntry(title.lower(), title, published, source, "", "", "h", chunks, chunks)


def test_hostile_text_renders_as_text_in_chat() -> None:
    html = rendered(escape_text(HOSTILE))
    assert not re.search(r"<(script|img|a|strong|code|h1|ol|blockquote|table)\b", html)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "[click](javascript:window.__pwned=3)" in html  # shown literally, not a link
    assert "**bold**" in html and "&amp;amp;" in html


def test_answer_links_only_cited_markers_to_their_source() -> None:
    answer = Answer(
        "Fired from <b>east</b> [1]. Maybe [7]. Both [1, 2].",
        True,
        [cite(1), cite(2, title="<i>x</i>")],
    )
    html = rendered(format_answer(answer, turn=3))
    links = re.findall(r"<a class='qa-cite' href='#source-3-(\d)'>\[\d\]</a>", html)
    assert links == ["1", "1", "2", "1", "2"]  # three in the text, then the cited-titles line
    assert "[7]" in html and "#source-3-7" not in html
    assert "&lt;b&gt;east&lt;/b&gt;" in html and "&lt;i&gt;x&lt;/i&gt;" in html
    assert "qa-refusal-tag" not in html


def test_refusal_has_its_own_look_and_hostile_text_stays_inert() -> None:
    html = rendered(format_answer(Answer(HOSTILE, False, notice="Try <u>other</u> words")))
    assert html.count("qa-refusal-tag") == 1 and "Not in the articles" in html
    assert not re.search(r"<(script|img|u)\b", html) and "qa-cite" not in html
    assert "Try &lt;u&gt;other&lt;/u&gt; words" in html


def test_highlights_are_marked_escaped_sorted_and_clamped() -> None:
    passage = "a <script>x()</script> b. Second sentence here."
    out = highlight_passage(passage, [(26, 99), (2, 22), (5, 10), (40, 30)])
    assert out == (
        "a <mark>&lt;script&gt;x()&lt;/script&gt;</mark> b. <mark>Second sentence here.</mark>"
    )
    assert highlight_passage("<b>", []) == "&lt;b&gt;"


def test_sources_panel_escapes_everything_and_links_only_web_urls() -> None:
    hostile = cite(
        1,
        title=HOSTILE,
        url="javascript:window.__pwned=6",
        source="<img src=x onerror=y>",
        passage=HOSTILE,
        highlights=((0, 33),),
    )
    web = cite(2, title="Web", url='https://example.com/a?b=1&c="2"', passage="plain")
    html = render_sources(
        [Answer("first", False, question="<q>"), Answer("x [1][2]", True, [hostile, web], "why?")]
    )
    assert not re.search(r"<(script|img)\b", html)
    assert not re.search(r"href=[\"']?javascript", html, re.IGNORECASE)
    assert "<mark>&lt;script&gt;window.__pwned=1&lt;/script&gt;</mark>" in html
    assert 'href="https://example.com/a?b=1&amp;c=&quot;2&quot;"' in html and "noopener" in html
    assert "id='source-1-1'" in html and "id='source-1-2'" in html
    assert "data-turn='0' hidden" in html and "data-turn='1'>" in html  # the newest answer is shown
    assert "For “&lt;q&gt;”" in html
    assert "data-turn='0'>" in render_sources([Answer("a", False), Answer("b", False)], selected=0)


def test_status_line() -> None:
    assert status_markdown(1, 1, "m", "extractive") == (
        "**1** article · **1** passage · embedder `m` · answerer `extractive`"
    )
    assert status_markdown(0, 12, "m", "x").startswith("**0** articles · **12** passages")


def test_example_questions_come_from_the_newest_titles() -> None:
    entries = [
        entry("Old news", "2001-01-01"),
        entry("New news.", "2024-01-01"),
        entry("", "2025-01-01"),
        entry("Mid", "2010-01-01"),
    ]
    assert example_questions(entries, limit=2) == [
        "What do the articles say about “New news”?",
        "What do the articles say about “Mid”?",
    ]
    assert example_questions([]) == []


def test_filters_are_checked_and_passed_on() -> None:
    assert parse_filters(3, " 2020-11-01 ", "", ["Wire"]) == {
        "top_k": 3,
        "since": "2020-11-01",
        "until": None,
        "sources": ["Wire"],
    }
    assert parse_filters(None, None, None, None) == {
        "top_k": None,
        "since": None,
        "until": None,
        "sources": None,
    }
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        parse_filters(5, "17/11/2020", "", [])
    with pytest.raises(ConfigError, match="after the 'until'"):
        parse_filters(5, "2021-01-01", "2020-01-01", [])


def test_ingest_rows_say_what_happened_and_why() -> None:
    assert ingest_row("a.txt", IngestReport(added=1)) == ["a.txt", "added", ""]
    assert ingest_row("a.md", IngestReport(unchanged=1)) == ["a.md", "unchanged", ""]
    bad = IngestReport(
        failed=[{"path": "/idx/uploads/ab/x.json", "error": "invalid JSON", "line": 3}]
    )
    assert ingest_row("x.json", bad) == ["x.json", "failed", "x.json:3: invalid JSON"]
    mixed = IngestReport(
        added=2, updated=1, failed=[{"path": "http://h/p", "error": "HTTP 404"}] * 7
    )
    name, result, details = ingest_row("http://h/feed", mixed)
    assert result == "added 2, updated 1, failed 7"
    assert details.startswith("http://h/p: HTTP 404;") and details.endswith("and 2 more")
    assert ingest_row("e.jsonl", IngestReport())[1] == "nothing to add"


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\My Notes (1).MD", "My_Notes_1.md"),
        ("<img src=x onerror=alert(1)>.html", "img_src_x_onerror_alert_1.html"),
        (".hidden.txt", "hidden.txt"),
        ("....txt", "upload.txt"),
    ],
)
def test_safe_filename(given: str, safe: str) -> None:
    assert safe_filename(given) == safe


def test_uploads_are_stored_by_content_and_pruned(tmp_path: Path) -> None:
    src = tmp_path / "in" / "note.txt"
    src.parent.mkdir()
    src.write_text("hello")
    uploads = tmp_path / "uploads"
    stored = store_upload(src, uploads, 100, "My note.txt")
    assert stored.read_text() == "hello" and stored.name == "My_note.txt"
    assert (
        stored.parent.parent == uploads and store_upload(src, uploads, 100, "My note.txt") == stored
    )
    with pytest.raises(LoadError, match="not an article file"):
        store_upload(src, uploads, 100, "run.exe")
    with pytest.raises(LoadError, match="over the"):
        store_upload(src, uploads, 3, "note.txt")
    prune_uploads(uploads, {str(stored)})
    assert stored.exists()
    prune_uploads(uploads, set())
    assert not any(uploads.iterdir())


def test_errors_become_readable_page_messages() -> None:
    with pytest.raises(gr.Error, match="Articles tab"), user_errors("answering"):
        raise NoIndexError("/tmp/x")
    with pytest.raises(gr.Error, match="must look like &lt;YYYY&gt;"), user_errors("answering"):
        raise ConfigError("must look like <YYYY>")
    with pytest.raises(gr.Error) as caught, user_errors("answering this question"):
        raise KeyError("internal detail")
    assert "while answering this question" in str(caught.value) and "internal detail" not in str(
        caught.value
    )


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
        chat, sources, box = client.predict(
            "Where were the rockets fired from?", [], api_name="/chat"
        )
        assert "al-Amin al-Thaniyah" in shown(chat[-1]) and box == ""
        assert "href='#source-0-1'" in shown(chat[-1])
        assert "<mark>" in sources and "id='source-0-1'" in sources
        # the session keeps the history: a follow-up is answered as turn 1, about the rockets
        chat, sources, _ = client.predict("And how many were wounded?", chat, api_name="/chat")
        assert (
            len(chat) == 4 and "five" in str(chat[-1]["content"]) and "id='source-1-1'" in sources
        )
        with pytest.raises(Exception, match="YYYY-MM-DD"):
            client.predict("Where?", [], 5, "yesterday", "", [], api_name="/chat")
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

    from qa.api import Engine
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
