"""The loaded parts of an index: Chroma, the embedder, the BM25 index at Chroma's revision."""

from __future__ import annotations

import threading
import time

from llama_index.core.base.embeddings.base import BaseEmbedding

from index.embed import build_embed_model, embedder_id
from index.lexical import LexicalIndex, stem_words
from index.revision import current_revision, rebuild_lexical
from index.store import WRITING, PassageStore
from qa.language import vocabularies
from qa.places import gazetteer
from qa.rerank import TermWeights
from qa.settings import Settings
from qa.spelling import Speller, corrected, english_words
from qa.vectors import SentenceVectors

REVISION_CHECK_S = 2.0


class LoadedIndex:
    """Chroma and the embedder, with the BM25 index, term weights, speller and sources that match them.

    `term_weights` and `sources` are those of the BM25 index `lexical()` last loaded.
    """

    def __init__(
        self,
        settings: Settings,
        store: PassageStore | None = None,
        embed_model: BaseEmbedding | None = None,
    ) -> None:
        self.settings = settings
        self.store = store or PassageStore(self.settings)
        self._embed_model = embed_model
        self._embed_lock = threading.Lock()
        self._sentence_vectors: SentenceVectors | None = None
        self._lexical: LexicalIndex | None = None
        self.term_weights: TermWeights | None = None
        self._speller: tuple[TermWeights, Speller] | None = None
        self.sources: frozenset[str] = frozenset()
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._embedder_checked = False

    @property
    def embed_model(self) -> BaseEmbedding:
        """The embedder, loaded on first use (it takes seconds: the UI can be served before)."""
        with self._embed_lock:
            if self._embed_model is None:
                self._embed_model = build_embed_model(self.settings)
            return self._embed_model

    @property
    def sentence_vectors(self) -> SentenceVectors:
        """Sentence embedding with a cache: re-ranking and answering embed the same sentences."""
        if self._sentence_vectors is None:
            self._sentence_vectors = SentenceVectors(self.embed_model.get_text_embedding_batch)
        return self._sentence_vectors

    def warm_up(self) -> None:
        """Load the embedder, place names, lexical index and article list now, not on first use."""
        self.embed_model.get_query_embedding("warm up")
        gazetteer()  # 0.3-0.4 s to read GeoNames' cities
        if self.store.count():
            self.lexical()
            if self.speller():  # the other languages' word lists, meanwhile (2 s, once)
                threading.Thread(target=vocabularies, name="word-lists", daemon=True).start()
            self.store.manifest()  # kept until the index changes: the page's first load is quick

    def lexical(self, recheck: bool = False) -> LexicalIndex:
        """The BM25 index matching Chroma's current revision (reloaded or rebuilt when stale).

        The revision is read at most every REVISION_CHECK_S unless `recheck` asks for it now.
        """
        now = time.monotonic()
        with self._lock:
            fresh = now - self._checked_at < REVISION_CHECK_S and not recheck
            if self._lexical is not None and fresh:
                return self._lexical
            self._checked_at = now
            revision = current_revision(self.store)
            # while another process writes (or after it died writing), the revision stays:
            # the passages counted say when what was built is behind
            behind = (
                self._lexical is not None
                and revision.startswith(WRITING)
                and self.store.count() != len(self._lexical.ids)
            )
            if self._lexical is None or self._lexical.revision != revision or behind:
                if self._lexical is not None and revision != self.store.written_revision:
                    self.store.reopen()  # another process wrote: load its vectors too
                saved = LexicalIndex.load(self.settings.lexical_dir)
                if saved is None or saved.revision != revision or revision.startswith(WRITING):
                    saved = rebuild_lexical(self.store, self.settings, revision)
                self._lexical = saved
                self.term_weights = TermWeights.from_lexical(saved)
                self.sources = frozenset(s for s in saved.sources if s)
            return self._lexical

    def speller(self) -> Speller | None:
        """The spelling corrector for the index's current vocabulary (None when turned off)."""
        if not self.settings.spelling:
            return None
        self.lexical()
        with self._lock:
            weights = self.term_weights
            if weights is None or not weights.vocab:
                return None
            if self._speller is None or self._speller[0] is not weights:
                self._speller = (
                    weights,
                    Speller.build(
                        weights.passages(),
                        stem_words,
                        english_words(),
                        weights.n_docs,
                        self._lexical.surface if self._lexical is not None else {},
                    ),
                )
            return self._speller[1]

    def spelled(self, question: str) -> str:
        """The question with its misspelled words corrected (`qa.spelling`), else as it is."""
        speller = self.speller() if self.has_passages() else None
        fixes = speller.fixes(question) if speller else []
        return corrected(question, fixes) if fixes else question

    def has_passages(self) -> bool:
        """Whether the index holds passages (the loaded BM25 index says so without asking Chroma)."""
        lexical = self._lexical
        if lexical is not None and len(lexical.ids):
            return True
        return self.store.count() > 0

    def check_embedder(self) -> None:
        """Once: the index must have been built by this embedder (a ConfigError says it was not)."""
        if not self._embedder_checked:
            dimension = len(self.embed_model.get_query_embedding("dimension"))
            self.store.check_embedder(embedder_id(self.embed_model, dimension), record=False)
            self._embedder_checked = True
