"""The Gradio app answers through gradio_client against a launched server on 127.0.0.1."""

from __future__ import annotations

import pytest

from app import build_app, format_answer, render_sources
from qa.citations import Answer, Citation


def test_sources_are_escaped_and_highlighted() -> None:
    cite = Citation(1, "a", "<b>T</b>", "javascript:alert(1)", "2020-01-01", "x <script>bad()</script> y", 0, 30, 0.5, highlights=((2, 24),))
    html = render_sources(Answer("x [1]", True, [cite]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>&lt;script&gt;bad()&lt;/script&gt;</mark>" in html
    assert "javascript:" not in html
    assert format_answer(Answer("nope", False)).startswith("⚠️")


@pytest.mark.slow
def test_gradio_client_gets_cited_answer(seed_engine) -> None:  # type: ignore[no-untyped-def]
    from gradio_client import Client

    demo = build_app(lambda q, h: seed_engine.stream(q, history=h))
    demo.queue().launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(demo.local_url, verbose=False)
        result = client.predict("How many civilians were wounded?", api_name="/ask")
        assert result["answered"] and "five" in result["text"] and result["citations"][0]["n"] == 1
        chat, sources, _ = client.predict("Where were the rockets fired from?", [], api_name="/chat")
        assert "al-Amin al-Thaniyah" in str(chat[-1]["content"])
        assert "<mark>" in sources
    finally:
        demo.close()
