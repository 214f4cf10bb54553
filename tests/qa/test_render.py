"""Pure rendering, without Gradio: hostile article text stays text, [n] links, highlights."""

from __future__ import annotations

import re
from dataclasses import replace

from markdown_it import MarkdownIt

from index.report import IngestReport
from index.store import ArticleEntry
from qa.citations import Answer, Citation
from qa.render import (
    answerer_label,
    escape_text,
    example_questions,
    format_answer,
    format_partial,
    highlight_passage,
    ingest_row,
    loading_markdown,
    render_sources,
    status_markdown,
    upload_row,
)
from qa.settings import Settings

HOSTILE = (
    '<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> '
    "[click](javascript:window.__pwned=3) <a href='javascript:x'>a</a> ${window.__pwned=4} "
    "{{constructor}} **bold** `code` # heading\n1. item\n> quote | table | www.example.com &amp;"
)


def rendered(markdown: str) -> str:
    """Chat markdown as a CommonMark renderer (like the page's) turns it into HTML."""
    return MarkdownIt("commonmark").render(markdown)


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
        [cite(1), cite(2, article_id="b", title="<i>x</i>")],
    )
    html = rendered(format_answer(answer, turn=3))
    links = re.findall(r"<a class='qa-cite' href='#source-3-(\d)'>\[\d\]</a>", html)
    assert links == ["1", "1", "2", "1", "2"]  # three in the text, then the cited-titles line
    assert "[7]" in html and "#source-3-7" not in html
    assert "&lt;b&gt;east&lt;/b&gt;" in html and "&lt;i&gt;x&lt;/i&gt;" in html
    assert "qa-refusal-tag" not in html


def test_two_passages_of_one_article_list_its_title_once() -> None:
    answer = Answer("A [1]. B [2]. C [3].", True, [cite(1), cite(2, article_id="b"), cite(3)])
    cited = format_answer(answer).split("\n\n")[-1]
    assert re.sub(r"<[^>]+>", "", cited) == "[1] [3] T · [2] T"


def test_refusal_has_its_own_look_and_hostile_text_stays_inert() -> None:
    from qa.citations import REFUSED

    refused = Answer(f"{REFUSED} {HOSTILE}", False, notice="Try <u>other</u> words")
    html = rendered(format_answer(refused))
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
    assert example_questions(entries, limit=3) == [
        "What's the latest news?",
        "What do the articles say about “New news”?",
        "What do the articles say about “Mid”?",
    ]
    assert example_questions([entry("Undated", "")]) == [
        "What do the articles say about “Undated”?"
    ]
    assert example_questions([entry("Groups, format, for 2024 NBA ...", "")]) == [
        "What do the articles say about “Groups, format, for 2024 NBA”?"
    ]
    assert example_questions([]) == []
    asking = entry("Who has Trump picked for his Cabinet? Patel eyed as FBI head", "")
    assert example_questions([asking, entry("Is the Fed done?", "")]) == [
        "Who has Trump picked for his Cabinet?",
        "Is the Fed done?",
    ]


def test_ingest_rows_say_what_happened_and_why() -> None:
    assert ingest_row("a.txt", IngestReport(added=1)) == ["a.txt", "added", ""]
    assert upload_row("a.txt", IngestReport(added=1)) == ["a.txt", "added", ""]
    assert upload_row("a.txt", IngestReport(updated=1))[2].startswith(
        "replaced the earlier upload named a.txt"
    )
    assert ingest_row("a.md", IngestReport(unchanged=1)) == ["a.md", "unchanged", ""]
    bad = IngestReport(
        failed=[{"path": "/idx/uploads/ab/x.json", "error": "invalid JSON", "line": 3}]
    )
    assert ingest_row("x.json", bad) == ["x.json", "failed", "x.json:3: invalid JSON"]
    dated = IngestReport(added=1, warnings=[{"path": "/idx/uploads/cd/l.md", "error": "no date"}])
    assert ingest_row("l.md", dated) == ["l.md", "added", "no date"]  # the row names the file
    mixed = IngestReport(
        added=2, updated=1, failed=[{"path": "http://h/p", "error": "HTTP 404"}] * 7
    )
    name, result, details = ingest_row("http://h/feed", mixed)
    assert result == "added 2, updated 1, failed 7"
    assert details.startswith("http://h/p: HTTP 404;") and details.endswith("and 2 more")
    assert ingest_row("e.jsonl", IngestReport())[1] == "nothing to add"


def test_streaming_text_is_escaped_and_marked_unfinished() -> None:
    html = rendered(format_partial("<b>east</b> of [1"))
    assert "&lt;b&gt;east&lt;/b&gt; of [1 ▍" in html and "<b>" not in html


def test_answerer_label_names_the_llm_or_extractive(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert answerer_label(Settings(index_dir=tmp_path)) == "extractive"
    llm = Settings(index_dir=tmp_path, llm="openai", llm_model="qwen")
    assert answerer_label(llm) == "qwen (OpenAI-compatible)"


def test_loading_status_says_what_is_loading_and_that_questions_wait() -> None:
    html = rendered(loading_markdown("First run: indexing seeds/*…"))
    assert "First run: indexing seeds/*…" in html and "answered once it is ready" in html
    assert "<em>" in html  # the status is shown as a note, the stage text escaped within it


def test_a_quoted_headline_is_marked_in_its_source_card() -> None:
    quoted = cite(1, title="<b>Rockets</b> fired", url="https://example.com/r", headline=True)
    html = render_sources([Answer("“Rockets fired” [1]", True, [quoted, cite(2, title="Other")])])
    assert "<mark class='qa-headline'><a href=\"https://example.com/r\"" in html
    assert "&lt;b&gt;Rockets&lt;/b&gt; fired</a></mark>" in html
    assert html.count("qa-headline") == 1  # the other card's title is not marked


def test_the_search_settings_in_force_are_said_under_an_answer() -> None:
    from qa.render import searched_within

    assert searched_within() == ""
    assert searched_within("2024-01-01", "2024-12-31", ["cnn.com"], "2024-06-01") == (
        "*Searched since 2024-01-01; until 2024-12-31; source cnn.com. Asked as of 2024-06-01.*"
    )
    assert searched_within(as_of="2023-01-01") == "*Asked as of 2023-01-01.*"
    assert searched_within(sources=["<b>Wire</b>", "AP"]) == (
        "*Searched sources &lt;b&gt;Wire&lt;/b&gt;, AP.*"
    )


def test_the_delete_picker_tells_articles_alike_apart_by_id() -> None:
    from qa.render import delete_choices

    one, two = entry("Marathon record falls", "2025-06-02"), entry("Other", "")
    twin = replace(one, id="b.txt")
    assert delete_choices([one, two]) == [
        ("Marathon record falls · 2025-06-02", one.id),
        ("Other · undated", two.id),
    ]
    labels = [label for label, _ in delete_choices([one, twin])]
    assert labels == [
        f"Marathon record falls · 2025-06-02 · {one.id}",
        "Marathon record falls · 2025-06-02 · b.txt",
    ]


def test_web_addresses_from_articles_are_not_linked() -> None:
    text = "Details at https://phish.example/login, www.phish.example or toll@phish.example."
    # nothing the chat's markdown (GFM) would turn into a link is left ...
    assert not re.search(r"://|www\.|@", escape_text(text), re.IGNORECASE)
    assert "https://phish.example/login, www.phish.example or toll@phish.example" in rendered(
        escape_text(text)
    )  # ... and the page shows the address as it is
    answer = Answer(f"{text} [1]", True, [cite(1, title="[2](http://evil.example) WWW.x.org")])
    shown = format_answer(answer)
    assert not re.search(r"://|www\.|@", shown, re.IGNORECASE)
    assert "href='#source-0-1'" in shown  # our own citation links stay


def test_a_failed_address_is_named_once_in_its_row() -> None:
    report = IngestReport(
        failed=[{"path": "example.com/story", "error": "not a web address: did you mean …?"}]
    )
    assert ingest_row("example.com/story", report) == [
        "example.com/story",
        "failed",
        "not a web address: did you mean …?",
    ]
