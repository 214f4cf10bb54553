"""The Gradio web page (UI only): chat with cited answers, their sources, and the articles."""

from __future__ import annotations

import html
import logging
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from qa.citations import Answer  # noqa: E402
from qa.errors import (  # noqa: E402
    UNREACHABLE,
    ConfigError,
    LoadError,
    NoIndexError,
    QAError,
    is_unreachable,
)
from qa.render import (  # noqa: E402
    HEAD,
    SOURCES_PLACEHOLDER,
    answerer_label,
    article_rows,
    delete_choices,
    escape_text,
    example_questions,
    format_answer,
    format_partial,
    ingest_row,
    loading_markdown,
    render_sources,
    searched_within,
    status_markdown,
    upload_row,
)
from qa.server import EngineLoader  # noqa: E402
from qa.uploads import prune_uploads, store_upload  # noqa: E402

if TYPE_CHECKING:
    from index.ingest import IngestReport
    from qa.api import Engine

log = logging.getLogger("article-qa.app")

MAX_UPLOADS = 50
LOCK_WAIT_S = 20.0  # how long an upload or delete waits for another process's write (`qa ingest`)
SEARCHING = "*Searching the articles…*"
# the delete confirmation may appear below the fold: bring it into view
SCROLL_TO_CONFIRM = (
    "() => setTimeout(() => document.getElementById('qa-confirm')"
    "?.scrollIntoView({block: 'center', behavior: 'smooth'}), 50)"
)
WAITING = "*Loading the index… the question is answered as soon as it is ready.*"


def parse_filters(
    top_k: float | None,
    since: str | None,
    until: str | None,
    sources: Sequence[str] | None,
    as_of: str | None = None,
) -> dict[str, Any]:
    """The search settings as `Engine.stream` keyword arguments; ConfigError says what to fix."""
    days = {}
    for name, value in (("since", since), ("until", until), ("as of", as_of)):
        value = (value or "").strip()
        try:
            days[name] = date.fromisoformat(value).isoformat() if value else None
        except ValueError:
            raise ConfigError(
                f"The '{name}' date must look like 2020-11-17 (YYYY-MM-DD), not {value!r}."
            ) from None
    days["as_of"] = days.pop("as of")
    if days["since"] and days["until"] and days["since"] > days["until"]:
        raise ConfigError("The 'since' date is after the 'until' date: swap them or clear one.")
    return {"top_k": int(top_k) if top_k else None, "sources": list(sources or []) or None, **days}


def page_error(text: str) -> gr.Error:
    """A message for the page; the console is kept for failures (they are logged with a trace)."""
    return gr.Error(text, print_exception=False)


@contextmanager
def user_errors(action: str) -> Iterator[None]:
    """Turn errors into readable page messages (gr.Error); log unexpected ones for the operator."""
    try:
        yield
    except gr.Error:
        raise
    except NoIndexError:
        raise page_error(
            "No articles indexed yet: add some in the Articles tab (or with qa ingest)."
        ) from None
    except QAError as exc:
        raise page_error(html.escape(str(exc), quote=False)) from None
    except Exception as exc:
        if is_unreachable(exc):
            raise page_error(UNREACHABLE.format(kind=type(exc).__name__)) from None
        log.exception("failed while %s", action)
        raise page_error(
            f"Something went wrong while {action}; the server log has the details."
        ) from None


# --- the page ---------------------------------------------------------------------------------


def message(role: str, content: str) -> dict[str, str]:
    """A chat message in Gradio's messages format."""
    return {"role": role, "content": content}


def build_app(engine: Engine | EngineLoader) -> gr.Blocks:
    """The page over `engine` (or one still loading): chat with sources, settings, articles."""
    loader = EngineLoader.of(engine)
    settings = loader.settings
    upload_dir = settings.index_dir / "uploads"
    max_bytes = int(settings.max_file_mb * 1_000_000)
    writing = threading.Lock()  # one ingest or delete at a time: each reads the manifest first
    label = answerer_label(settings)
    # the offline answerer stays available next to a configured LLM (made on first use)
    answerers = [label] if label == "extractive" else [label, "extractive"]
    offline: list[Engine] = []
    offline_lock = threading.Lock()

    def answerer_engine(choice: str) -> Engine:
        main = loader.engine()  # waits while the index loads
        if choice != "extractive" or main.llm is None:
            return main
        with offline_lock:
            if not offline:
                from qa.api import Engine

                extractive = settings.model_copy(update={"llm": "extractive"})
                offline.append(Engine(extractive, store=main.store, embed_model=main.embed_model))
        return offline[0]

    def index_items(items: Iterable[Any]) -> IngestReport:
        from index.chunk import make_splitter
        from index.embed import word_piece_tokenizer
        from index.ingest import ingest

        main = loader.engine()
        splitter = make_splitter(
            settings.chunk_size, settings.chunk_overlap, word_piece_tokenizer()
        )
        return ingest(
            items,
            main.store,
            main.embed_model,
            splitter,
            settings,
            progress=False,
            lock_timeout=LOCK_WAIT_S,
        )

    def refresh() -> tuple[Any, ...]:
        from index.embed import MODEL_NAME

        main = loader.engine()
        entries = sorted(main.store.manifest().values(), key=lambda e: e.title.lower())
        questions = example_questions(entries)
        status = status_markdown(len(entries), main.store.count(), MODEL_NAME, label)
        choices = delete_choices(entries)
        return (
            status,
            article_rows(entries),
            gr.Dropdown(choices=choices, value=[]),
            gr.Dropdown(choices=sorted({e.source for e in entries if e.source})),
            gr.Dataset(samples=[[q] for q in questions], visible=bool(questions)),
        )

    def refresh_once_loaded() -> Iterator[tuple[Any, ...]]:
        # the page is served while the index loads: its status shows each loading stage
        stage = ""
        while not loader.wait(0.5):
            if loader.stage != stage:
                stage = loader.stage
                yield (loading_markdown(stage), *[gr.skip()] * 4)
        with user_errors("loading the index"):
            yield refresh()

    def respond(
        question: str,
        chat: list[Any],
        top_k: float,
        since: str,
        until: str,
        sources: list[str],
        answerer: str,
        as_of: str,
        pairs: list[tuple[str, str]],
        turns: list[Answer],
    ) -> Iterator[tuple[Any, ...]]:
        question, before = (question or "").strip(), list(chat or [])
        if not question:
            raise page_error("Type a question about the articles first.")
        waiting = not loader.ready
        bubble = message("assistant", WAITING if waiting else SEARCHING)
        chat = [*before, message("user", escape_text(question)), bubble]
        turns, pairs = list(turns or []), list(pairs or [])
        try:
            with user_errors("answering this question"):
                filters = parse_filters(top_k, since, until, sources, as_of)
                # the box was emptied in the page when the question was sent (see `asked`)
                yield chat, render_sources(turns), gr.skip(), pairs, turns
                chosen = answerer_engine(answerer)
                if waiting:
                    chat[-1] = message("assistant", SEARCHING)
                    yield chat, render_sources(turns), gr.skip(), pairs, turns
                text = ""
                for item in chosen.stream(question, history=pairs, **filters):
                    if isinstance(item, Answer):
                        turns, pairs = [*turns, item], [*pairs, (question, item.text)]
                        shown = format_answer(item, len(turns) - 1)
                        if item.answered:  # a refusal names the settings itself
                            within = searched_within(
                                filters["since"],
                                filters["until"],
                                filters["sources"],
                                filters["as_of"],
                            )
                            shown = f"{shown}\n\n{within}" if within else shown
                        chat[-1] = message("assistant", shown)
                    else:
                        text += item
                        chat[-1] = message("assistant", format_partial(text))
                    # the box is left alone: the next question may be being typed into it
                    yield chat, render_sources(turns), gr.skip(), pairs, turns
        except gr.Error:
            # The chat as it was and the question back in the box, to fix and resend.
            yield before, render_sources(turns), question, pairs, turns
            raise

    def check(question: str, since: str, until: str, as_of: str) -> None:
        # A step with no outputs: its error is a message alone, with no badge on the chat.
        with user_errors("checking the question"):
            if not (question or "").strip():  # Enter in an empty box: nothing to do, nothing said
                raise gr.Error("No question", visible=False, print_exception=False)
            from qa.api import check_question

            check_question(question)  # too long: a message, not an error badge on the chat
            parse_filters(None, since, until, None, as_of)
            if loader.ready and loader.engine().store.count() == 0:
                raise NoIndexError(str(settings.index_dir))

    def ask_api(question: str) -> dict[str, Any]:
        with user_errors("answering this question"):
            return loader.engine().ask(question).as_dict()

    def add_files(
        files: list[str] | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[Any, ...]:
        from index.load import load_file

        if not files:
            raise page_error("Choose one or more article files first.")
        if len(files) > MAX_UPLOADS:
            raise page_error(
                f"At most {MAX_UPLOADS} files at a time, please: {len(files)} were chosen."
            )
        rows = []
        with user_errors("adding the files"), writing:
            for i, name in enumerate(files):
                shown = Path(name).name
                of = f" ({i + 1} of {len(files)})" if len(files) > 1 else ""
                progress(0, desc=f"Indexing {shown}{of}")
                try:
                    stored = store_upload(Path(name), upload_dir, max_bytes, shown)
                except LoadError as err:
                    rows.append([shown, "failed", err.reason])
                    continue
                articles = load_file(stored, f"uploads/{stored.name}", max_bytes)
                report = index_items(
                    progress.tqdm(articles, desc=f"Indexing {shown}{of}", unit="articles")
                )
                if not (report.added or report.updated or report.unchanged):
                    # nothing came of it: keep no copy of a file that failed to load
                    prune_uploads(
                        upload_dir, {e.path for e in loader.engine().store.manifest().values()}
                    )
                rows.append(upload_row(shown, report))
        return (rows, *refresh(), None)

    def add_url(url: str, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        from index.fetch import fetch_url

        if not (url or "").strip():
            raise page_error("Paste the address of an article or of an RSS/Atom feed first.")
        with user_errors("fetching that address"):
            progress(0, desc="Fetching…")
            # fetched before the write lock: a slow site holds up no other writer
            items = list(
                progress.tqdm(fetch_url(url, max_bytes=max_bytes), desc="Fetching", unit="articles")
            )
            progress(1, desc="Indexing…")
            with writing:
                report = index_items(items)
        return ([ingest_row(url.strip(), report)], *refresh(), "")

    def ask_to_delete(article_ids: list[str] | None) -> tuple[Any, ...]:
        if not article_ids:
            raise page_error("Select the articles to delete first.")
        n = len(article_ids)
        with user_errors("reading the article list"):
            manifest = loader.engine().store.manifest()
        named = [  # titles are the articles' own text: shown literally
            escape_text(f"“{manifest[a].title}”" if a in manifest and manifest[a].title else a)
            for a in article_ids
        ]
        what = (
            named[0]
            if n == 1
            else f"these {n} articles ({', '.join(named[:3])}{', …' if n > 3 else ''})"
        )
        return gr.Row(visible=True), (
            f"Delete {what} from the index? {'Its' if n == 1 else 'Their'} passages go, and so "
            "does any uploaded file: this cannot be undone."
        )

    def delete(article_ids: list[str] | None) -> tuple[Any, ...]:
        from index.ingest import delete as delete_articles

        if not article_ids:
            raise page_error("Select the articles to delete first.")
        with user_errors("deleting articles"), writing:
            store = loader.engine().store
            present = [a for a in article_ids if a in store.manifest()]
            if present:
                delete_articles(store, settings, present, lock_timeout=LOCK_WAIT_S)
            prune_uploads(upload_dir, {e.path for e in store.manifest().values()})
        gone = len(article_ids) - len(present)  # deleted meanwhile (another tab, the API)
        said = [f"Deleted {len(present)} article(s)."] if present else []
        said += [f"{gone} had been deleted already."] if gone else []
        gr.Info(" ".join(said))
        return refresh()

    with gr.Blocks(title="article-qa", fill_width=True) as demo:
        with gr.Row(equal_height=True):
            gr.Markdown(
                "## article-qa\nAnswers from your news articles, each claim cited to its passage."
            )
            status = gr.Markdown(loading_markdown(loader.stage), elem_id="qa-status")
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
                        "To add articles (files or a web address), open the **Articles** tab.",
                    )
                    box = gr.Textbox(
                        placeholder="Ask a question about the articles…",
                        show_label=False,
                        submit_btn="Ask",  # a button with a name screen readers say
                        elem_id="qa-box",
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
                            as_of = gr.Textbox(
                                "",
                                label="Asked as of",
                                placeholder="YYYY-MM-DD (empty: today)",
                                info="Later articles are left out; newer ones weigh more.",
                            )
                        source_filter = gr.Dropdown(
                            [],
                            value=[],
                            multiselect=True,
                            allow_custom_value=True,
                            label="Only these sources (empty: all)",
                        )
                        answerer = gr.Radio(
                            answerers,
                            value=label,
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
                            label="Upload articles (.txt .md .html .json .jsonl, an .rss feed; "
                            f"at most {settings.max_file_mb:g} MB each)",
                            file_count="multiple",
                            # no file_types: Gradio would refuse a whole selection for one
                            # .docx; each file that is no article gets its own row instead
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
                    column_widths=["25%", "15%", "60%"],
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
                with gr.Row(visible=False, elem_id="qa-confirm") as confirm_row:
                    confirm_md = gr.Markdown()
                    with gr.Column(scale=0, min_width=140):
                        confirm_btn = gr.Button("Yes, delete", variant="stop", size="sm")
                        cancel_btn = gr.Button("Cancel", size="sm")
        pairs, turns = gr.State([]), gr.State([])

        refreshed = [status, table, doomed, source_filter, examples]
        # The question being answered. The page moves it here from the box as it is sent, with
        # no round trip, so a next question typed at once is never wiped by the answer's reply.
        asked = gr.Textbox(visible=False)
        chat_in = [
            asked,
            chatbot,
            top_k,
            since,
            until,
            source_filter,
            answerer,
            as_of,
            pairs,
            turns,
        ]
        chat_out = [chatbot, sources, box, pairs, turns]
        # Questions are checked first, in a step without outputs, so a mistake is only a message
        # (and the question goes back to the box unless another is being typed there); the
        # chat shows its own "Searching…" bubble, so Gradio's progress overlay is hidden.
        check_in = [asked, since, until, as_of]
        taken = box.submit(
            None, box, [asked, box], js="(q) => [q, '']", queue=False, api_visibility="private"
        )
        checked = taken.then(check, check_in, None, api_visibility="private")
        checked.success(respond, chat_in, chat_out, api_name="chat", show_progress="hidden")
        checked.failure(
            None, [asked, box], box, js="(q, typed) => typed || q", api_visibility="private"
        )
        suggested = examples.click(
            lambda sample: sample[0], examples, asked, api_visibility="private"
        ).then(check, check_in, None, api_visibility="private")
        suggested.success(
            respond, chat_in, chat_out, show_progress="hidden", api_visibility="private"
        )
        new_chat.click(
            lambda: ([], SOURCES_PLACEHOLDER, "", [], []), None, chat_out, api_visibility="private"
        )
        chatbot.clear(  # the chat's own bin icon: forget the history and sources with it
            lambda: (SOURCES_PLACEHOLDER, [], []),
            None,
            [sources, pairs, turns],
            api_visibility="private",
        )
        # one progress bar, over the results, instead of an overlay on every output
        for event, fn, given in (
            (add_btn.click, add_files, files),
            (fetch_btn.click, add_url, url),
            (url.submit, add_url, url),
        ):
            event(
                fn,
                given,
                [results, *refreshed, given],
                show_progress_on=results,
                api_visibility="private",
            )
        # deleting cannot be undone (an upload's file goes too): it asks first
        delete_btn.click(
            ask_to_delete, doomed, [confirm_row, confirm_md], api_visibility="private"
        ).success(None, None, None, js=SCROLL_TO_CONFIRM)
        confirm_btn.click(
            lambda: gr.Row(visible=False), None, confirm_row, api_visibility="private"
        ).then(delete, doomed, refreshed, api_visibility="private")
        cancel_btn.click(lambda: gr.Row(visible=False), None, confirm_row, api_visibility="private")
        # another selection needs its own confirmation
        doomed.change(lambda: gr.Row(visible=False), None, confirm_row, api_visibility="private")
        demo.load(
            refresh_once_loaded, None, refreshed, show_progress="hidden", api_visibility="private"
        )
        gr.api(ask_api, api_name="ask")
    return demo


if __name__ == "__main__":
    from qa.server import serve

    serve(seed_paths=["seeds"])
