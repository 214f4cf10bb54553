"""The Gradio web page (UI only): chat with cited answers, their sources, and the articles."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from qa.page_handlers import build_handlers, hold  # noqa: E402
from qa.render import HEAD, SOURCES_PLACEHOLDER, answerer_label, loading_markdown  # noqa: E402
from qa.server import EngineLoader  # noqa: E402

if TYPE_CHECKING:
    from qa.engine import Engine

# One question at a time. The page moves a question from the box to `asked` as it is sent, with
# no round trip, so a next question typed at once is never wiped by the answer's reply. While
# `asked` holds one (until its answer is done, or New chat stops it), a question sent stays
# where it is and `hold` says why; a blank one (a second Enter) does nothing. Throwing stops
# the event's `.success` chain.
TAKE = (
    "(q, asked) => { if (asked || !(q || '').trim()) throw new Error('not taken');"
    " return [q, '']; }"
)
# a question that failed goes back to the box to fix and resend, unless another is typed there
GIVE_BACK = "(q, typed) => [typed || q, '']"
# An answer's end lets the next question in; a failed one goes back to the box. Only when it is
# the question taken: one New chat stopped ends later (undefined: the value is left as it is).
DONE = "(q, asked) => q === asked ? '' : undefined"
GIVE_BACK_OWN = "(q, asked, typed) => q === asked ? [typed || q, ''] : [undefined, undefined]"
IN_PAGE: dict[str, Any] = {"queue": False, "show_progress": "hidden"}
# the delete confirmation may appear below the fold: bring it into view
SCROLL_TO_CONFIRM = (
    "() => setTimeout(() => document.getElementById('qa-confirm')"
    "?.scrollIntoView({block: 'center', behavior: 'smooth'}), 50)"
)


def build_app(engine: Engine | EngineLoader) -> gr.Blocks:
    """The page over `engine` (or one still loading): chat with sources, settings, articles."""
    loader = EngineLoader.of(engine)
    settings = loader.settings
    label = answerer_label(settings)
    # the offline answerer stays available next to a configured LLM (made on first use)
    answerers = [label] if label == "extractive" else [label, "extractive"]
    handlers = build_handlers(loader, label)

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
                            label="Upload articles (.txt .md .html .json .jsonl .jsonl.gz, an .rss feed; "
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
        # The question taken (see TAKE), and the one `check` passed on to be answered: `respond`
        # reads that one, set in the same moment, so nothing sent meanwhile can change it.
        asked, answering = gr.Textbox(visible=False), gr.Textbox(visible=False)
        picked = gr.Textbox(visible=False)  # a suggestion clicked, on its way to `asked`
        chat_in = [
            answering,
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
        # Questions are checked first, so a mistake is only a message (and the question goes
        # back to the box unless another is being typed there); the chat shows its own
        # "Searching…" bubble, so Gradio's progress overlay is hidden.
        check_in = [asked, since, until, as_of]
        private: dict[str, Any] = {"api_visibility": "private"}
        taken = box.submit(None, [box, asked], [asked, box], js=TAKE, **IN_PAGE, **private)
        suggested = examples.click(lambda sample: sample[0], examples, picked, **private).success(
            None, [picked, asked], [asked, picked], js=TAKE, **IN_PAGE, **private
        )
        answering_events = []
        for took, sent, typed, api in (
            (taken, box, True, {"api_name": "chat"}),
            (suggested, picked, False, private),
        ):
            took.failure(functools.partial(hold, typed=typed), [sent, asked], None, **private)
            # "multiple": TAKE lets one question through at a time, and one New chat stopped
            # may still count as running for a moment
            checked = took.success(
                handlers.check, check_in, answering, trigger_mode="multiple", **private
            )
            checked.failure(None, [asked, box], [box, asked], js=GIVE_BACK, **IN_PAGE, **private)
            answered = checked.success(
                handlers.respond,
                chat_in,
                chat_out,
                show_progress="hidden",
                trigger_mode="multiple",
                **api,
            )
            answered.success(None, [answering, asked], asked, js=DONE, **IN_PAGE, **private)
            answered.failure(
                None, [answering, asked, box], [box, asked], js=GIVE_BACK_OWN, **IN_PAGE, **private
            )
            answering_events += [checked, answered]
        new_chat.click(
            lambda: ([], SOURCES_PLACEHOLDER, "", [], [], "", ""),
            None,
            [*chat_out, asked, answering],
            cancels=answering_events,
            **private,
        )
        chatbot.clear(  # the chat's own bin icon: forget the history and sources with it
            lambda: (SOURCES_PLACEHOLDER, [], [], "", ""),
            None,
            [sources, pairs, turns, asked, answering],
            cancels=answering_events,
            **private,
        )
        # one progress bar, over the results, instead of an overlay on every output
        for event, fn, given in (
            (add_btn.click, handlers.add_files, files),
            (fetch_btn.click, handlers.add_url, url),
            (url.submit, handlers.add_url, url),
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
            handlers.ask_to_delete, doomed, [confirm_row, confirm_md], api_visibility="private"
        ).success(None, None, None, js=SCROLL_TO_CONFIRM)
        confirm_btn.click(
            lambda: gr.Row(visible=False), None, confirm_row, api_visibility="private"
        ).then(handlers.delete, doomed, refreshed, api_visibility="private")
        cancel_btn.click(lambda: gr.Row(visible=False), None, confirm_row, api_visibility="private")
        # another selection needs its own confirmation
        doomed.change(lambda: gr.Row(visible=False), None, confirm_row, api_visibility="private")
        demo.load(
            handlers.refresh_once_loaded,
            None,
            refreshed,
            show_progress="hidden",
            api_visibility="private",
        )
        gr.api(handlers.ask_api, api_name="ask")
    return demo


if __name__ == "__main__":
    from qa.server import serve

    serve(seed_paths=["seeds"])
