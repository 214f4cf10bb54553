"""Loaders on arbitrary bytes and text (hypothesis): only LoadError escapes; invariants hold."""

from __future__ import annotations

import gzip
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.article import Article
from index.chunk import chunk_article, make_splitter
from index.embed import word_piece_tokenizer
from index.encoding import decode_bytes
from index.html import article_from_html
from index.load import load_paths
from index.records import iter_json_file, iter_jsonl
from index.text import _BOILERPLATE, article_from_text, split_front_matter, strip_boilerplate
from qa.errors import LoadError

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Pieces that steer random text towards the loaders' special cases.
PIECES = ["---\n", "title: T\n", "date: 2020-01-02\n", "Sign up to receive news\n", "\n\n"]
PIECES += ["© 2024 Paper\n", '{"id": "a", "text": "x"}\n', "<p>", "</p>", "<script>", "\ufeff"]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), max_size=25).map("".join)
blobs = st.one_of(
    st.binary(max_size=400),
    texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
    texts.map(lambda t: t.encode("utf-16")),
    st.tuples(texts, st.binary(max_size=8)).map(
        lambda p: p[0].encode("utf-8", "surrogatepass") + p[1]
    ),
)


def articles_or_errors(items: object) -> list[Article | LoadError]:
    out = list(items)  # type: ignore[call-overload]
    assert all(isinstance(i, Article | LoadError) for i in out)
    return out


@FUZZ
@given(blobs)
def test_decode_bytes_gives_text_or_a_load_error(data: bytes) -> None:
    try:
        text = decode_bytes(data, "x.txt")
    except LoadError as err:
        assert err.path == "x.txt" and err.reason
        return
    assert isinstance(text, str)
    assert "\x00" not in text[:1000] or data.startswith((b"\xff\xfe", b"\xfe\xff"))


@FUZZ
@given(texts)
def test_strip_boilerplate_keeps_only_real_lines_in_order(text: str) -> None:
    stripped = strip_boilerplate(text)
    assert stripped == strip_boilerplate(stripped)  # idempotent
    lines = iter(text.splitlines())
    for kept in stripped.splitlines():  # an ordered subsequence of the input's lines
        assert any(kept.strip() == line.strip() or kept in line for line in lines)
        assert len(kept) >= 200 or not _BOILERPLATE.match(kept)


@FUZZ
@given(texts)
def test_front_matter_split_leaves_a_suffix_of_the_text(text: str) -> None:
    meta, body = split_front_matter(text)
    assert text.endswith(body)
    assert meta or body == text or text.startswith("---")
    assert all(k == k.strip().lower() for k in meta)


@FUZZ
@given(texts, st.booleans())
def test_text_articles_have_text_and_a_title_or_fail_cleanly(text: str, markdown: bool) -> None:
    try:
        article = article_from_text(text, "f/a.md", "f/a.md", is_markdown=markdown)
    except LoadError as err:
        assert "no article text" in err.reason
        return
    assert article.text and article.text == article.text.strip()
    assert article.text == strip_boilerplate(article.text)
    assert article.title


@settings(max_examples=100, deadline=None)
@given(texts)
def test_html_loader_gives_an_article_or_a_load_error(html: str) -> None:
    try:
        article = article_from_html(html, "f/a.html", "f/a.html")
    except LoadError:
        return
    assert article.text.strip() and article.title


@FUZZ
@given(blobs)
def test_json_loaders_yield_articles_or_errors_with_lines(data: bytes) -> None:
    for item in articles_or_errors(iter_jsonl(io.BufferedReader(io.BytesIO(data)), "a.jsonl", 200)):
        if isinstance(item, LoadError):
            assert item.line is None or item.line >= 1
        else:
            assert item.text and item.line is not None
    for item in articles_or_errors(iter_json_file(data, "a.json")):
        assert isinstance(item, LoadError) or item.text


@settings(max_examples=60, deadline=None)
@given(blobs, st.sampled_from([".txt", ".md", ".html", ".json", ".jsonl", ".jsonl.gz", ".xyz"]))
def test_any_file_loads_or_reports_never_raises(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"file{suffix}"
        path.write_bytes(
            gzip.compress(data) if suffix.endswith(".gz") and data[:1] != b"x" else data
        )
        items = articles_or_errors(load_paths([tmp], max_bytes=300))
    assert items  # every file yields something: an article or a reason
    for item in items:
        if isinstance(item, LoadError):
            assert item.path.endswith(f"file{suffix}") and item.reason


@settings(max_examples=60, deadline=None)
@given(texts.filter(lambda t: t.strip()))
def test_chunk_spans_point_at_their_text(text: str) -> None:
    article = Article(id="a", text=text, title="T")
    for node in chunk_article(article, SPLITTER):
        assert text[node.start_char_idx : node.end_char_idx] == node.text


SPLITTER = make_splitter(64, 8, word_piece_tokenizer())
