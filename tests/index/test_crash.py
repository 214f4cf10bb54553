"""kill -9 during `qa ingest`, then again: Chroma and BM25 end consistent, nothing half-done."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from index.ingest import ingest_paths
from index.lexical import LexicalIndex
from index.revision import bump_revision, current_revision
from index.store import WRITING, PassageStore
from qa.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
WORDS = ["port", "grain", "ferry", "tariff", "cocoa", "bank", "storm", "mayor", "court", "strike"]
WORDS += ["rose", "fell", "early", "late", "new", "old", "city", "river", "rates", "harvest"]
# Short passages keep embedding cheap; many small steps give the kills something to interrupt.
SMALL = {"QA_CHUNK_SIZE": "64", "QA_CHUNK_OVERLAP": "8", "QA_INGEST_BATCH": "24"}


def synthetic_articles(path: Path, count: int, seed: int = 7) -> int:
    """Write `count` short articles (one to three small passages) as .jsonl; return `count`."""
    rng = random.Random(seed)
    with path.open("w") as f:
        for i in range(count):
            sentences = [
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))).capitalize() + "."
                for _ in range(rng.randint(2, 9))
            ]
            record = {"id": f"syn-{i:04d}", "title": f"Report {i}", "text": " ".join(sentences)}
            f.write(json.dumps(record) + "\n")
    return count


def start_ingest(source: Path, index_dir: Path, *flags: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QA_INDEX_DIR": str(index_dir), **SMALL}
    command = [sys.executable, "-m", "qa.cli", "ingest", str(source), *flags]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def kill_after_first_write(
    proc: subprocess.Popen[bytes], delay: float, timeout: float = 240
) -> bool:
    """SIGKILL `proc` `delay` s after its progress bar shows stored passages; False if it ended."""
    seen = threading.Event()

    def watch() -> None:
        buffer = b""
        assert proc.stderr is not None
        while chunk := proc.stderr.read1(4096):  # type: ignore[attr-defined]
            buffer = (buffer + chunk)[-4096:]
            if b"passages=" in buffer:
                seen.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    deadline = time.monotonic() + timeout
    while not seen.is_set() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if proc.poll() is None:
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
    killed = proc.wait(30) == -signal.SIGKILL
    watcher.join(10)  # its read ends with the process
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
    return killed


def assert_consistent(settings: Settings, expected_articles: int) -> None:
    """Every article complete, each chunk once, and BM25 rows == Chroma ids."""
    store = PassageStore(settings)
    chroma_ids = [pid for pid, _, _ in store.iter_records([])]
    assert len(chroma_ids) == len(set(chroma_ids)) == store.count()
    manifest = store.manifest()
    assert len(manifest) == expected_articles
    assert all(entry.complete for entry in manifest.values())
    per_article = Counter(pid.rsplit("::", 1)[0] for pid in chroma_ids)
    for aid, entry in manifest.items():
        assert per_article[aid] == entry.expected_chunks
        assert {f"{aid}::{n}" for n in range(entry.expected_chunks)} <= set(chroma_ids)
    lexical = LexicalIndex.load(settings.lexical_dir)
    assert lexical is not None and lexical.revision == current_revision(store)
    assert not lexical.revision.startswith(WRITING)
    assert sorted(lexical.ids) == sorted(chroma_ids)


@pytest.mark.slow
def test_kill_9_during_ingest_then_rerun_leaves_a_consistent_index(tmp_path: Path) -> None:
    source = tmp_path / "wire.jsonl"
    total = synthetic_articles(source, 120)
    index_dir = tmp_path / "index"
    killed = kill_after_first_write(start_ingest(source, index_dir), delay=0.3)
    assert killed, "ingest finished before it could be killed: make the corpus larger"

    settings = Settings(index_dir=index_dir)
    store = PassageStore(settings)
    before = store.manifest()
    assert 0 < len(before) < total  # the kills left a partial index
    done_before = {aid for aid, e in before.items() if e.complete}
    del store

    final = start_ingest(source, index_dir, "--json")
    out, err = final.communicate(timeout=300)
    assert final.returncode == 0, err.decode()[-2000:]
    assert_consistent(settings, total)
    # Only what was complete before counts as unchanged; everything half-written was redone.
    report = json.loads(out)
    assert report["unchanged"] == len(done_before) > 0
    assert report["added"] + report["updated"] == total - len(done_before)
    assert report["updated"] == len(before) - len(done_before)


def test_half_written_article_is_redone_not_reported_unchanged(tmp_path: Path, embed_model) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "wire.jsonl"
    synthetic_articles(source, 12, seed=3)
    settings = Settings(index_dir=tmp_path / "index", chunk_size=64, chunk_overlap=8)
    store = PassageStore(settings)
    first = ingest_paths(
        [str(source)], settings, store=store, embed_model=embed_model, progress=False
    )
    assert first.added == 12
    # What a crash inside Chroma's write leaves: some chunks of an article missing.
    victim = max(store.manifest().values(), key=lambda e: e.expected_chunks)
    assert victim.expected_chunks >= 2
    store.collection.delete(ids=[f"{victim.id}::{victim.expected_chunks - 1}"])
    assert not store.manifest()[victim.id].complete

    again = ingest_paths(
        [str(source)], settings, store=store, embed_model=embed_model, progress=False
    )
    assert (again.added, again.updated, again.unchanged) == (0, 1, 11)
    assert_consistent(settings, 12)


def ingested(
    tmp_path: Path, embed_model, count: int, seed: int
) -> tuple[Path, Settings, PassageStore]:  # type: ignore[no-untyped-def]
    """`count` synthetic articles ingested into a new index under tmp_path."""
    source = tmp_path / "wire.jsonl"
    synthetic_articles(source, count, seed=seed)
    settings = Settings(index_dir=tmp_path / "index")
    store = PassageStore(settings)
    ingest_paths([str(source)], settings, store=store, embed_model=embed_model, progress=False)
    return source, settings, store


def test_crash_before_the_bm25_rebuild_is_caught_by_the_next_ingest(
    tmp_path: Path, embed_model
) -> None:  # type: ignore[no-untyped-def]
    source, settings, store = ingested(tmp_path, embed_model, 6, 5)
    # An ingest marked the collection as being written; a query rebuilt BM25 before the last
    # article was stored (tagging it with that revision); the ingest died before its own rebuild.
    writing = bump_revision(store, WRITING)
    rows = [
        (pid, doc or "", 0, "")
        for pid, _, doc in store.iter_records(["documents"])
        if not pid.startswith("syn-0005::")
    ]
    LexicalIndex.build(rows, writing).save(settings.lexical_dir)

    again = ingest_paths(
        [str(source)], settings, store=store, embed_model=embed_model, progress=False
    )
    assert (again.added, again.updated, again.unchanged) == (0, 0, 6)
    assert_consistent(settings, 6)


def test_bm25_built_while_a_write_is_under_way_is_never_saved_and_follows_the_count(
    tmp_path: Path, embed_model
) -> None:  # type: ignore[no-untyped-def]
    from qa.loaded_index import LoadedIndex

    source, settings, store = ingested(tmp_path, embed_model, 6, 3)
    done = LexicalIndex.load(settings.lexical_dir)
    # another process starts writing, and a reader (a running server) asks meanwhile
    writing = bump_revision(PassageStore(settings), WRITING)
    reader = LoadedIndex(settings, embed_model=embed_model)
    assert reader.lexical().revision == writing and len(reader.lexical().ids) == store.count()
    saved = LexicalIndex.load(settings.lexical_dir)
    assert saved is not None and done is not None and saved.revision == done.revision  # not kept
    # ... the writer stores more (here: drops an article), then dies: the revision stays, yet
    # the reader's BM25 follows Chroma's passages, not the part it first saw
    store.delete_articles(["syn-0000"])
    assert sorted(reader.lexical(recheck=True).ids) == sorted(
        p for p, _, _ in store.iter_records([])
    )
    # an index saved by an older version under a WRITING revision is not trusted either
    LexicalIndex.build([("stale::0", "old text", 0, "")], writing).save(settings.lexical_dir)
    assert "stale::0" not in LoadedIndex(settings, embed_model=embed_model).lexical().ids


def test_a_bm25_file_cut_to_nothing_is_rebuilt_not_an_error(tmp_path: Path, embed_model) -> None:  # type: ignore[no-untyped-def]
    from qa.loaded_index import LoadedIndex

    source, settings, store = ingested(tmp_path, embed_model, 4, 2)
    version = settings.lexical_dir / (settings.lexical_dir / "CURRENT").read_text().strip()
    (version / "days.npy").write_bytes(b"")  # what a power loss leaves of an unsynced file
    assert LexicalIndex.load(settings.lexical_dir) is None
    assert len(LoadedIndex(settings, embed_model=embed_model).lexical().ids) == store.count()
    ingest_paths([str(source)], settings, store=store, embed_model=embed_model, progress=False)
    assert_consistent(settings, 4)  # the next ingest, with nothing new, saves it again


def test_a_damaged_chroma_database_is_said_with_what_to_do(tmp_path: Path, embed_model) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from qa.errors import ConfigError

    ingested(tmp_path, embed_model, 2, 4)
    shutil.copytree(tmp_path / "index", tmp_path / "copy")  # a path this process never opened
    database = tmp_path / "copy" / "chroma" / "chroma.sqlite3"
    data = bytearray(database.read_bytes())
    data[100:4096] = b"\xff" * 3996  # the schema page overwritten, as a disk error would
    database.write_bytes(bytes(data))
    with pytest.raises(ConfigError, match=r"is damaged .* run `qa ingest` on your articles again"):
        PassageStore(Settings(index_dir=tmp_path / "copy"))
