"""A running engine answers from articles that another process (`qa ingest`) added to its index."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa.api import ask

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
    monkeypatch.setattr("qa.api.REVISION_CHECK_S", 0.0)  # read the revision at every question
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
    hits, _ = seed_engine._search("an icy pool of nitrogen on a dwarf planet")
    new = [h for h in hits if h.node.metadata.get("title", "").startswith("Probe finds")]
    assert new and new[0].node.metadata.get("dense_cosine") is not None
    # ... and what it had is still there
    assert ask("Where were the rockets fired from?", engine=seed_engine).answered
