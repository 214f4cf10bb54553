"""What the page does: answer in the chat, add and delete articles, show the index's status."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from qa.citations import Answer
from qa.errors import LoadError, NoIndexError
from qa.page_errors import page_error, user_errors
from qa.page_filters import parse_filters
from qa.render import (
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
    shorten,
    status_markdown,
    upload_row,
)
from qa.uploads import prune_uploads, store_upload

if TYPE_CHECKING:
    from index.report import IngestReport
    from qa.engine import Engine
    from qa.server import EngineLoader

MAX_UPLOADS = 50
LOCK_WAIT_S = 20.0  # how long an upload or delete waits for another process's write (`qa ingest`)
SEARCHING = "*Searching the articles…*"
WAITING = "*Loading the index… the question is answered as soon as it is ready.*"


def message(role: str, content: str) -> dict[str, str]:
    """A chat message in Gradio's messages format."""
    return {"role": role, "content": content}


def hold(question: str, asked: str, typed: bool = True) -> None:
    """Say why a question sent while `asked` is answered was not taken (a repeat: nothing)."""
    question, asked = (question or "").strip(), (asked or "").strip()
    if not question or question == asked:  # a second Enter or click on the one being answered
        return
    then = (
        "your question stays in the box: send it once that answer is in"
        if typed
        else "click the suggestion again once that answer is in"
    )
    gr.Warning(
        f"Still answering “{escape_text(shorten(asked, 80))}”; {then}, or stop it with New chat."
    )


@dataclass(frozen=True)
class PageHandlers:
    """The page's event handlers, over one engine (loaded or still loading)."""

    refresh_once_loaded: Callable[[], Iterator[tuple[Any, ...]]]
    respond: Callable[..., Iterator[tuple[Any, ...]]]
    check: Callable[[str, str, str, str], str]
    ask_api: Callable[[str], dict[str, Any]]
    add_files: Callable[..., tuple[Any, ...]]
    add_url: Callable[..., tuple[Any, ...]]
    ask_to_delete: Callable[[list[str] | None], tuple[Any, ...]]
    delete: Callable[[list[str] | None], tuple[Any, ...]]


def build_handlers(loader: EngineLoader, label: str) -> PageHandlers:
    """The page's handlers over `loader`; `label` names the configured answerer."""
    settings = loader.settings
    upload_dir = settings.index_dir / "uploads"
    max_bytes = int(settings.max_file_mb * 1_000_000)
    writing = threading.Lock()  # one ingest or delete at a time: each reads the manifest first
    offline: list[Engine] = []
    offline_lock = threading.Lock()

    def answerer_engine(choice: str) -> Engine:
        main = loader.engine()  # waits while the index loads
        if choice != "extractive" or main.llm is None:
            return main
        with offline_lock:
            if not offline:
                from qa.engine import Engine

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
            # The chat as it was; the page puts the question back in the box (unless another
            # is being typed there), to fix and resend.
            yield before, render_sources(turns), gr.skip(), pairs, turns
            raise

    def check(question: str, since: str, until: str, as_of: str) -> str:
        # The question, passed on to be answered; an error is a message alone (its one output
        # is hidden: no badge on the chat).
        with user_errors("checking the question"):
            if not (question or "").strip():  # Enter in an empty box: nothing to do, nothing said
                raise gr.Error("No question", visible=False, print_exception=False)
            from qa.question import check_question

            check_question(question)  # too long: a message, not an error badge on the chat
            parse_filters(None, since, until, None, as_of)
            if loader.ready and loader.engine().store.count() == 0:
                raise NoIndexError(str(settings.index_dir))
        return question

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
        added = report.added or report.updated or report.unchanged
        # nothing came of it: the address stays, to fix as its row says ("did you mean …?")
        return ([ingest_row(url.strip(), report)], *refresh(), "" if added else gr.skip())

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

    return PageHandlers(
        refresh_once_loaded=refresh_once_loaded,
        respond=respond,
        check=check,
        ask_api=ask_api,
        add_files=add_files,
        add_url=add_url,
        ask_to_delete=ask_to_delete,
        delete=delete,
    )
