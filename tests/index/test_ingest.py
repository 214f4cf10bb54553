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
