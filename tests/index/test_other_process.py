"""A running engine answers from articles that another process (`qa ingest`) added to its index."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa.api import ask
from qa.search import search

PLUTO = """---
title: Probe finds a frozen nitrogen lake on Pluto
published: 2024-05-02
---
The New Horizons team said on Thursday that the probe found a frozen lake of nitrogen near the
Sputnik Planitia basin on Pluto, measuring about 30 kilometres across.
"""


@pytest.mark.slow
def test_articles_ingested_by_another_process_are_searched_by_meaning(
    seed_engine, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(
        "qa.loaded_index.REVISION_CHECK_S", 0.0
    )  # read the revision at every question
    assert ask("Where were the rockets fired from?", engine=seed_engine).answered
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "pluto.md").write_text(PLUTO)
    env = {**os.environ, "QA_INDEX_DIR": str(seed_engine.settings.index_dir), "HF_HUB_OFFLINE": "1"}
    qa = str(Path(sys.executable).with_name("qa"))
    done = subprocess.run(
        [qa, "ingest", str(folder)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    answer = ask("How wide is the frozen lake on Pluto?", engine=seed_engine)
    assert answer.answered and "30 kilometres" in answer.text
    # found by its vector too, not by BM25 alone: the engine reloaded Chroma's vector index
    hits, _ = search(seed_engine.index, "an icy pool of nitrogen on a dwarf planet")
    new = [h for h in hits if h.node.metadata.get("title", "").startswith("Probe finds")]
    assert new and new[0].node.metadata.get("dense_cosine") is not None
    # ... and what it had is still there
    assert ask("Where were the rockets fired from?", engine=seed_engine).answered


HOLD = """
import sys, time
from pathlib import Path
from index.lock import write_lock
from qa.settings import Settings
with write_lock(Settings(index_dir=Path(sys.argv[1]))):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@pytest.mark.slow  # other processes hold the lock
def test_one_process_writes_at_a_time(seed_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from index.ingest import delete, ingest_paths
    from qa.errors import IndexBusyError

    settings, store = seed_engine.settings, seed_engine.store
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "pluto.md").write_text(PLUTO)

    def hold(seconds: float) -> subprocess.Popen[str]:
        root = Path(__file__).resolve().parents[2]
        other = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(settings.index_dir), str(seconds)],
            cwd=root,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert other.stdout is not None and other.stdout.readline().strip() == "held"
        return other

    # another process writing: an upload that cannot wait long is refused, and nothing changes
    other = hold(30)
    try:
        with pytest.raises(IndexBusyError, match="Another process is writing to the index"):
            ingest_paths([str(folder)], settings, store=store, progress=False, lock_timeout=0.5)
        with pytest.raises(IndexBusyError):
            delete(store, settings, ["seeds/x"], lock_timeout=0.2)
        assert len(store.manifest()) == 1
    finally:
        other.kill()
        other.communicate()  # waits, and closes its pipe
    # ... and `qa ingest`, which waits, says so and goes on once the other is done
    other = hold(4)  # long enough that the ingest surely starts while it is held
    said: list[str] = []
    report = ingest_paths(
        [str(folder)],
        settings,
        store=store,
        embed_model=seed_engine.embed_model,
        progress=False,
        waiting=lambda: said.append("waiting"),
    )
    other.communicate()
    assert said == ["waiting"] and report.added == 1 and len(store.manifest()) == 2
    # ... as does `qa delete`
    other = hold(4)
    said.clear()
    assert "new/pluto.md" in store.manifest()
    delete(store, settings, ["new/pluto.md"], waiting=lambda: said.append("waiting"))
    other.communicate()
    assert said == ["waiting"] and len(store.manifest()) == 1
