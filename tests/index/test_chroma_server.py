"""QA_CHROMA_URL: ingest and ask through a real `chroma run` server; collections kept apart."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from index.ingest import ingest_paths
from index.lexical import LexicalIndex
from index.store import PassageStore
from qa.engine import Engine
from qa.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SEED_ID = "seeds/2020-11-17-rockets-fired-at-us-embassy-baghdad.txt"
CHROMA = Path(sys.executable).parent / "chroma"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory, free_port) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A real Chroma server on 127.0.0.1, persisting to a temp dir."""
    if not CHROMA.exists() and not shutil.which("chroma"):
        pytest.skip("the chroma CLI (from the chromadb package) is not installed")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    command = [str(CHROMA if CHROMA.exists() else "chroma"), "run", "--path", str(data)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    log = (data / "server.log").open("wb")
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, (data / "server.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "chroma server did not answer its heartbeat"
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()


def test_ingest_and_ask_through_the_server(chroma_url: str, tmp_path: Path, embed_model) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(chroma_url=chroma_url, index_dir=tmp_path / "here", collection="seed")
    store = PassageStore(settings)
    assert "fastapi" in store.client.get_settings().chroma_api_impl  # HTTP, not embedded
    assert not settings.chroma_dir.exists()
    report = ingest_paths(
        [str(ROOT / "seeds")], settings, store=store, embed_model=embed_model, progress=False
    )
    assert report.added == 1 and report.chunks == store.count() > 1

    answer = Engine(settings, embed_model=embed_model).ask("Where were the rockets fired from?")
    assert answer.answered and "al-Amin al-Thaniyah" in answer.text
    assert answer.citations[0].article_id == SEED_ID
    assert not settings.chroma_dir.exists()  # nothing stored locally but the BM25 index

    # A second app instance (another machine: its own index dir) sees the same corpus at once
    # and builds its BM25 index from the server, tagged with the server's revision.
    other = Settings(chroma_url=chroma_url, index_dir=tmp_path / "elsewhere", collection="seed")
    second = Engine(other, embed_model=embed_model).ask("Where were the rockets fired from?")
    assert second.answered and second.citations[0].article_id == answer.citations[0].article_id
    lexical = LexicalIndex.load(other.lexical_dir)
    assert lexical is not None and len(lexical.ids) == store.count()

    again = ingest_paths(
        [str(ROOT / "seeds")], settings, store=store, embed_model=embed_model, progress=False
    )
    assert (again.added, again.unchanged, again.chunks) == (0, 1, 0)


def test_collections_on_one_server_are_isolated(
    chroma_url: str, tmp_path: Path, embed_model, articles_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    a = Settings(chroma_url=chroma_url, index_dir=tmp_path / "i", collection="corpus-a")
    b = Settings(chroma_url=chroma_url, index_dir=tmp_path / "i", collection="corpus-b")
    ingest_paths([str(ROOT / "seeds")], a, embed_model=embed_model, progress=False)
    ingest_paths([str(articles_dir)], b, embed_model=embed_model, progress=False)

    assert set(PassageStore(a).manifest()) == {SEED_ID}
    assert len(PassageStore(b).manifest()) == 5 and SEED_ID not in PassageStore(b).manifest()
    assert a.lexical_dir != b.lexical_dir

    in_b = Engine(b, embed_model=embed_model).ask("Where were the rockets fired from?")
    assert all(c.article_id != SEED_ID for c in in_b.citations)
    in_a = Engine(a, embed_model=embed_model).ask("What did the central bank do with rates?")
    assert all(c.article_id == SEED_ID for c in in_a.citations)

    # Pruning corpus b leaves corpus a alone.
    for f in articles_dir.iterdir():
        f.unlink()
    (articles_dir / "note.txt").write_text("A short note about the weather in the hills.")
    pruned = ingest_paths(
        [str(articles_dir)], b, embed_model=embed_model, prune=True, progress=False
    )
    assert pruned.removed == 5
    assert set(PassageStore(a).manifest()) == {SEED_ID}


def test_a_chroma_server_that_does_not_answer_is_named_in_one_error(free_port) -> None:  # type: ignore[no-untyped-def]
    from index.store import open_client
    from qa.errors import IndexUnreachableError

    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(IndexUnreachableError, match=f"Chroma server at {url} .* is unreachable"):
        open_client(Settings(chroma_url=url))
