"""Pure rendering of the page: answers with linked [n] markers, source cards with highlighted
spans, article rows and status lines. Article text is untrusted: everything is escaped here."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.citations import REFUSED

if TYPE_CHECKING:
    from index.report import IngestReport
    from index.store import ArticleEntry
    from qa.citations import Answer, Citation
    from qa.settings import Settings

MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
# After HTML escaping, these markdown characters are backslash-escaped so article text renders
# as text: no links or images (brackets), emphasis, code, tables, headings or lists.
MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]~|])")
MARKDOWN_LINE_START = re.compile(r"^([ \t]*)([-+=#]|\d+[.)])", re.MULTILINE)
# The chat's markdown (GFM) links bare addresses too: "https://x", "www.x", "a@b.c". An entity
# for the character that makes each one (the page shows the same character) keeps them text.
AUTOLINK = re.compile(r"(:)(?=//)|(?<=www)(\.)|(@)", re.IGNORECASE)
SOURCES_PLACEHOLDER = "<p class='qa-muted'>The passages an answer cites appear here.</p>"

CSS = """
#qa-sources { max-height: 72vh !important; overflow-y: auto !important; padding-right: 4px; }
.qa-muted { color: var(--body-text-color-subdued); }
.qa-draft { color: var(--body-text-color-subdued); font-style: italic; }
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
.qa-passage mark, mark.qa-headline { background: #fde68a; color: #1f2937; padding: 0 1px;
  border-radius: 2px; }
.qa-question { margin: 0 0 8px; font-size: 0.9em; color: var(--body-text-color-subdued); }
/* keyboard users see where they type; placeholders readable (4.8:1 on white, not 1.9:1) */
#qa-box textarea:focus-visible { outline: 2px solid #f97316; outline-offset: 1px; }
#qa-box textarea::placeholder, .gradio-container input::placeholder,
.gradio-container textarea::placeholder { color: #6b7280; opacity: 1; }
.dark #qa-box textarea::placeholder, .dark .gradio-container input::placeholder,
.dark .gradio-container textarea::placeholder { color: #9ca3af; }
.dark a.qa-cite { color: #fdba74; }
.dark .message.bot:has(.qa-refusal-tag) { background: #3b2f14 !important; }
.dark .qa-passage mark, .dark mark.qa-headline { background: #a16207; color: #fff7ed; }
.dark .qa-refusal-tag { background: #b45309; color: #fff7ed !important; }
/* a phone's width: the articles table keeps title, date and source, dropping the passage
   count and id, and the results table gives its details half the width. Gradio sizes each
   column inline, header cells (th[data-heading]) and body cells ([data-col]) alike, so each
   rule below styles both */
@media (max-width: 640px) {
  #qa-articles th[data-heading="3"], #qa-articles th[data-heading="4"],
  #qa-articles [data-col="3"], #qa-articles [data-col="4"] { display: none !important; }
  #qa-articles th[data-heading="0"], #qa-articles [data-col="0"],
  #qa-results th[data-heading="2"], #qa-results [data-col="2"] {
    width: 50% !important; min-width: 50% !important; max-width: 50% !important;
    flex: 0 0 50% !important; }
  #qa-articles th[data-heading="1"], #qa-articles [data-col="1"],
  #qa-articles th[data-heading="2"], #qa-articles [data-col="2"],
  #qa-results th[data-heading="0"], #qa-results [data-col="0"],
  #qa-results th[data-heading="1"], #qa-results [data-col="1"] {
    width: 25% !important; min-width: 25% !important; max-width: 25% !important;
    flex: 0 0 25% !important; }
  #qa-articles table, #qa-results table { width: 100% !important; table-layout: fixed; }
  #qa-articles .sizing-body td:nth-child(n+4) { display: none; }
  #qa-articles span.wrap, #qa-results span.wrap { word-break: normal; overflow-wrap: anywhere; }
}
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
  // Gradio names each message by its raw HTML and markdown: screen readers get its text instead
  let queued = false;
  const name = () => {
    queued = false;
    document.querySelectorAll('[data-testid="bot"], [data-testid="user"]').forEach(m => {
      const who = m.dataset.testid === 'bot' ? "bot's message: " : "your message: ";
      const said = who + m.innerText.replace(/\\s+/g, ' ').trim();
      if (m.getAttribute('aria-label') !== said) m.setAttribute('aria-label', said);
    });
  };
  new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(name); }
  }).observe(document.documentElement, {subtree: true, childList: true, characterData: true});
})();
"""
HEAD = f"<style>{CSS}</style><script>{JS}</script>"


def escape_text(text: str) -> str:
    """Untrusted text as chat markdown that renders literally: no HTML, no links, no markup."""
    escaped = MARKDOWN_INLINE.sub(r"\\\1", html.escape(text, quote=False))
    escaped = AUTOLINK.sub(lambda m: f"&#{ord(m[0])};", escaped)
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


def searched_within(
    since: str | None = None,
    until: str | None = None,
    sources: Sequence[str] | None = None,
    as_of: str | None = None,
) -> str:
    """The search settings in force, as a line under an answer ('' when none is set)."""
    parts = []
    if since:
        parts.append(f"since {since}")
    if until:
        parts.append(f"until {until}")
    if sources:
        parts.append(("source " if len(sources) == 1 else "sources ") + ", ".join(sources))
    lines = [f"Searched {'; '.join(parts)}."] if parts else []
    if as_of:
        lines.append(f"Asked as of {as_of}.")
    return f"*{escape_text(' '.join(lines))}*" if lines else ""


def format_answer(answer: Answer, turn: int = 0) -> str:
    """An answer as a chat message: linked [n] markers and cited titles, or a marked refusal."""
    body = link_markers(answer.text, turn, {c.n for c in answer.citations})
    if not answer.answered and answer.text.startswith(REFUSED):  # not a reply to "hello"
        body = f"<span class='qa-refusal-tag'>Not in the articles</span> {body}"
    if answer.notice:
        body += f"\n\n*{escape_text(answer.notice)}*"
    if answer.answered and answer.citations:
        by_article: dict[str, list[Citation]] = {}  # two passages of one article: its title once
        for c in answer.citations:
            by_article.setdefault(c.article_id, []).append(c)
        titles = " · ".join(
            " ".join(f"<a class='qa-cite' href='#source-{turn}-{c.n}'>[{c.n}]</a>" for c in cs)
            + " "
            + escape_text(shorten(cs[0].title or cs[0].article_id, 70))
            for cs in by_article.values()
        )
        body += f"\n\n<span class='qa-cited'>{titles}</span>"
    return body


def format_partial(text: str) -> str:
    """Answer text still streaming in, shown as a draft: its citations are checked once whole."""
    note = "<br><span class='qa-muted'>Checking it against the passages…</span>"
    return f"<span class='qa-draft'>{escape_text(text)} ▍</span>{note}"


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
    """One source card: title (linked; marked when the answer quotes it), source, date, span, passage."""
    title = safe_link(c.url, c.title or c.article_id)
    if c.headline:
        title = f"<mark class='qa-headline'>{title}</mark>"
    meta = [html.escape(x) for x in (c.source, c.published[:10]) if x]
    meta.append(f"characters {c.start}–{c.end} of <code>{html.escape(c.article_id)}</code>")
    return (
        f"<div class='qa-source' id='source-{turn}-{c.n}'><b>[{c.n}]</b> "
        f"{title}<div class='qa-meta'>{' · '.join(meta)}</div>"
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
    """Questions a newcomer can click: the latest news (if any article is dated), then titles.

    A headline that asks a question ("Who has Trump picked for his Cabinet? Patel eyed ...")
    is asked as it is; another is asked about ("What do the articles say about “...”?").
    """
    ordered = sorted(entries, key=lambda e: e.published, reverse=True)
    asked: list[str] = []
    for e in ordered:
        title = shorten(e.title, 90).rstrip(".?! ")
        if title:
            question = _headline_question(e.title) or f"What do the articles say about “{title}”?"
            if question not in asked:
                asked.append(question)
    latest = [LATEST_NEWS] if ordered and ordered[0].published else []
    return (latest + asked)[:limit]


_ASKING = re.compile(
    r"^(?:who|what|when|where|why|how|which|is|are|was|were|do|does|did|can|will)\b", re.I
)


def _headline_question(title: str) -> str:
    """A headline's own question ("Who has Trump picked for his Cabinet? Patel eyed..."), else ''."""
    asked, mark, _ = title.partition("?")
    return f"{asked.strip()}?" if mark and _ASKING.match(asked) else ""


LATEST_NEWS = "What's the latest news?"


def status_markdown(articles: int, passages: int, embedder: str, answerer: str) -> str:
    """The index status line."""
    return (
        f"**{articles}** {plural(articles, 'article')} · **{passages}** "
        f"{plural(passages, 'passage')} · embedder `{embedder}` · answerer `{answerer}`"
    )


def plural(n: int, word: str) -> str:
    """`word` for one, `word`s otherwise."""
    return word if n == 1 else f"{word}s"


def delete_choices(entries: Sequence[ArticleEntry]) -> list[tuple[str, str]]:
    """(label, id) of each article for the delete picker; two alike are told apart by their ids."""
    labels = [f"{shorten(e.title or e.id, 60)} · {e.published[:10] or 'undated'}" for e in entries]
    twice = {label for label, n in Counter(labels).items() if n > 1}
    return [
        (f"{label} · {e.id}" if label in twice else label, e.id)
        for label, e in zip(labels, entries, strict=True)
    ]


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
        f["error"]
        if name in (f["path"], where(f["path"])) and "line" not in f  # the row names it already
        else f"{where(f['path'])}{':' + str(f['line']) if 'line' in f else ''}: {f['error']}"
        for f in [*report.failed, *report.warnings]
    ]
    more = f"; and {len(reasons) - 5} more" if len(reasons) > 5 else ""
    return [name, result, "; ".join(reasons[:5]) + more]


def upload_row(name: str, report: IngestReport) -> list[str]:
    """An uploaded file's row: as `ingest_row`, saying when it replaced an upload of its name."""
    row = ingest_row(name, report)
    if report.updated and not report.failed:
        note = f"replaced the earlier upload named {name}: rename a file to keep both"
        row[2] = "; ".join(part for part in (note, row[2]) if part)
    return row


def where(path: str) -> str:
    """A failed item's name for people: a URL in full, a stored upload by its file name."""
    return path if "://" in path else Path(path).name


def answerer_label(settings: Settings) -> str:
    """Which answerer the settings choose, as people see it."""
    if settings.llm == "extractive":
        return "extractive"
    return f"{settings.llm_model} (OpenAI-compatible)"


def loading_markdown(stage: str) -> str:
    """The status line while the index loads: what it is doing, and that questions will wait."""
    return f"*{escape_text(stage)} Questions asked now are answered once it is ready.*"
