"""The Gradio web page (UI only): chat with cited answers, their sources, and the articles."""

from __future__ import annotations

import hashlib
import html
import logging
import os
import re
import shutil
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from qa.citations import Answer, Citation  # noqa: E402
from qa.errors import ConfigError, LoadError, NoIndexError, QAError  # noqa: E402

if TYPE_CHECKING:
    from index.ingest import IngestReport
    from index.store import ArticleEntry
    from qa.api import Engine

log = logging.getLogger("article-qa.app")

MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
# After HTML escaping, these markdown characters are backslash-escaped so article text renders
# as text: no links or images (brackets), emphasis, code, tables, headings or lists.
MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]~|])")
MARKDOWN_LINE_START = re.compile(r"^([ \t]*)([-+=#]|\d+[.)])", re.MULTILINE)
UPLOAD_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl")
MAX_UPLOADS = 50
SOURCES_PLACEHOLDER = "<p class='qa-muted'>The passages an answer cites appear here.</p>"

CSS = """
#qa-sources { max-height: 72vh; overflow-y: auto; padding-right: 4px; }
.qa-muted { color: var(--body-text-color-subdued); }
a.qa-cite, .prose a.qa-cite { font-weight: 600; text-decoration: none; padding: 0 3px;
  border-radius: 4px; background: rgba(249, 115, 22, 0.14); color: #c2410c; }
a.qa-cite:hover { background: rgba(249, 115, 22, 0.3); }
.qa-cited { font-size: 0.85em; color: var(--body-text-color-subdued); }
.qa-refusal-tag { display: inline-block; font-weight: 600; color: #7a4b00 !important; background: #ffe2a8;
  border-radius: 6px; padding: 0 6px; margin-right: 4px; }
.message.bot:has(.qa-refusal-tag) { background: #fff8e8 !important;
  border-color: #f0b429 !important; }
.qa-source { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 8px 10px; margin-bottom: 8px; scroll-margin-top: 8px; }
.qa-source.qa-active { outline: 2px solid #f97316; }
.qa-source a { font-weight: 600; }
.qa-meta { font-size: 0.85em; color: var(--body-text-color-subdued); margin-top: 2px; }
.qa-passage { white-space: pre-wrap; margin: 6px 0 0; padding-left: 8px;
  border-left: 3px solid var(--border-color-primary); font-size: 0.95em; }
.qa-passage mark { background: #fde68a; color: #1f2937; padding: 0 1px; border-radius: 2px; }
.qa-question { margin: 0 0 8px; font-size: 0.9em; color: var(--body-text-color-subdued); }
.dark a.qa-cite { color: #fdba74; }
.dark .message.bot:has(.qa-refusal-tag) { background: #3b2f14 !important; }
.dark .qa-passage mark { background: #a16207; color: #fff7ed; }
.dark .qa-refusal-tag { background: #b45309; color: #fff7ed !important; }
"""

# Citation links show their source in the panel without a round trip, for any answer in the chat.
JS = """
(() => {
  const show = (turn, n) => {
    document.querySelectorAll('.qa-turn').forEach(s => { s.hidden = s.dataset.turn !== turn; });
    const el = n && document.getElementById(`source-${turn}-${n}`);
    if (!el) return;
    document.querySelectorAll('.qa-source.qa-active').forEach(x => x.classList.remove('qa-active'));
    el.classList.add('qa-active');
    el.scrollIntoView({behavior: 'smooth', block: 'nearest'});
  };
  document.addEventListener('click', ev => {
    const link = ev.target.closest && ev.target.closest('a.qa-cite');
    const bot = ev.target.closest && ev.target.closest('[data-testid="bot"]');
    const cite = link || (bot && bot.querySelector('a.qa-cite'));
    const m = cite && (cite.getAttribute('href') || '').match(/^#source-(\\d+)-(\\d+)$/);
    if (!m) return;
    if (link) ev.preventDefault();
    show(m[1], link ? m[2] : null);
  });
})();
"""
HEAD = f"<style>{CSS}</style><script>{JS}</script>"


# --- pure formatting -------------------------------------------------------------------------


def escape_text(text: str) -> str:
    """Untrusted text as chat markdown that renders literally: no HTML, no links, no markup."""
    escaped = MARKDOWN_INLINE.sub(r"\\\1", html.escape(text, quote=False))
    return MARKDOWN_LINE_START.sub(escape_line_start, escaped)


def escape_line_start(match: re.Match[str]) -> str:
    """A heading, list or rule marker at a line start, escaped so that it shows as text."""
    indent, mark = match[1], match[2]
    return f"{indent}{mark[:-1]}\\{mark[-1]}" if mark[0].isdigit() else f"{indent}\\{mark}"


def link_markers(text: str, turn: int, cited: set[int]) -> str:
    """Escaped answer text with each `[n]` of a cited source turned into a link to it."""
    out, last = [], 0
    for match in MARKER.finditer(text):
        out.append(escape_text(text[last : match.start()]))
        for part in match.group(1).split(","):
            n = int(part)
            if n in cited:
                out.append(f"<a class='qa-cite' href='#source-{turn}-{n}'>[{n}]</a>")
            else:
                out.append(escape_text(f"[{n}]"))
        last = match.end()
    out.append(escape_text(text[last:]))
    return "".join(out)


def format_answer(answer: Answer, turn: int = 0) -> str:
    """An answer as a chat message: linked [n] markers and cited titles, or a marked refusal."""
    body = link_markers(answer.text, turn, {c.n for c in answer.citations})
    if not answer.answered:
        body = f"<span class='qa-refusal-tag'>Not in the articles</span> {body}"
    if answer.notice:
        body += f"\n\n*{escape_text(answer.notice)}*"
    if answer.answered and answer.citations:
        titles = " · ".join(
            f"<a class='qa-cite' href='#source-{turn}-{c.n}'>[{c.n}]</a> "
            + escape_text(shorten(c.title or c.article_id, 70))
            for c in answer.citations
        )
        body += f"\n\n<span class='qa-cited'>{titles}</span>"
    return body


def format_partial(text: str) -> str:
    """Answer text still streaming in (markers not linked yet)."""
    return escape_text(text) + " ▍"


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def highlight_passage(passage: str, highlights: Iterable[tuple[int, int]]) -> str:
    """The passage escaped, with the (sorted, clamped, non-overlapping) spans in <mark>."""
    out, last = [], 0
    for start, end in sorted(highlights):
        start, end = max(start, last), min(end, len(passage))
        if end <= start:
            continue
        out.append(html.escape(passage[last:start]))
        out.append(f"<mark>{html.escape(passage[start:end])}</mark>")
        last = end
    out.append(html.escape(passage[last:]))
    return "".join(out)


def safe_link(url: str, text: str) -> str:
    """An escaped link for http(s) URLs; other schemes (javascript:, data:) stay plain text."""
    label = html.escape(text)
    if not re.match(r"https?://", url.strip(), re.IGNORECASE):
        return label
    href = html.escape(url.strip(), quote=True)
    return f"<a href=\"{href}\" target='_blank' rel='noopener noreferrer nofollow'>{label}</a>"


def render_citation(c: Citation, turn: int) -> str:
    """One source card: title (linked), source, date, character span, highlighted passage."""
    meta = [html.escape(x) for x in (c.source, c.published[:10]) if x]
    meta.append(f"characters {c.start}–{c.end} of <code>{html.escape(c.article_id)}</code>")
    return (
        f"<div class='qa-source' id='source-{turn}-{c.n}'><b>[{c.n}]</b> "
        f"{safe_link(c.url, c.title or c.article_id)}<div class='qa-meta'>{' · '.join(meta)}</div>"
        f"<blockquote class='qa-passage'>{highlight_passage(c.passage, c.highlights)}</blockquote>"
        "</div>"
    )


def render_sources(turns: Sequence[Answer], selected: int | None = None) -> str:
    """The sources panel: one section per answer, only the selected (default last) shown."""
    if not turns:
        return SOURCES_PLACEHOLDER
    selected = len(turns) - 1 if selected is None else selected
    sections = []
    for t, answer in enumerate(turns):
        cards = "".join(render_citation(c, t) for c in answer.citations)
        if not cards:
            cards = "<p class='qa-muted'>No passage answers this question, so none is cited.</p>"
        question = html.escape(shorten(answer.question, 120))
        hidden = "" if t == selected else " hidden"
        sections.append(
            f"<section class='qa-turn' data-turn='{t}'{hidden}>"
            f"<p class='qa-question'>For “{question}”</p>{cards}</section>"
        )
    return "\n".join(sections)


def example_questions(entries: Iterable[ArticleEntry], limit: int = 4) -> list[str]:
    """Questions a newcomer can click, made from the titles of the newest articles."""
    titles: list[str] = []
    for e in sorted(entries, key=lambda e: e.published, reverse=True):
        title = shorten(e.title, 90).rstrip(".?!")
        if title and title not in titles:
            titles.append(title)
    return [f"What do the articles say about “{t}”?" for t in titles[:limit]]


def status_markdown(articles: int, passages: int, embedder: str, answerer: str) -> str:
    """The index status line."""
    return (
        f"**{articles}** {plural(articles, 'article')} · **{passages}** "
        f"{plural(passages, 'passage')} · embedder `{embedder}` · answerer `{answerer}`"
    )


def plural(n: int, word: str) -> str:
    """`word` for one, `word`s otherwise."""
    return word if n == 1 else f"{word}s"


def article_rows(entries: Iterable[ArticleEntry]) -> list[list[Any]]:
    """Rows of the indexed-articles table, newest first."""
    ordered = sorted(entries, key=lambda e: (e.published, e.title), reverse=True)
    return [[e.title or e.id, e.published[:10], e.source, e.chunks, e.id] for e in ordered]


def ingest_row(name: str, report: IngestReport) -> list[str]:
    """One row of the ingest results: what happened to a file (or URL) and why."""
    counts = [("added", report.added), ("updated", report.updated), ("unchanged", report.unchanged)]
    parts = [(label, n) for label, n in [*counts, ("failed", len(report.failed))] if n]
    if len(parts) == 1 and parts[0][1] == 1:
        result = parts[0][0]
    else:
        result = ", ".join(f"{label} {n}" for label, n in parts) or "nothing to add"
    reasons = [
        f"{where(f['path'])}{':' + str(f['line']) if 'line' in f else ''}: {f['error']}"
        for f in report.failed
    ]
    more = f"; and {len(reasons) - 5} more" if len(reasons) > 5 else ""
    return [name, result, "; ".join(reasons[:5]) + more]


def where(path: str) -> str:
    """A failed item's name for people: a URL in full, a stored upload by its file name."""
    return path if "://" in path else Path(path).name


def parse_filters(
    top_k: float | None, since: str | None, until: str | None, sources: Sequence[str] | None
) -> dict[str, Any]:
    """The search settings as `Engine.stream` keyword arguments; ConfigError says what to fix."""
    days = {}
    for name, value in (("since", since), ("until", until)):
        value = (value or "").strip()
        try:
            days[name] = date.fromisoformat(value).isoformat() if value else None
        except ValueError:
            raise ConfigError(
                f"The '{name}' date must look like 2020-11-17 (YYYY-MM-DD), not {value!r}."
            ) from None
    if days["since"] and days["until"] and days["since"] > days["until"]:
        raise ConfigError("The 'since' date is after the 'until' date: swap them or clear one.")
    return {"top_k": int(top_k) if top_k else None, "sources": list(sources or []) or None, **days}


def safe_filename(name: str) -> str:
    """A file name safe to store: letters, digits, `._-`, no leading dot, at most ~80 characters."""
    base = Path(name.replace("\\", "/")).name
    suffix = Path(base).suffix.lower()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", base[: len(base) - len(suffix)]).strip("._")[:80]
    return f"{stem or 'upload'}{re.sub(r'[^a-z0-9.]', '', suffix)}"


# --- edge I/O: uploads and the engine ---------------------------------------------------------


def store_upload(path: Path, upload_dir: Path, max_bytes: int, display_name: str) -> Path:
    """Copy an uploaded file under `upload_dir/<content hash>/<safe name>`; LoadError if refused."""
    name = safe_filename(display_name)
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise LoadError(display_name, f"not an article file: upload {', '.join(UPLOAD_SUFFIXES)}")
    size = path.stat().st_size
    if size > max_bytes:
        raise LoadError(
            display_name,
            f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB cap (QA_MAX_FILE_MB)",
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    target = upload_dir / digest / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    return target


def prune_uploads(upload_dir: Path, kept_paths: set[str]) -> None:
    """Delete stored uploads that no indexed article comes from any more."""
    if not upload_dir.is_dir():
        return
    for folder in upload_dir.iterdir():
        for f in folder.iterdir() if folder.is_dir() else []:
            if str(f) not in kept_paths:
                f.unlink()
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def answerer_name(engine: Engine) -> str:
    """Which answerer the engine uses, as people see it."""
    if engine.llm is None:
        return "extractive"
    return f"{engine.settings.llm_model} (OpenAI-compatible)"


@contextmanager
def user_errors(action: str) -> Iterator[None]:
    """Turn errors into readable page messages (gr.Error); log unexpected ones for the operator."""
    try:
        yield
    except gr.Error:
        raise
    except NoIndexError:
        raise gr.Error(
            "No articles indexed yet: add some in the Articles tab (or run `qa ingest seeds/`)."
        ) from None
    except QAError as exc:
        raise gr.Error(html.escape(str(exc), quote=False)) from None
    except Exception:
        log.exception("failed while %s", action)
        raise gr.Error(
            f"Something went wrong while {action}; the server log has the details."
        ) from None


# --- the page ---------------------------------------------------------------------------------


def message(role: str, content: str) -> dict[str, str]:
    """A chat message in Gradio's messages format."""
    return {"role": role, "content": content}


def build_app(engine: Engine) -> gr.Blocks:
    """The page over `engine`: chat with sources and search settings, and the articles tab."""
    from index.chunk import make_splitter
    from index.embed import MODEL_NAME, word_piece_tokenizer
    from index.fetch import fetch_url
    from index.ingest import bump_revision, ingest, rebuild_lexical
    from index.load import load_file
    from qa.api import Engine

    settings = engine.settings
    upload_dir = settings.index_dir / "uploads"
    max_bytes = int(settings.max_file_mb * 1_000_000)
    writing = threading.Lock()  # one ingest or delete at a time: each reads the manifest first
    answerers = {answerer_name(engine): engine}
    if engine.llm is not None:  # the offline answerer stays available next to a configured LLM
        offline = settings.model_copy(update={"llm": "extractive"})
        answerers["extractive"] = Engine(
            offline, store=engine.store, embed_model=engine.embed_model
        )

    def index_items(items: Iterable[Any]) -> IngestReport:
        splitter = make_splitter(
            settings.chunk_size, settings.chunk_overlap, word_piece_tokenizer()
        )
        return ingest(items, engine.store, engine.embed_model, splitter, settings, progress=False)

    def refresh() -> tuple[Any, ...]:
        entries = sorted(engine.store.manifest().values(), key=lambda e: e.title.lower())
        questions = example_questions(entries)
        status = status_markdown(
            len(entries), engine.store.count(), MODEL_NAME, answerer_name(engine)
        )
        choices = [
            (f"{shorten(e.title or e.id, 60)} · {e.published[:10] or 'undated'}", e.id)
            for e in entries
        ]
        return (
            status,
            article_rows(entries),
            gr.Dropdown(choices=choices, value=[]),
            gr.Dropdown(choices=sorted({e.source for e in entries if e.source})),
            gr.Dataset(samples=[[q] for q in questions], visible=bool(questions)),
        )

    def respond(
        question: str,
        chat: list[Any],
        top_k: float,
        since: str,
        until: str,
        sources: list[str],
        answerer: str,
        pairs: list[tuple[str, str]],
        turns: list[Answer],
    ) -> Iterator[tuple[Any, ...]]:
        question, before = (question or "").strip(), list(chat or [])
        if not question:
            raise gr.Error("Type a question about the articles first.")
        chat = [
            *before,
            message("user", escape_text(question)),
            message("assistant", "*Searching the articles…*"),
        ]
        turns, pairs = list(turns or []), list(pairs or [])
        try:
            with user_errors("answering this question"):
                filters = parse_filters(top_k, since, until, sources)
                yield chat, render_sources(turns), "", pairs, turns
                text = ""
                chosen = answerers.get(answerer, engine)
                for item in chosen.stream(question, history=pairs, **filters):
                    if isinstance(item, Answer):
                        turns, pairs = [*turns, item], [*pairs, (question, item.text)]
                        chat[-1] = message("assistant", format_answer(item, len(turns) - 1))
                    else:
                        text += item
                        chat[-1] = message("assistant", format_partial(text))
                    yield chat, render_sources(turns), "", pairs, turns
        except gr.Error:
            # The chat as it was and the question back in the box, to fix and resend.
            yield before, render_sources(turns), question, pairs, turns
            raise

    def check(question: str, since: str, until: str) -> None:
        # A step with no outputs: its error is a message alone, with no badge on the chat.
        with user_errors("checking the question"):
            if not (question or "").strip():
                raise gr.Error("Type a question about the articles first.")
            parse_filters(None, since, until, None)
            if engine.store.count() == 0:
                raise NoIndexError(str(settings.index_dir))

    def ask_api(question: str) -> dict[str, Any]:
        with user_errors("answering this question"):
            return engine.ask(question).as_dict()

    def add_files(
        files: list[str] | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[Any, ...]:
        if not files:
            raise gr.Error("Choose one or more article files first.")
        if len(files) > MAX_UPLOADS:
            raise gr.Error(
                f"At most {MAX_UPLOADS} files at a time, please: {len(files)} were chosen."
            )
        rows = []
        with user_errors("adding the files"), writing:
            for i, name in enumerate(files):
                shown = Path(name).name
                progress((i, len(files)), desc=f"Indexing {shown}")
                try:
                    stored = store_upload(Path(name), upload_dir, max_bytes, shown)
                except LoadError as err:
                    rows.append([shown, "failed", err.reason])
                    continue
                report = index_items(load_file(stored, f"uploads/{stored.name}", max_bytes))
                rows.append(ingest_row(shown, report))
        return (rows, *refresh(), None)

    def add_url(url: str, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        if not (url or "").strip():
            raise gr.Error("Paste the address of an article or of an RSS/Atom feed first.")
        with user_errors("fetching that address"), writing:
            progress(0, desc="Fetching…")
            items = progress.tqdm(
                fetch_url(url, max_bytes=max_bytes), desc="Fetching and indexing", unit="articles"
            )
            report = index_items(items)
        return ([ingest_row(url.strip(), report)], *refresh(), "")

    def delete(article_ids: list[str] | None) -> tuple[Any, ...]:
        if not article_ids:
            raise gr.Error("Select the articles to delete first.")
        with user_errors("deleting articles"), writing:
            engine.store.delete_articles(list(article_ids))
            rebuild_lexical(engine.store, settings, bump_revision(engine.store))
            prune_uploads(upload_dir, {e.path for e in engine.store.manifest().values()})
        gr.Info(f"Deleted {len(article_ids)} article(s).")
        return refresh()

    with gr.Blocks(title="article-qa", fill_width=True) as demo:
        with gr.Row(equal_height=True):
            gr.Markdown(
                "## article-qa\nAnswers from your news articles, each claim cited to its passage."
            )
            status = gr.Markdown(elem_id="qa-status")
        with gr.Tabs():
            with gr.Tab("Chat"), gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        label="Chat",
                        height=520,
                        layout="bubble",
                        sanitize_html=True,
                        allow_tags=False,
                        latex_delimiters=[],
                        feedback_options=None,
                        buttons=[],
                        placeholder="Ask about the indexed articles. Every answer cites its "
                        "passages: click a **[n]** to see the passage it rests on.<br>"
                        "No articles yet? Add files or a web address in the **Articles** tab.",
                    )
                    box = gr.Textbox(
                        placeholder="Ask a question about the articles…",
                        show_label=False,
                        submit_btn=True,
                    )
                    examples = gr.Dataset(
                        components=[box], samples=[], label="Try asking", layout="gallery"
                    )
                    with gr.Accordion("Search settings", open=False):
                        with gr.Row():
                            top_k = gr.Slider(
                                1, 20, value=settings.top_k, step=1, label="Passages to consider"
                            )
                            since = gr.Textbox(
                                "", label="Published on or after", placeholder="YYYY-MM-DD"
                            )
                            until = gr.Textbox(
                                "", label="Published on or before", placeholder="YYYY-MM-DD"
                            )
                        source_filter = gr.Dropdown(
                            [],
                            value=[],
                            multiselect=True,
                            allow_custom_value=True,
                            label="Only these sources (empty: all)",
                        )
                        answerer = gr.Radio(
                            list(answerers),
                            value=answerer_name(engine),
                            label="Answerer",
                            visible=len(answerers) > 1,
                        )
                    new_chat = gr.Button("New chat", size="sm", variant="secondary")
                with gr.Column(scale=2):
                    gr.Markdown("### Sources")
                    sources = gr.HTML(
                        SOURCES_PLACEHOLDER, elem_id="qa-sources", head=HEAD, js_on_load=None
                    )
            with gr.Tab("Articles"):
                with gr.Row():
                    with gr.Column():
                        files = gr.File(
                            label="Upload articles (.txt .md .html .json .jsonl)",
                            file_count="multiple",
                            file_types=list(UPLOAD_SUFFIXES),
                            height=140,
                            elem_id="qa-upload",
                        )
                        add_btn = gr.Button("Add files", variant="primary")
                    with gr.Column():
                        url = gr.Textbox(
                            label="…or the address of an article or an RSS/Atom feed",
                            placeholder="https://",
                        )
                        fetch_btn = gr.Button("Fetch and add", variant="primary")
                results = gr.Dataframe(
                    headers=["file or address", "result", "details"],
                    label="Results",
                    interactive=False,
                    wrap=True,
                    elem_id="qa-results",
                )
                gr.Markdown("### Indexed articles")
                table = gr.Dataframe(
                    headers=["title", "date", "source", "passages", "id"],
                    column_widths=["36%", "11%", "18%", "9%", "26%"],
                    interactive=False,
                    wrap=True,
                    max_height=420,
                    elem_id="qa-articles",
                )
                with gr.Row():
                    doomed = gr.Dropdown([], multiselect=True, label="Articles to delete", scale=4)
                    delete_btn = gr.Button("Delete selected", variant="stop", scale=1)
        pairs, turns = gr.State([]), gr.State([])

        refreshed = [status, table, doomed, source_filter, examples]
        chat_in = [box, chatbot, top_k, since, until, source_filter, answerer, pairs, turns]
        chat_out = [chatbot, sources, box, pairs, turns]
        # Questions are checked first, in a step without outputs, so a mistake is only a message;
        # the chat shows its own "Searching…" bubble, so Gradio's progress overlay is hidden.
        check_in = [box, since, until]
        box.submit(check, check_in, None, api_visibility="private").success(
            respond, chat_in, chat_out, api_name="chat", show_progress="hidden"
        )
        examples.click(lambda sample: sample[0], examples, box, api_visibility="private").then(
            check, check_in, None, api_visibility="private"
        ).success(respond, chat_in, chat_out, show_progress="hidden", api_visibility="private")
        new_chat.click(
            lambda: ([], SOURCES_PLACEHOLDER, "", [], []), None, chat_out, api_visibility="private"
        )
        chatbot.clear(  # the chat's own bin icon: forget the history and sources with it
            lambda: (SOURCES_PLACEHOLDER, [], []),
            None,
            [sources, pairs, turns],
            api_visibility="private",
        )
        add_btn.click(add_files, files, [results, *refreshed, files], api_visibility="private")
        fetch_btn.click(add_url, url, [results, *refreshed, url], api_visibility="private")
        url.submit(add_url, url, [results, *refreshed, url], api_visibility="private")
        delete_btn.click(delete, doomed, refreshed, api_visibility="private")
        demo.load(refresh, None, refreshed, api_visibility="private")
        gr.api(ask_api, api_name="ask")
    return demo


if __name__ == "__main__":
    from qa.server import serve

    serve(seed_paths=["seeds"])
