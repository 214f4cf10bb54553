"""The Gradio web chat (UI only): questions in, cited answers and their sources out."""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from qa.citations import Answer  # noqa: E402
from qa.errors import QAError  # noqa: E402

StreamFn = Callable[..., Iterator[Any]]


def format_answer(answer: Answer) -> str:
    """The answer as chat markdown: text with [n] markers, or a marked refusal."""
    text = html.escape(answer.text)
    if not answer.answered:
        return f"⚠️ **Not in the articles.** {text}"
    return text


def render_sources(answer: Answer | None) -> str:
    """HTML list of the answer's sources, every article-derived string escaped."""
    if answer is None or not answer.citations:
        return "<p class='qa-muted'>Sources of the answer appear here.</p>"
    items = []
    for c in answer.citations:
        title = html.escape(c.title or c.article_id)
        link = f"<a href='{html.escape(c.url)}' target='_blank' rel='noopener noreferrer'>{title}</a>" if c.url.startswith(("http://", "https://")) else title
        meta = " · ".join(html.escape(x) for x in (c.source, c.published[:10]) if x)
        passage, last = [], 0
        for s, e in c.highlights:
            passage.append(html.escape(c.passage[last:s]))
            passage.append(f"<mark>{html.escape(c.passage[s:e])}</mark>")
            last = e
        passage.append(html.escape(c.passage[last:]))
        items.append(
            f"<div class='qa-source' id='source-{c.n}'><b>[{c.n}]</b> {link}"
            f"<div class='qa-meta'>{meta} · chars {c.start}–{c.end}</div>"
            f"<blockquote>{''.join(passage)}</blockquote></div>"
        )
    return "\n".join(items)


def build_app(stream: StreamFn) -> gr.Blocks:
    """The chat page; `stream(question, history)` yields text, then the final Answer."""

    def respond(message: str, chat: list[dict[str, str]], pairs: list[tuple[str, str]]) -> Iterator[tuple[Any, ...]]:
        chat = list(chat or []) + [{"role": "user", "content": message}, {"role": "assistant", "content": "…"}]
        yield chat, pairs, render_sources(None), ""
        try:
            for item in stream(message, pairs):
                if isinstance(item, Answer):
                    chat[-1] = {"role": "assistant", "content": format_answer(item)}
                    yield chat, pairs + [(message, item.text)], render_sources(item), ""
                else:
                    chat[-1] = {"role": "assistant", "content": html.escape(str(item))}
                    yield chat, pairs, render_sources(None), ""
        except QAError as exc:
            raise gr.Error(str(exc)) from None
        except Exception as exc:  # the UI is an edge: a message, never a traceback
            raise gr.Error(f"Something went wrong answering this question: {type(exc).__name__}. See the server log.") from None

    def ask_api(question: str) -> dict[str, Any]:
        answer = None
        try:
            for item in stream(question, []):
                if isinstance(item, Answer):
                    answer = item
        except QAError as exc:
            raise gr.Error(str(exc)) from None
        return answer.as_dict() if answer else {}

    with gr.Blocks(title="article-qa") as demo:
        gr.Markdown("## article-qa\nAsk about the indexed news articles. Every answer cites the passages it rests on.")
        pairs = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Chat", height=480, sanitize_html=True)
                box = gr.Textbox(placeholder="Ask a question about the articles…", show_label=False, submit_btn=True)
            with gr.Column(scale=2):
                sources = gr.HTML(render_sources(None), label="Sources")
        box.submit(respond, [box, chatbot, pairs], [chatbot, pairs, sources, box], api_name="chat")
        gr.api(ask_api, api_name="ask")
    return demo


if __name__ == "__main__":
    from qa.server import serve

    serve(seed_paths=["seeds"])
