"""Loading each format with its metadata; boilerplate and page chrome dropped."""

from __future__ import annotations

import json
import os
from pathlib import Path

from index.article import Article
from index.load import load_paths
from index.text import split_front_matter, strip_boilerplate
from qa.errors import LoadError

ROOT = Path(__file__).resolve().parents[2]


def load_all(*paths: Path) -> tuple[list[Article], list[LoadError]]:
    items = list(load_paths(paths))
    return [i for i in items if isinstance(i, Article)], [
        i for i in items if isinstance(i, LoadError)
    ]


def test_seed_has_title_date_and_no_newsletter_boilerplate() -> None:
    articles, errors = load_all(ROOT / "seeds")
    assert not errors
    (seed,) = articles
    assert seed.title == "Rockets fired at U.S. Embassy in Baghdad"
    assert seed.published == "2020-11-17"
    assert seed.text.startswith("Several shells were fired Tuesday night")
    assert "Sign up" not in seed.text and "By submitting this form" not in seed.text
    assert seed.text.endswith("limit warlike encounters abroad to the maximum.")


def test_every_format_keeps_metadata(articles_dir: Path) -> None:
    articles, errors = load_all(articles_dir)
    assert not errors
    by_title = {a.title: a for a in articles}
    md = by_title["Harbor bridge reopens after repairs"]
    assert (md.source, md.published, md.url) == (
        "Portside Daily",
        "2023-05-02",
        "https://example.com/harbor-bridge",
    )
    assert "newsletter" not in md.text
    html = by_title["Jazz festival draws record crowd"]
    assert "85,000 visitors" in html.text
    assert (
        "tracking" not in html.text
        and "Weather menu item" not in html.text
        and "All rights reserved" not in html.text
    )
    assert html.published == "2024-07-14"
    wire = [a for a in articles if a.id.startswith("wire-")]
    assert [a.id for a in wire] == ["wire-001", "wire-002"]
    assert wire[0].source == "Wire" and wire[0].url == "https://example.com/rates"
    txt = next(a for a in articles if a.path.endswith("orchard.txt"))
    assert txt.id == "articles/orchard.txt"
    assert all(a.path for a in articles)


def test_ids_are_stable_across_working_directories(articles_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first = {a.id for a in load_all(articles_dir)[0]}
    monkeypatch.chdir(articles_dir)
    assert {a.id for a in load_all(Path("."))[0]} == {
        i.replace("articles/", "articles/") for i in first
    }


def test_jsonl_gz_and_bad_lines_are_reported_with_line_numbers(tmp_path: Path) -> None:
    import gzip

    good = '{"id": "a1", "title": "T", "text": "Body text of the first article."}\n'
    (tmp_path / "x.jsonl.gz").write_bytes(
        gzip.compress((good + "{broken\n" + '{"id": "a3"}\n').encode())
    )
    articles, errors = load_all(tmp_path)
    assert [a.id for a in articles] == ["a1"]
    assert [(e.line, "invalid JSON" in e.reason or "text" in e.reason) for e in errors] == [
        (2, True),
        (3, True),
    ]


def test_bad_files_fail_with_reasons_and_others_load(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 10)
    (tmp_path / "latin1.txt").write_bytes(
        "Caf\xe9 owners in M\xfcnchen protest new rules.".encode("latin-1")
    )
    (tmp_path / "utf16.txt").write_bytes("Ein Bericht über Wahlen.".encode("utf-16"))
    # no BOM (as some Windows tools save it): a NUL in every other byte, yet text
    (tmp_path / "utf16le.txt").write_bytes("Wahlen in Köln, Montag.".encode("utf-16-le"))
    (tmp_path / "utf16be.txt").write_bytes("Wahlen in Köln, Montag.".encode("utf-16-be"))
    (tmp_path / "huge.txt").write_bytes(b"a" * 2_000_001)
    # text for 30 KB, then an image: the NULs are past the first 8 KB that are sniffed
    prose = b"The council voted on the budget. " * 1000
    (tmp_path / "tail.txt").write_bytes(prose + b"\x89PNG\x00\x00\x01\x02\x00" * 600)
    (tmp_path / "nul.txt").write_bytes(prose + b"\x00\x00" + b"The vote passed.")
    (tmp_path / "menus.html").write_text(
        "<html><head><title>Nav page</title></head><body><nav><a href=/>Home</a> | "
        "<a href=/news>News</a></nav><script>var x = 1;</script></body></html>"
    )
    chinese = "中华人民共和国国务院今天宣布了新的经济政策，以促进国内消费和就业。" * 3
    (tmp_path / "gbk.txt").write_bytes(chinese.encode("gbk"))  # no cp1252 mojibake
    russian = "Правительство России объявило о новых мерах поддержки экономики."
    (tmp_path / "cp1251.txt").write_bytes(russian.encode("cp1251"))
    items = list(load_paths([tmp_path], max_bytes=1_000_000))
    errors = {Path(e.path).name: e.reason for e in items if isinstance(e, LoadError)}
    loaded = {Path(a.path).name: a.text for a in items if isinstance(a, Article)}
    assert "empty" in errors["empty.txt"]
    assert "binary" in errors["binary.txt"]
    assert "cap" in errors["huge.txt"]
    assert "binary" in errors["tail.txt"]
    assert "\x00" not in loaded["nul.txt"] and loaded["nul.txt"].endswith("The vote passed.")
    assert "no readable article text" in errors["menus.html"]  # menus are no article
    assert "Café" in loaded["latin1.txt"] and "München" in loaded["latin1.txt"]
    assert "über" in loaded["utf16.txt"]
    assert loaded["utf16le.txt"] == loaded["utf16be.txt"] == "Wahlen in Köln, Montag."
    assert loaded["gbk.txt"] == chinese and loaded["cp1251.txt"] == russian


def test_an_index_folder_inside_an_ingested_folder_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "news.txt").write_text("The bridge reopened on Monday after repairs.")
    index = tmp_path / "my-index"
    (index / "chroma").mkdir(parents=True)
    (index / "chroma" / "chroma.sqlite3").write_bytes(b"SQLite format 3\x00")
    (index / "uploads").mkdir()
    (index / "uploads" / "uploaded.txt").write_text("An upload, indexed when it was uploaded.")
    items = list(load_paths([tmp_path]))
    assert [a.id for a in items if isinstance(a, Article)] == [f"{tmp_path.name}/news.txt"]
    [skipped] = [e for e in items if isinstance(e, LoadError)]
    assert skipped.path == str(index) and "index folder" in skipped.reason


def test_files_that_are_not_json_lines_fail_once_and_say_why(tmp_path: Path) -> None:
    import gzip

    records = [
        {"id": f"r{i}", "title": f"T{i}", "text": f"The bridge reopened on day {i}."}
        for i in range(6)
    ]
    lines = "".join(json.dumps(r) + "\n" for r in records)
    (tmp_path / "array.jsonl").write_text(json.dumps(records, indent=2))  # a JSON document
    (tmp_path / "noise.jsonl").write_bytes(bytes(range(256)) * 12)  # binary
    # one record over three lines: fewer lines than it takes to tell a document by its start
    (tmp_path / "short.jsonl").write_text(json.dumps(records[0]).replace(", ", ",\n"))
    (tmp_path / "lines.json").write_text(lines[: lines.index("r3") - 8])  # JSON Lines in .json
    packed = gzip.compress(lines.encode())
    (tmp_path / "cut.jsonl.gz").write_bytes(packed[:-20])  # cut short: the last line is lost
    articles, errors = load_all(tmp_path)
    assert sorted(a.id for a in articles) == ["r0", "r0", "r1", "r1", "r2", "r2", "r3"]
    reasons = {Path(e.path).name: e.reason for e in errors}
    assert len(errors) == 4, errors  # one each, not one a line
    assert "not JSON Lines" in reasons["array.jsonl"] and ".json file" in reasons["array.jsonl"]
    assert "not JSON Lines" in reasons["noise.jsonl"] and "binary" in reasons["noise.jsonl"]
    assert reasons["short.jsonl"].startswith("not JSON Lines: none of its 3 lines is JSON")
    assert "cut short" in reasons["cut.jsonl.gz"] and "first 4 articles" in reasons["cut.jsonl.gz"]


def test_odd_record_fields_and_an_unclosed_front_matter_give_no_repr_titles(tmp_path: Path) -> None:
    from index.records import article_from_record
    from index.text import article_from_text

    record = {"id": 7, "title": {"en": "Bridge"}, "text": "The bridge reopened.", "url": ["x"]}
    article = article_from_record(record, "f.jsonl", 1)
    assert (article.id, article.title, article.url) == ("7", "", "")
    nul = article_from_record({"title": "Ash\x00grove", "text": "Fire\x00 at dawn."}, "f.jsonl", 3)
    assert (nul.title, nul.text) == ("Ashgrove", "Fire at dawn.")  # "\u0000" escapes dropped
    try:
        article_from_record({"id": ["a"], "text": "The bridge reopened."}, "f.jsonl", 2)
    except LoadError as err:
        assert err.reason == 'the record\'s "id" must be text or a whole number, not a list'
    else:
        raise AssertionError("a list id was accepted")
    unclosed = article_from_text(
        "---\ntitle: Bridge\n\nThe bridge reopened.", "a", "bridge-news.md", True
    )
    assert unclosed.title == "bridge news"  # the file's name, not "---"


def test_front_matter_and_boilerplate_are_pure_functions() -> None:
    meta, body = split_front_matter("---\ntitle: A: B\ndate: 2020-01-02\n---\nBody\n")
    assert meta == {"title": "A: B", "date": "2020-01-02"} and body == "Body\n"
    assert (
        strip_boilerplate(
            "Real text.\n\nSign up to receive our latest news!\nBy submitting this form, I agree."
        )
        == "Real text."
    )
    notices = "Copyright 2024 Marlow Gazette. All rights reserved.\n(c) 2023 Wire Ltd"
    assert strip_boilerplate(f"The copyright 2024 case went on.\n{notices}") == (
        "The copyright 2024 case went on."
    )


def test_json_problems_read_as_one_plain_reason() -> None:
    from index.records import iter_json_file

    (control,) = iter_json_file(b'{"text": "a\tb"}', "x.json")
    (empty,) = iter_json_file(b'{"text": ""}', "x.json")
    assert isinstance(control, LoadError) and isinstance(empty, LoadError)
    assert control.reason == "invalid JSON (Invalid control character at line 1, column 12)"
    assert empty.reason == 'no article text (the record\'s "text" is missing or empty)'


def test_a_feed_saved_to_a_file_gives_its_entries_without_fetching(tmp_path: Path) -> None:
    (tmp_path / "valley.rss").write_text(
        """<?xml version="1.0"?><rss version="2.0"><channel><title>Valley News</title>
<item><title>Dam inspected</title><link>http://127.0.0.1:9/dam</link>
<pubDate>Fri, 05 Mar 2021 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Engineers inspected the Elm dam on Friday and found no cracks.&lt;/p&gt;</description>
</item>
<item><title>Bare link</title><link>http://127.0.0.1:9/bare</link></item>
</channel></rss>"""
    )
    (tmp_path / "config.xml").write_text("<?xml version='1.0'?><settings><a>1</a></settings>")
    items = list(load_paths([tmp_path]))
    articles = [a for a in items if isinstance(a, Article)]
    errors = {(Path(e.path).name, e.reason) for e in items if isinstance(e, LoadError)}
    assert [(a.id, a.title, a.source, a.published) for a in articles] == [
        ("http://127.0.0.1:9/dam", "Dam inspected", "Valley News", "2021-03-05")
    ]
    assert "found no cracks" in articles[0].text and "<p>" not in articles[0].text
    assert articles[0].path == str(tmp_path / "valley.rss")  # in scope of a prune of the folder
    assert (
        "valley.rss",
        "entry 2 (Bare link) carries no text (its page is not fetched from a file)",
    ) in errors
    assert any(n == "config.xml" and "not an RSS or Atom feed" in r for n, r in errors)


def test_a_file_of_another_kind_is_told_every_kind_that_is_read(tmp_path: Path) -> None:
    from index.files import FEED_SUFFIXES, HTML_SUFFIXES, JSON_SUFFIXES, TEXT_SUFFIXES

    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04 not an article")
    [error] = list(load_paths([tmp_path / "notes.docx"]))
    assert isinstance(error, LoadError) and error.reason.startswith("unsupported file type .docx")
    for suffix in TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | FEED_SUFFIXES:
        assert suffix in error.reason, suffix


def test_record_fields_of_the_wrong_kind_are_named() -> None:
    from index.records import article_from_record, iter_json_file, json_line

    def reason(record: dict[str, object]) -> str:
        try:
            article_from_record(record, "f.jsonl", 1)
        except LoadError as err:
            return err.reason
        raise AssertionError(f"{record} was accepted")

    text = "The bridge reopened."
    assert reason({"id": 1.5, "text": text}).endswith("not a number with a decimal point")
    assert reason({"id": True, "text": text}).endswith("not true/false")  # no id "True"
    assert reason({"text": 12345}) == 'the record\'s "text" must be text, not a number'
    nan = article_from_record({"title": float("nan"), "text": text}, "f.jsonl", 1)
    assert nan.title == ""  # not "nan"
    long_id = b'{"id": ' + b"9" * 5000 + b', "text": "The bridge reopened."}'
    line = json_line(long_id, "f.jsonl", 4, "")
    assert isinstance(line, LoadError) and line.line == 4
    assert "over 4,300 digits: write it as text" in line.reason and "sys." not in line.reason
    (whole,) = iter_json_file(b"[" + long_id + b"]", "f.json")
    assert isinstance(whole, LoadError) and "write it as text" in whole.reason


def test_html_fragments_are_read_as_pages(tmp_path: Path) -> None:
    story = "The Springfield zoo welcomed a giant panda named Bao on Tuesday, after two years."
    for name, html in [
        ("article.html", f"<article><p>{story}</p></article>"),
        ("div.html", f"<div>{story}</div>"),
        ("p.html", f"<p>{story}</p>\n"),
    ]:
        (tmp_path / name).write_text(html)
    articles, errors = load_all(tmp_path)
    assert not errors
    assert [a.text for a in articles] == [story] * 3


def test_lone_surrogates_and_names_that_are_not_utf8_are_made_valid(tmp_path: Path) -> None:
    (tmp_path / "s.jsonl").write_text(
        '{"id": "ok", "text": "The council approved the library budget."}\n'
        '{"id": "cut", "title": "Emoji cut \\ud83d", "text": "Bao arrived. \\udc00"}\n'
    )
    latin1 = tmp_path / os.fsdecode(b"caf\xe9.txt")  # a name from an old archive
    latin1.write_text("The cafe reopened on Monday.")
    articles, errors = load_all(tmp_path)
    assert not errors
    by_id = {a.id: a for a in articles}
    assert by_id["cut"].title == "Emoji cut \ufffd" and by_id["cut"].text == "Bao arrived. \ufffd"
    named = by_id[f"{tmp_path.name}/caf\\xe9.txt"]
    assert named.title == "caf\\xe9" and named.path == str(tmp_path / "caf\\xe9.txt")
    for article in articles:
        assert article.content_hash  # raised UnicodeEncodeError before


def test_an_empty_path_is_refused_not_read_as_the_current_folder(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from index.sources import within_paths

    (tmp_path / "private-notes.txt").write_text("Notes nobody meant to index.")
    monkeypatch.chdir(tmp_path)
    articles, errors = load_all("")  # type: ignore[arg-type]
    assert articles == [] and [e.reason for e in errors] == [
        "an empty path: give a file, folder or http(s):// address"
    ]
    assert not within_paths([""])(str(tmp_path / "private-notes.txt"))
