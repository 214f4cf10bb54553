"""Chunk spans, re-ingest as a no-op, change replaces, --prune removes (real Chroma + MiniLM)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from index.article import Article
from index.chunk import chunk_article, make_splitter
from index.embed import word_piece_tokenizer
from index.ingest import ingest_paths
from index.lexical import LexicalIndex
from index.load import load_paths
from index.store import PassageStore
from qa.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_chunks_fit_the_embedder_and_spans_match_the_text() -> None:
    (seed,) = [a for a in load_paths([ROOT / "seeds"]) if isinstance(a, Article)]
    tokenizer = word_piece_tokenizer()
    splitter = make_splitter(96, 16, tokenizer)
    nodes = chunk_article(seed, splitter)
    assert len(nodes) > 3
    for i, node in enumerate(nodes):
        assert seed.text[node.start_char_idx : node.end_char_idx] == node.text
        assert node.id_ == f"{seed.id}::{i}"
        assert len(tokenizer("title: " + seed.title + "\n\n" + node.text)) <= 256
    covered = set()
    for node in nodes:
        covered.update(range(node.start_char_idx, node.end_char_idx))
    assert len(covered) >= 0.95 * len(seed.text.replace("\n\n", ""))


def test_reingest_is_noop_change_replaces_prune_removes(
    tmp_path: Path, settings, embed_model, articles_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    store = PassageStore(settings)
    first = ingest_paths(
        [str(articles_dir)], settings, store=store, embed_model=embed_model, progress=False
    )
    assert (first.added, first.updated, first.unchanged, first.failed) == (5, 0, 0, [])
    total = store.count()
    assert total == first.chunks > 0

    again = ingest_paths(
        [str(articles_dir)], settings, store=store, embed_model=embed_model, progress=False
    )
    assert (again.added, again.updated, again.unchanged, again.chunks) == (0, 0, 5, 0)
    assert store.count() == total

    orchard = articles_dir / "orchard.txt"
    orchard.write_text(
        "Apple growers now expect a poor harvest after a late frost destroyed blossoms."
    )
    changed = ingest_paths(
        [str(articles_dir)], settings, store=store, embed_model=embed_model, progress=False
    )
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 4)
    texts = [
        d
        for _, m, d in store.iter_records(["documents", "metadatas"])
        if m["article_id"] == "articles/orchard.txt"
    ]
    assert texts == [
        "Apple growers now expect a poor harvest after a late frost destroyed blossoms."
    ]

    (articles_dir / "festival.html").unlink()
    kept = ingest_paths(
        [str(articles_dir)], settings, store=store, embed_model=embed_model, progress=False
    )
    assert kept.removed == 0 and "articles/festival.html" in store.manifest()
    pruned = ingest_paths(
        [str(articles_dir)],
        settings,
        store=store,
        embed_model=embed_model,
        prune=True,
        progress=False,
    )
    assert pruned.removed == 1
    manifest = store.manifest()
    assert "articles/festival.html" not in manifest and len(manifest) == 4
    assert all(entry.complete for entry in manifest.values())

    lexical = LexicalIndex.load(settings.lexical_dir)
    assert lexical is not None and sorted(lexical.ids) == sorted(
        pid for pid, _, _ in store.iter_records([])
    )
    assert lexical.search("frost blossoms", 3)[0][0].startswith("articles/orchard.txt::")
    assert lexical.surface["blossom"] == "blossoms"  # how the passages write a term, saved


def test_prune_removes_only_what_lay_under_the_given_paths(
    tmp_path: Path, settings, embed_model, articles_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    store = PassageStore(settings)
    other = tmp_path / "other"
    other.mkdir()
    (other / "harbour.txt").write_text("The harbour festival drew 5,000 visitors on Saturday.")
    (other / "bridge.txt").write_text("The old stone bridge reopened after a year of repairs.")
    ingest_paths(
        [str(articles_dir), str(other), str(ROOT / "seeds")],
        settings,
        store=store,
        embed_model=embed_model,
        progress=False,
    )
    assert len(store.manifest()) == 8
    (other / "harbour.txt").unlink()
    (articles_dir / "orchard.txt").unlink()

    def prune(path: Path) -> int:
        return ingest_paths(
            [str(path)], settings, store=store, embed_model=embed_model, prune=True, progress=False
        ).removed

    assert prune(other / "bridge.txt") == 0  # a file given alone: nothing else is in scope
    assert prune(other) == 1 and "other/harbour.txt" not in store.manifest()
    assert "articles/orchard.txt" in store.manifest()  # another folder's article is kept
    assert prune(articles_dir) == 1 and len(store.manifest()) == 6
    shutil.move(other, tmp_path / "moved")
    assert prune(other) == 0  # a folder that is gone is a failure, not an empty folder
    assert "other/bridge.txt" in store.manifest()
    assert any(e.path.startswith(str(ROOT / "seeds")) for e in store.manifest().values())


def test_prune_finds_the_same_files_from_any_folder(
    tmp_path: Path, settings, embed_model, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    store = PassageStore(settings)
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, name, text in [
        (first, "ferry.txt", "The night ferry resumed service on Monday with twelve deckhands."),
        (second, "bridge.txt", "The old stone bridge reopened after a year of repairs."),
    ]:
        (folder / "news").mkdir(parents=True)
        (folder / "news" / name).write_text(text)

    def run(path: str, prune: bool = False) -> int:
        report = ingest_paths(
            [path], settings, store=store, embed_model=embed_model, prune=prune, progress=False
        )
        return report.removed

    monkeypatch.chdir(first)
    run("news")
    # the same relative name in another folder is another folder: its prune keeps this one's
    monkeypatch.chdir(second)
    assert run("news", prune=True) == 0
    assert set(store.manifest()) == {"news/ferry.txt", "news/bridge.txt"}
    # ... and a prune run from anywhere else finds the file that is gone
    (first / "news" / "ferry.txt").unlink()
    monkeypatch.chdir("/")
    assert run(str(first / "news"), prune=True) == 1
    assert set(store.manifest()) == {"news/bridge.txt"}
    assert store.manifest()["news/bridge.txt"].path == str(second / "news" / "bridge.txt")


def test_an_article_of_more_passages_than_chroma_takes_at_once_is_stored_in_calls(
    tmp_path: Path, settings, embed_model, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    store = PassageStore(settings)
    assert store.max_batch() >= 1000  # Chroma's own limit (5,461 embedded rows here)
    store._max_batch = 4  # as if a 5 MB article: more passages than one call may carry
    from llama_index.vector_stores.chroma import ChromaVectorStore

    sizes: list[int] = []
    add = ChromaVectorStore.add

    def counted(self, nodes, **kw):  # type: ignore[no-untyped-def]
        sizes.append(len(nodes))
        return add(self, nodes, **kw)

    monkeypatch.setattr(ChromaVectorStore, "add", counted)
    long = tmp_path / "long"
    long.mkdir()
    sentences = [
        f"Report {i}: the harbour crane number {i} lifted {i * 7} containers." for i in range(400)
    ]
    (long / "log.txt").write_text(" ".join(sentences))
    report = ingest_paths(
        [str(long)], settings, store=store, embed_model=embed_model, progress=False
    )
    assert report.failed == [] and report.chunks > 4 * 3
    assert max(sizes) == 4 and sum(sizes) == report.chunks
    assert store.count() == report.chunks
    assert store.manifest()["long/log.txt"].complete


def test_dates_are_stored_as_days_and_an_unreadable_one_is_a_warning(
    tmp_path: Path, settings, embed_model
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "dated"
    folder.mkdir()
    (folder / "clock.md").write_text(
        "---\ntitle: Tower clock fixed\npublished: March 7, 2024\n---\nThe clock runs again."
    )
    (folder / "lamp.md").write_text(
        "---\ntitle: Lamp relit\npublished: 5th of March\n---\nThe harbour lamp was relit."
    )
    store = PassageStore(settings)
    report = ingest_paths(
        [str(folder)], settings, store=store, embed_model=embed_model, progress=False
    )
    assert report.added == 2 and not report.failed
    (warning,) = report.warnings
    assert warning["article"] == "dated/lamp.md" and warning["path"].endswith("lamp.md")
    assert (
        "'5th of March' lacks a year" in warning["error"] and "without a date" in warning["error"]
    )
    assert "1 warning in" in report.summary()
    published = {e.title: e.published for e in store.manifest().values()}
    assert published == {"Tower clock fixed": "2024-03-07", "Lamp relit": ""}


def test_the_manifest_is_read_once_per_revision_and_sees_other_writers(
    settings, embed_model, articles_dir: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    store = PassageStore(settings)
    ingest_paths(
        [str(articles_dir)], settings, store=store, embed_model=embed_model, progress=False
    )
    first = store.manifest()
    assert len(first) == 5
    first.clear()  # callers get their own copy
    reads = []
    read = store._read_manifest
    monkeypatch.setattr(store, "_read_manifest", lambda: reads.append(1) or read())
    assert len(store.manifest()) == 5 and not reads  # same revision: not read again
    # another writer (its own store, as another process would have) changes the revision
    (articles_dir / "orchard.txt").unlink()
    ingest_paths(
        [str(articles_dir)],
        settings,
        store=PassageStore(settings),
        embed_model=embed_model,
        prune=True,
        progress=False,
    )
    assert "articles/orchard.txt" not in store.manifest() and reads == [1]


@pytest.mark.slow
def test_articles_command_lists_what_is_indexed(settings, embed_model, articles_dir: Path) -> None:  # type: ignore[no-untyped-def]
    store = PassageStore(settings)
    ingest_paths(
        [str(articles_dir)], settings, store=store, embed_model=embed_model, progress=False
    )
    env = {**os.environ, "QA_INDEX_DIR": str(settings.index_dir)}

    def qa_articles(*flags: str) -> str:
        command = [sys.executable, "-m", "qa.cli", "articles", *flags]
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    listed = json.loads(qa_articles("--json"))
    chunks = Counter(m["article_id"] for _, m, _ in store.iter_records(["metadatas"]))
    assert {a["id"]: a["chunks"] for a in listed} == dict(chunks)
    assert all(set(a) == {"id", "title", "published", "source", "chunks"} for a in listed)
    wire = next(a for a in listed if a["id"] == "wire-001")
    assert (wire["source"], wire["title"]) == ("Wire", "Central bank holds rates")
    dates = [a["published"] for a in listed]
    assert dates == sorted(dates, reverse=True)  # newest first

    text = qa_articles()
    assert text.rstrip().endswith("5 articles")
    assert all(a["title"] in text and a["id"] in text for a in listed)


def test_a_failed_write_stops_the_ingest_and_keeps_what_was_stored(
    tmp_path: Path, embed_model, articles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # One article per step: the writer thread stores step k while step k+1 is embedded.
    settings = Settings(index_dir=tmp_path / "index", ingest_batch=1)
    store = PassageStore(settings)
    real_add = store.add
    writes: list[int] = []

    def add_then_fail(nodes):  # type: ignore[no-untyped-def]
        writes.append(len(nodes))
        if len(writes) == 3:
            raise OSError("No space left on device")
        real_add(nodes)

    monkeypatch.setattr(store, "add", add_then_fail)
    with pytest.raises(OSError, match="No space left"):
        ingest_paths(
            [str(articles_dir)], settings, store=store, embed_model=embed_model, progress=False
        )
    assert len(writes) == 3  # nothing written after the failed step
    stored = store.manifest()
    assert len(stored) == 2 and all(entry.complete for entry in stored.values())

    monkeypatch.setattr(store, "add", real_add)
    again = ingest_paths(
        [str(articles_dir)], settings, store=store, embed_model=embed_model, progress=False
    )
    assert (again.added, again.unchanged, again.failed) == (3, 2, [])
    lexical = LexicalIndex.load(settings.lexical_dir)
    assert lexical is not None and sorted(lexical.ids) == sorted(
        pid for pid, _, _ in store.iter_records([])
    )


def test_ctrl_c_during_an_ingest_says_what_was_stored(
    tmp_path: Path, embed_model, articles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import index.ingest
    from index.report import IngestInterrupted
    from qa.cli import interrupted_ingest

    settings = Settings(index_dir=tmp_path / "index", ingest_batch=1)
    store = PassageStore(settings)
    real_embed = index.ingest.embed_nodes
    steps: list[int] = []

    def embed_then_interrupt(nodes, model):  # type: ignore[no-untyped-def]
        steps.append(len(nodes))
        if len(steps) == 3:  # Ctrl-C while the third article is embedded
            raise KeyboardInterrupt
        real_embed(nodes, model)

    monkeypatch.setattr(index.ingest, "embed_nodes", embed_then_interrupt)
    with pytest.raises(IngestInterrupted) as stopped:
        ingest_paths(
            [str(articles_dir)], settings, store=store, embed_model=embed_model, progress=False
        )
    report = stopped.value.report
    assert report.added == len(store.manifest()) == 2  # the write in flight was finished
    said = interrupted_ingest(report)
    assert said.startswith(f": 2 articles ({report.chunks} passages) were stored and are kept")
    assert interrupted_ingest(type(report)()).startswith(": nothing was stored yet")


def test_a_second_copy_of_an_indexed_text_is_named_in_a_warning(
    tmp_path: Path, settings, embed_model
) -> None:  # type: ignore[no-untyped-def]
    news = tmp_path / "parent" / "news"
    news.mkdir(parents=True)
    (news / "bridge.txt").write_text("The harbour bridge reopened on Monday after repairs.")
    store = PassageStore(settings)
    first = ingest_paths(
        [str(news)], settings, store=store, embed_model=embed_model, progress=False
    )
    assert first.added == 1 and not first.warnings
    # the parent folder gives the same file another id ("parent/news/bridge.txt")
    again = ingest_paths(
        [str(tmp_path / "parent")], settings, store=store, embed_model=embed_model, progress=False
    )
    assert again.added == 1
    (warning,) = again.warnings
    assert warning["article"] == "parent/news/bridge.txt"
    assert "same text as the article 'news/bridge.txt'" in warning["error"]
    # re-ingesting changes nothing and warns no more
    third = ingest_paths(
        [str(tmp_path / "parent")], settings, store=store, embed_model=embed_model, progress=False
    )
    assert third.unchanged == 1 and not third.warnings


def ingest_quietly(
    paths: list[str] | list[Path], settings, embed_model, store: PassageStore, prune: bool = False
):  # type: ignore[no-untyped-def]
    """`ingest_paths` into `store`, without a progress bar."""
    return ingest_paths(
        [str(p) for p in paths],
        settings,
        store=store,
        embed_model=embed_model,
        prune=prune,
        progress=False,
    )


def test_prune_keeps_the_articles_under_a_folder_that_cannot_be_read(
    tmp_path: Path, settings, embed_model, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    news = tmp_path / "news"
    (news / "sub").mkdir(parents=True)
    (news / "sub" / "panda.txt").write_text("The zoo welcomed a giant panda named Bao on Tuesday.")
    (news / "monorail.txt").write_text("Shelbyville announced a rival monorail project.")
    store = PassageStore(settings)
    first = ingest_quietly([news], settings, embed_model, store)
    assert first.added == 2
    # as `chmod 000` does (root, running the tests, reads any folder): a permission error
    scandir, unreadable = os.scandir, {str(news / "sub")}

    def denied(path: str = ".") -> object:
        if os.fspath(path) in unreadable:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", denied)

    def prune() -> tuple[int, list[str]]:
        report = ingest_quietly([news], settings, embed_model, store, prune=True)
        return report.removed, [f["error"] for f in report.failed]

    assert prune() == (0, ["cannot read folder (Permission denied)"])
    unreadable.add(str(news))  # the folder given itself
    assert prune() == (0, ["cannot read folder (Permission denied)"])
    assert set(store.manifest()) == {"news/sub/panda.txt", "news/monorail.txt"}


def test_lies_under_takes_a_folder_as_holding_all_below_it() -> None:
    from index.sources import lies_under

    failed = {"/data/news/sub", "/data/one.txt"}
    assert lies_under("/data/news/sub/a/b.txt", failed) and lies_under("/data/one.txt", failed)
    assert not lies_under("/data/news/subway.txt", failed)
    assert not lies_under("/data/news/a.txt", failed) and not lies_under("https://x/y", failed)


def test_a_title_longer_than_a_passage_is_cut_and_costs_no_other_article(
    tmp_path: Path, settings, embed_model, capsys
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "long"
    folder.mkdir()
    menu = " | ".join(["Springfield news, weather, sports, traffic and local politics"] * 30)
    story = "The Springfield zoo welcomed a giant panda named Bao on Tuesday. " * 20
    (folder / "page.html").write_text(
        f"<html><head><title>{menu}</title></head><body><article><p>{story}</p></article>"
        "</body></html>"
    )
    near = "Panda " + "very " * 150 + "long title"  # fits, but leaves passages under 50 pieces
    (folder / "l.jsonl").write_text(json.dumps({"id": "near", "title": near, "text": story}))
    (folder / "ok.txt").write_text("Shelbyville announced a rival monorail project.")
    store = PassageStore(settings)
    report = ingest_quietly([folder], settings, embed_model, store)
    assert (report.added, report.failed) == (3, [])
    assert capsys.readouterr().out == ""  # llama-index's "close to chunk size" kept `--json` apart
    tokenizer = word_piece_tokenizer()
    titles = {m["article_id"]: m["title"] for _, m, _ in store.iter_records(["metadatas"])}
    assert titles["near"].startswith("Panda very") and titles["near"].endswith("very…")
    for title in titles.values():
        assert len(tokenizer(f"title: {title}")) <= settings.chunk_size // 3


def test_fitted_title_cuts_at_a_word_to_the_budget() -> None:
    from index.chunk import fitted_title, title_budget

    def count(text: str) -> int:
        return len(text.split())

    assert fitted_title("Bridge reopens", 5, count) == "Bridge reopens"
    assert fitted_title("one two three four five six", 4, count) == "one two three…"
    assert fitted_title("abcdefghijkl", 2, lambda text: len(text) // 4) == "abc…"
    assert (title_budget(192), title_budget(64), title_budget(10)) == (64, 14, 1)


def test_a_lone_surrogate_or_a_latin1_file_name_costs_no_other_article(
    tmp_path: Path, settings, embed_model
) -> None:  # type: ignore[no-untyped-def]
    records = tmp_path / "odd" / "s.jsonl"
    records.parent.mkdir()
    records.write_text(
        '{"id": "ok1", "text": "Shelbyville announced a rival monorail project."}\n'
        '{"id": "bad", "title": "Emoji cut \\ud83d", "text": "The zoo welcomed Bao."}\n'
    )
    folder = records.parent
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text("The cafe reopened on Monday.")
    store = PassageStore(settings)
    report = ingest_quietly([folder], settings, embed_model, store)
    assert (report.added, report.failed) == (3, [])
    assert set(store.manifest()) == {"ok1", "bad", "odd/caf\\xe9.txt"}
    json.dumps(report.as_dict()).encode()  # what `--json` prints can be printed


def test_an_article_that_cannot_be_stored_fails_alone(settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    from index.chunk import make_splitter
    from index.ingest import ingest

    items = [  # a half emoji that no loader cleaned (an article made in code)
        Article(id="cut", text="The zoo welcomed Bao. \ud83d", path="/news/cut.txt"),
        Article(id="ok", text="Shelbyville announced a rival monorail project."),
    ]
    splitter = make_splitter(settings.chunk_size, settings.chunk_overlap, word_piece_tokenizer())
    store = PassageStore(settings)
    report = ingest(items, store, embed_model, splitter, settings, progress=False)
    assert report.added == 1 and set(store.manifest()) == {"ok"}
    (failed,) = report.failed
    assert failed["path"] == "/news/cut.txt"
    assert failed["error"].startswith("could not split it into passages (")


def test_an_empty_path_ingests_and_prunes_nothing(
    tmp_path: Path, settings, embed_model, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text("Shelbyville announced a rival monorail project.")
    (tmp_path / "private-notes.txt").write_text("Notes nobody meant to index.")
    monkeypatch.chdir(tmp_path)
    store = PassageStore(settings)
    ingest_quietly(["news"], settings, embed_model, store)
    # `qa ingest "$DIR" --prune` with DIR unset: not the current folder
    report = ingest_quietly([""], settings, embed_model, store, prune=True)
    assert (report.added, report.removed, len(report.failed)) == (0, 0, 1)
    assert set(store.manifest()) == {"news/a.txt"}


def test_a_copy_under_another_name_is_named_and_a_renamed_file_is_no_copy(
    tmp_path: Path, settings, embed_model
) -> None:  # type: ignore[no-untyped-def]
    news, other = tmp_path / "news", tmp_path / "other"
    news.mkdir()
    other.mkdir()
    text = "The Springfield zoo welcomed a giant panda named Bao on Tuesday morning."
    (news / "two.txt").write_text(text)
    (other / "copy.txt").write_text(text)  # a title of its own, from the file's name
    store = PassageStore(settings)

    def run(*paths: Path, prune: bool = False) -> list[str]:
        report = ingest_quietly(list(paths), settings, embed_model, store, prune=prune)
        return [w["error"] for w in report.warnings]

    assert run(news, other) == [
        "same text as the article 'news/two.txt'; indexed again under this id: "
        "delete one of them if it is a copy"
    ]
    (other / "copy.txt").rename(other / "panda.txt")  # renamed: the old id goes in this run
    assert run(other, prune=True) == []
    assert set(store.manifest()) == {"news/two.txt", "other/panda.txt"}
    # records without ids shift down a line: each id takes the text of the one above
    feed = tmp_path / "feed"
    feed.mkdir()
    records = [
        json.dumps({"text": f"Report {n}: the harbour crane lifted {n} boxes."}) for n in (1, 2)
    ]
    (feed / "f.jsonl").write_text("\n".join(records))
    assert run(feed) == []
    new = json.dumps({"text": "The council approved the library budget on Wednesday night."})
    (feed / "f.jsonl").write_text("\n".join([new, *records]))
    assert run(feed, prune=True) == []


def test_a_feed_entry_with_an_unreadable_date_is_a_warning(
    tmp_path: Path, settings, embed_model
) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "valley.rss"  # saved to a file: nothing is fetched
    feed.write_text(
        "<rss><channel><title>Valley News</title>"
        "<item><title>Bridge</title><link>https://valley.example/bridge</link>"
        "<description>The old stone bridge reopened after a year of repairs.</description>"
        "<pubDate>garbage</pubDate></item>"
        "<item><title>Ferry</title><link>https://valley.example/ferry</link>"
        "<description>The night ferry resumed service on Monday.</description>"
        "<pubDate>Fri, 05 Mar 2021 09:00:00 GMT</pubDate></item></channel></rss>"
    )
    store = PassageStore(settings)
    report = ingest_quietly([feed], settings, embed_model, store)
    assert report.added == 2 and not report.failed
    (warning,) = report.warnings
    assert warning["article"] == "https://valley.example/bridge"
    assert "'garbage' is not a date" in warning["error"]
    published = {e.title: e.published for e in store.manifest().values()}
    assert published == {"Bridge": "", "Ferry": "2021-03-05"}


def test_a_store_lost_during_an_ingest_says_what_was_stored(
    tmp_path: Path, embed_model, articles_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    from qa.cli import main
    from qa.errors import IndexUnreachableError

    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("QA_INGEST_BATCH", "1")
    monkeypatch.setattr("index.embed.build_embed_model", lambda *_a, **_k: embed_model)
    real_add = PassageStore.add
    writes: list[int] = []

    def add_then_fail(self, nodes):  # type: ignore[no-untyped-def]
        writes.append(len(nodes))
        if len(writes) == 3:  # the Chroma server stops while the third article is stored
            raise IndexUnreachableError("The Chroma server is unreachable: start it.")
        real_add(self, nodes)

    monkeypatch.setattr(PassageStore, "add", add_then_fail)
    assert main(["ingest", str(articles_dir)]) == 1
    said = capsys.readouterr().err.strip().splitlines()[-1]
    assert said.startswith("error: The Chroma server is unreachable: start it. (ingest stopped: 2 ")
    assert said.endswith(
        "run the same command again to finish (they are skipped, not embedded again))"
    )
