"""The public entry point: `ask()` over the index, and the Engine that holds the loaded parts."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore, QueryBundle
from llama_index.core.vector_stores.utils import metadata_dict_to_node

from index.chunk import published_day
from index.embed import build_embed_model, embedder_id
from index.lexical import LexicalIndex, stem_words, tokenize
from index.revision import current_revision, rebuild_lexical
from index.store import PassageStore
from qa.answer import extractive_answer, refusal, said_list, shortened, unmentioned
from qa.answer_text import quoted_texts
from qa.answer_types import is_date_word
from qa.citations import Answer, Passage
from qa.digest import digest_answer, more_answer, overview_answer
from qa.errors import ConfigError, NoIndexError
from qa.followup import (
    asked_predicate,
    carried_names,
    naming_articles,
    pointed_source,
    refers_back,
    resolve_pointer,
    standalone_question,
    topical_words,
    wants_more,
)
from qa.http_models import MAX_QUESTION
from qa.intents import (
    asks_for_gist_of,
    asks_for_latest,
    asks_for_overview,
    names_the_news,
    subject_words,
)
from qa.mentions import mentioned_sources
from qa.names import names
from qa.places import gazetteer
from qa.question import question_and_context, without_markup
from qa.recency import stale_reason, to_date, to_day
from qa.rerank import TermWeights, sentence_coverage
from qa.retrieve import Filters, HybridRetriever, published_day_of, to_passage
from qa.settings import MAX_TOP_K, Settings
from qa.small_talk import small_talk
from qa.spelling import Speller, corrected, english_words
from qa.vectors import SentenceVectors, cosine
from qa.words import stems

History = Sequence[tuple[str, str]]
REVISION_CHECK_S = 2.0
STALE_DEPTH = 3  # the passages whose articles' dates tell whether the articles are recent


def check_question(question: object) -> None:
    """A ConfigError for a question that is no text or is too long to be one question."""
    if not isinstance(question, str):
        raise ConfigError(f"The question must be text, not {type(question).__name__}.")
    if len(question) > MAX_QUESTION:
        raise ConfigError(
            f"Questions are limited to {MAX_QUESTION:,} characters; this one has "
            f"{len(question):,}: ask about one thing at a time."
        )


def day_number(value: str | date | None) -> int:
    """A date (ISO string or date) as YYYYMMDD, 0 for None."""
    if value is None or value == "":
        return 0
    try:
        d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):  # the shape is right, the day is not
            raise ConfigError(f"{value!r} is no date ({exc}): give a real day.") from None
        raise ConfigError(f"Dates must look like 2020-11-17 (YYYY-MM-DD), not {value!r}.") from None
    return to_day(d)


def search_filters(
    since: str | date | None,
    until: str | date | None,
    sources: Sequence[str] | None,
    as_of: str | date | None = None,
) -> Filters:
    """The filters of a question, asked on `as_of` (None = today), as YYYYMMDD day numbers."""
    first, last = day_number(since), day_number(until)
    if first and last and first > last:
        raise ConfigError(
            f"The date range is backwards: since {to_date(first)} is after until {to_date(last)}."
        )
    named = [sources] if isinstance(sources, str) else list(sources or ())
    return Filters(first, last, frozenset(s.strip() for s in named if s.strip()), day_number(as_of))


def canonical_sources(
    sources: str | Sequence[str] | None, known: frozenset[str]
) -> list[str] | None:
    """The sources asked for, spelt as the index spells them ("the verge" -> "The Verge")."""
    if not sources:
        return None
    by_folded = {k.casefold(): k for k in known}
    named = [sources] if isinstance(sources, str) else sources
    return [by_folded.get(s.strip().casefold(), s.strip()) for s in named]


def filters_said(filters: Filters) -> str:
    """The date and source filters as people read them ("within the filters (source: CNN)")."""
    parts = []
    if filters.sources:
        label = "source" if len(filters.sources) == 1 else "sources"
        parts.append(f"{label}: {', '.join(sorted(filters.sources))}")
    if filters.since:
        parts.append(f"since {to_date(filters.since)}")
    if filters.until:
        parts.append(f"until {to_date(filters.until)}")
    if filters.as_of:  # articles published after that day are left out
        parts.append(f"asked as of {to_date(filters.as_of)}")
    return f"within the filters ({'; '.join(parts)})" if parts else ""


def unknown_sources(unknown: Sequence[str], known_sources: frozenset[str]) -> str:
    """That no article comes from the sources asked for, and which sources there are."""
    shown = sorted(known_sources)
    more = f" and {len(shown) - 10} more" if len(shown) > 10 else ""
    return (
        f"No article is from {said_list(unknown)}. The sources are {', '.join(shown[:10])}{more}."
    )


def filtered_out(filters: Filters, known_sources: frozenset[str]) -> str:
    """Why a search under `filters` found no passage ('' when nothing was filtered out)."""
    unknown = sorted(filters.sources - known_sources)
    if known_sources and unknown and len(unknown) == len(filters.sources):
        return unknown_sources(unknown, known_sources)
    if filters.as_of and not (filters.since or filters.until or filters.sources):
        return (
            f"No article had been published by {to_date(filters.as_of)}, the day the question "
            "is asked as of: choose a later day, or none for today."
        )
    if filters.since or filters.until or filters.sources:
        return "No article matches the date and source filters: widen or clear them."
    return ""


class Engine:
    """Loaded index parts (Chroma, BM25, embedder, LLM) and the answering chain over them."""

    def __init__(
        self,
        settings: Settings | None = None,
        store: PassageStore | None = None,
        embed_model: BaseEmbedding | None = None,
        llm: Any = None,
    ) -> None:
        self.settings = settings or Settings()
        self.store = store or PassageStore(self.settings)
        self._embed_model = embed_model
        self._embed_lock = threading.Lock()
        self._sentence_vectors: SentenceVectors | None = None
        self.llm = llm
        if self.llm is None and self.settings.llm == "openai":
            from qa.llm import OpenAIAnswerer

            self.llm = OpenAIAnswerer.from_settings(self.settings, embed_model=self.embed_model)
        self._lexical: LexicalIndex | None = None
        self._term_weights: TermWeights | None = None
        self._speller: tuple[TermWeights, Speller] | None = None
        self._sources: frozenset[str] = frozenset()
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
            self.speller()
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
            if self._lexical is None or self._lexical.revision != revision:
                if self._lexical is not None and revision != self.store.written_revision:
                    self.store.reopen()  # another process wrote: load its vectors too
                saved = LexicalIndex.load(self.settings.lexical_dir)
                if saved is None or saved.revision != revision:
                    saved = rebuild_lexical(self.store, self.settings, revision)
                self._lexical = saved
                self._term_weights = TermWeights.from_lexical(saved)
                self._sources = frozenset(s for s in saved.sources if s)
            return self._lexical

    def speller(self) -> Speller | None:
        """The spelling corrector for the index's current vocabulary (None when turned off)."""
        if not self.settings.spelling:
            return None
        self.lexical()
        with self._lock:
            weights = self._term_weights
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

    def retrieve(
        self, question: str, top_k: int | None = None, filters: Filters | None = None
    ) -> tuple[list[Passage], list[float]]:
        """The top passages for a question and the question's embedding."""
        hits, embedding = self._search(question, top_k, filters)
        return [to_passage(h) for h in hits], embedding

    def _search(
        self, question: str, top_k: int | None = None, filters: Filters | None = None
    ) -> tuple[list[NodeWithScore], list[float]]:
        """The top hits (nodes with fused scores and re-rank coverage) and the question's embedding."""
        if not self.has_passages():
            raise NoIndexError(self.settings.chroma_url or str(self.settings.index_dir.resolve()))
        if not self._embedder_checked:  # once: the index must have been built by this embedder
            dimension = len(self.embed_model.get_query_embedding("dimension"))
            self.store.check_embedder(embedder_id(self.embed_model, dimension), record=False)
            self._embedder_checked = True
        retriever = HybridRetriever(
            self.store,
            self.lexical(),
            self.embed_model,
            top_k=top_k or self.settings.top_k,
            filters=filters,
            term_weights=self._term_weights,
            rerank_alpha=self.settings.rerank_weight,
            known_sources=self._sources,
            source_weight=self.settings.source_weight,
            sentence_weight=self.settings.sentence_weight,
            sentence_vectors=self.sentence_vectors,
            sentence_depth=self.settings.sentence_depth,
            repeat_penalty=self.settings.repeat_penalty,
            fusion=self.settings.fusion,
            recency_weight=self.settings.recency_weight,
            recency_half_life=self.settings.recency_half_life,
        )
        hits = retriever.retrieve(QueryBundle(question))
        return hits, retriever.last_query_embedding or []

    def ask(
        self,
        question: str,
        history: History | None = None,
        top_k: int | None = None,
        since: str | date | None = None,
        until: str | date | None = None,
        sources: Sequence[str] | None = None,
        as_of: str | date | None = None,
    ) -> Answer:
        """Answer a question from the articles, with citations; refuse when they don't hold it."""
        final: Answer | None = None
        for item in self.stream(question, history, top_k, since, until, sources, as_of):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def stream(
        self,
        question: str,
        history: History | None = None,
        top_k: int | None = None,
        since: str | date | None = None,
        until: str | date | None = None,
        sources: Sequence[str] | None = None,
        as_of: str | date | None = None,
    ) -> Iterator[str | Answer]:
        """Yield answer text as it is produced, then the final Answer (asked on `as_of`, default today)."""
        check_question(question)
        if top_k is not None and not (isinstance(top_k, int) and 0 < top_k <= MAX_TOP_K):
            raise ConfigError(f"top_k must be a whole number from 1 to {MAX_TOP_K}, not {top_k!r}.")
        if history is not None and not all(
            isinstance(turn, list | tuple)
            and len(turn) == 2
            and all(isinstance(t, str) for t in turn)
            for turn in history
        ):
            raise ConfigError(
                "history must be a list of (question, answer) pairs of text, oldest first."
            )
        question = without_markup(question.strip())
        if not question:
            yield refusal("", notice="Ask a question about the articles.")
            return
        chat = small_talk(question)
        if chat:  # "hello", "thanks", "what can you do?": nothing to search for
            yield Answer(text=chat, answered=False, question=question)
            return
        # a long message: its question sentences are searched; what comes before is context
        # for the words they point back at ("Where were they fired from?")
        asked, context = question_and_context(question)
        if context and refers_back(asked):
            history = [*(history or []), (context, "")]
        if history:  # a follow-up carries the words of the questions before: spelled too
            history = [(self.spelled(q), a) for q, a in history]
        spelled = self.spelled(asked)
        if spelled == question:
            yield from self._stream(question, history, top_k, since, until, sources, as_of)
            return
        question = spelled
        searched = f"Searched for “{question}”."
        for item in self._stream(question, history, top_k, since, until, sources, as_of):
            if isinstance(item, Answer):
                item = replace(item, notice=" ".join(filter(None, [searched, item.notice])))
            yield item

    def _stream(
        self,
        question: str,
        history: History | None,
        top_k: int | None,
        since: str | date | None,
        until: str | date | None,
        sources: Sequence[str] | None,
        as_of: str | date | None,
    ) -> Iterator[str | Answer]:
        """`stream` for a question already checked and spelled."""
        # "¿Desde dónde...?": "Desde" is no name the articles lack
        absent = [] if self._language(question) else self._unmentioned(question)
        if absent:
            yield refusal(question, reason=self._absent_reason(absent))
            return
        quote, listed = resolve_pointer(question, history)
        pointed = pointed_source(question) if history else None
        if pointed is not None and pointed > listed > 0:  # "the fifth one" of three
            yield refusal(
                question,
                reason="The answer before cites one source: ask about [1]."
                if listed == 1
                else f"The answer before cites {listed} sources: ask about one of [1] to [{listed}].",
            )
            return
        standalone = standalone_question(question, history)
        if standalone != question and hasattr(self.llm, "rewrite_question"):
            standalone = self.llm.rewrite_question(question, history or []) or standalone
        # "What happened?" asked first, of many articles, names none: it asks for the news
        gist = not history and asks_for_overview(question) and len(self.store.manifest()) > 1
        news = gist or names_the_news(standalone)
        if (sources or news) and self.has_passages():
            self.lexical()  # the index's sources, to match the names asked for whatever their case
        filters = search_filters(since, until, canonical_sources(sources, self._sources), as_of)
        latest = self._latest_news(question, standalone, filters, gist) if news else None
        if latest is not None:  # "What's the latest news?": no search names it
            yield latest.text
            yield latest
            return
        hits, query_vector = self._search(standalone, top_k, filters)
        if quote:  # a pointed-at source: answer from its article only, once it is found
            pointed_hits = [h for h in hits if quoted_in(quote, to_passage(h))]
            if pointed_hits:
                aid = pointed_hits[0].node.metadata.get("article_id")
                hits = [h for h in hits if h.node.metadata.get("article_id") == aid]
        # a follow-up stays with the articles that name what it carried: "Is she favored to
        # win? (Claudia Sheinbaum)" is not answered from an article on another woman
        passages = [to_passage(h) for h in hits]
        carried = carried_names(standalone) if standalone != question else []
        naming = naming_articles(carried, [(p.article_id, f"{p.title} {p.text}") for p in passages])
        if naming:
            kept = [i for i, p in enumerate(passages) if p.article_id in naming]
            hits, passages = [hits[i] for i in kept], [passages[i] for i in kept]
        if (
            standalone != question
            and not quote
            and not refers_back(question)  # "who beat her?" is about the one asked before
            and self._elsewhere(question, passages)
        ):
            # "what about ohtani?" after the Powerball: the carried words found only the old
            # story, which never says what the question asks about, so it is asked afresh
            yield from self._stream(question, None, top_k, since, until, sources, as_of)
            return
        if not passages:
            yield refusal(question, reason=filtered_out(filters, self._sources))
            return
        # Only a question whose day is given: asked as of today, "recently" may mean recent
        # in an archive's terms ("Which company, recently scrutinized in ...?").
        stale = (
            stale_reason(
                standalone,
                [published_day_of(h.node) for h in hits[:STALE_DEPTH]],
                filters.as_of,
                self.settings.stale_days,
            )
            if filters.as_of
            else ""
        )
        if stale:
            yield refusal(question, reason=stale)
            return
        if self.llm is not None:
            for item in self.llm.stream_answer(
                standalone,
                passages,
                fallback=lambda: self._extractive(
                    standalone, hits, passages, query_vector, question
                ),
            ):
                if isinstance(item, Answer) and not item.answered and standalone != question:
                    # quote what the user asked, not the rewrite ("... (rockets fired)")
                    said = item.text.replace(f"“{standalone}”", f"“{question}”")
                    item = replace(item, text=said)
                if isinstance(item, Answer):  # the model's checked answer, or the fallback
                    item = self._finished(item, question, standalone, passages, pointed, filters)
                yield item
            return
        if standalone != question and wants_more(question):  # "Tell me more (about the 2nd)"
            said = " ".join(a for _, a in history or [])
            answer = more_answer(question, self._article(passages[0]), said)
            answer = replace(answer, question=standalone)
        elif asks_for_overview(standalone):
            answer = overview_answer(question, self._lede(passages[0], passages))
        else:
            answer = self._extractive(standalone, hits, passages, query_vector, question)
            # "Tell me about the actors strike": the opening of the best-ranked article whose
            # headline names the subject, which a quiz-fitted sentence choice cuts to a headline
            top = None
            if answer.answered and asks_for_gist_of(question):
                subject = stems(" ".join(subject_words(standalone)))
                top = next((p for p in passages if subject & stems(p.title)), None)
            if top is not None:
                opening = overview_answer(question, self._lede(top, passages))
                if opening.answered:
                    answer = replace(opening, confidence=answer.confidence, notice=answer.notice)
        answer = self._finished(answer, question, standalone, passages, pointed, filters)
        yield answer.text
        yield answer

    def _finished(
        self,
        answer: Answer,
        question: str,
        standalone: str,
        passages: Sequence[Passage],
        pointed: int | None,
        filters: Filters,
    ) -> Answer:
        """The answer as told: strays refused; refusals quote the question and name the filters."""
        if (  # a pointer's words came from the last answer: it cannot stray
            standalone != question
            and answer.answered
            and pointed is None
            and self._strays(question, passages, answer)
        ):
            answer = replace(refusal(question, confidence=answer.confidence), question=standalone)
        elif not answer.answered and answer.text == refusal(standalone).text:  # as typed
            answer = replace(answer, text=refusal(question).text)
        within = filters_said(filters)
        language = self._language(question) if not answer.answered else ""
        if language:  # nothing found for a question in Spanish: that, not the index, is why
            reason = (
                f"The question seems to be in {language}, and the articles are searched in "
                "English: ask it in English."
            )
            answer = replace(answer, text=refusal(question, reason=reason).text)
        elif not answer.answered and within and answer.text == refusal(question).text:
            asked = shortened(question.strip())
            reason = (
                f"No passage {within} answers “{asked}”; widening or clearing them may find one."
            )
            answer = replace(answer, text=refusal(question, reason=reason).text)
        unknown = sorted(filters.sources - self._sources) if filters.sources else []
        if unknown and self._sources and answer.answered:  # a mistyped one of several sources
            note = unknown_sources(unknown, self._sources)
            answer = replace(answer, notice=" ".join(filter(None, [answer.notice, note])))
        return answer

    def _language(self, question: str) -> str:
        """The question's language if the index's words show it is not English, else ""."""
        speller = self.speller() if self.has_passages() else None
        return speller.language(question) if speller else ""

    def _unmentioned(self, question: str) -> list[str]:
        """The question's names if the index mentions none of them (checked in the BM25 vocabulary)."""
        wanted = names(question)
        if not wanted:
            return []
        absent = self._absent_names(wanted)
        # a refusal must not rest on a vocabulary a moment old: an article just added may name them
        return self._absent_names(wanted, recheck=True) if absent else []

    def _absent_reason(self, absent: list[str]) -> str:
        """Why the names rule refused, with the near names the index holds ("did you mean ...?")."""
        reason = f"No article mentions {said_list(absent)}."
        speller = self.speller()
        near = [s for s in (speller.suggestion(n) for n in absent) if s] if speller else []
        return f"{reason} Did you mean {said_list(near)}?" if near else reason

    def _absent_names(self, wanted: list[str], recheck: bool = False) -> list[str]:
        """`wanted` if the current BM25 vocabulary holds none of them, else []."""
        self.lexical(recheck)
        weights = self._term_weights
        if weights is None or not weights.vocab:
            return []
        vocab = weights.vocab

        def known(name: str) -> bool:
            tokens = tokenize([name])[0]  # none for "U.S.": too short to index, so not judged
            return not tokens or any(t in vocab for t in tokens)

        return unmentioned(wanted, known)

    def _strays(self, question: str, passages: Sequence[Passage], answer: Answer) -> bool:
        """Whether a follow-up's answer rests on the carried words alone, not on what it asks.

        "And who won the World Cup?" after a question on rockets is searched as "... (rockets
        fired)" and finds the rockets again: none of its own words are in the passages, and
        no quoted sentence is near it in meaning. "When did it happen?" names nothing of its
        own, so the context alone answers it.
        """
        own = {w for word in self._topical(question) for w in stems(word)}
        if not own or own & stems(" ".join(f"{p.title} {p.text}" for p in passages)):
            return False
        texts = quoted_texts(answer)
        if not texts:
            return False
        sims = cosine(self.sentence_vectors(texts), self.embed_model.get_query_embedding(question))
        return float(sims.max()) < self.settings.min_similarity

    def _elsewhere(self, question: str, passages: Sequence[Passage]) -> bool:
        """Whether a follow-up names a word of its own (not a number or date) none of the passages has.

        What it asks ("hurt" of "And how many were hurt?") names no topic: the passages may
        say it in other words ("wounded").
        """
        asked = asked_predicate(question)
        own = {
            w
            for word in self._topical(question)
            if word.isalpha() and not is_date_word(word) and word.lower() not in asked
            for w in stems(word)
        }
        return bool(own) and not own & stems(" ".join(f"{p.title} {p.text}" for p in passages))

    def _topical(self, question: str) -> list[str]:
        """The question's words that can name a new topic in this index (see `topical_words`)."""
        weights = self._term_weights
        if weights is None:
            return subject_words(question)
        return topical_words(question, lambda word: [weights.share(t) for t in tokenize([word])[0]])

    def _latest_news(
        self, question: str, standalone: str, filters: Filters, gist: bool = False
    ) -> Answer | None:
        """The newest articles, for a request for the news itself (or, with `gist`, for the gist of them all); None for other questions."""
        named = mentioned_sources(standalone, self._sources)  # "the latest news from Reuters"
        unnamed = standalone
        for source in named:
            unnamed = re.sub(re.escape(source), " ", unnamed, flags=re.IGNORECASE)
        if not (gist or asks_for_latest(unnamed)):
            return None
        if named and not filters.sources:
            filters = filters.narrowed(filters.since, filters.until, frozenset(named))
        ledes = self._newest_ledes(filters)
        if not ledes:
            dated = "No article in the index carries a date, so none can be called the latest"
            if filters.since or filters.until or filters.sources:
                dated = "No dated article matches the date and source filters"
            elif filters.as_of:
                dated = f"No dated article had been published by {to_date(filters.as_of)}"
            return refusal(question, reason=f"{dated}: ask about a subject instead.")
        stale = stale_reason(
            standalone,
            [published_day(p.published) for p in ledes],
            filters.as_of,
            self.settings.stale_days,
            newest_of="the newest article",
        )
        return refusal(question, reason=stale) if stale else digest_answer(question, ledes)

    def _newest_ledes(self, filters: Filters, count: int = 3) -> list[Passage]:
        """The opening passages of the newest dated articles the filters let in."""
        newest = filters.as_of  # not a day later, as searches allow for time zones
        dated = []
        for e in self.store.manifest().values():
            day = published_day(e.published)
            if not day or (filters.sources and e.source not in filters.sources):
                continue
            if (filters.since and day < filters.since) or (filters.until and day > filters.until):
                continue
            if newest and day > newest:
                continue
            dated.append((day, e.title, e.id))
        return self._stored([f"{a}::0" for _, _, a in sorted(dated, reverse=True)[:count]])

    def _stored(self, ids: Sequence[str]) -> list[Passage]:
        """The stored passages of these ids, in their order (missing ones left out)."""
        found = self.store.get_passages(list(ids))
        return [
            to_passage(NodeWithScore(node=metadata_dict_to_node(meta, text=text), score=0.0))
            for text, meta in (found[pid] for pid in ids if pid in found)
        ]

    def _article(self, top: Passage, count: int = 50) -> list[Passage]:
        """The first `count` passages of the top passage's article, in order."""
        return self._stored([f"{top.article_id}::{i}" for i in range(count)]) or [top]

    def _lede(self, top: Passage, passages: Sequence[Passage]) -> Passage:
        """The first passage of the top passage's article (from the hits, else from the store)."""
        for p in passages:
            if p.article_id == top.article_id and p.start == 0:
                return p
        return next(iter(self._stored([f"{top.article_id}::0"])), top)

    def support(
        self, question: str, hits: Sequence[NodeWithScore], passages: Sequence[Passage]
    ) -> float:
        """The best idf-weighted coverage of the question by a passage sentence (from the re-rank)."""
        known = [h.node.metadata.get("coverage") for h in hits]
        if known and all(c is not None for c in known):
            return max(float(c) for c in known if c is not None)
        if self._term_weights is None:
            return 0.0
        per_passage = sentence_coverage(
            question, [(p.text, p.title) for p in passages], self._term_weights
        )
        return max((c for sents in per_passage for c, _ in sents), default=0.0)

    def _extractive(
        self,
        question: str,
        hits: list[NodeWithScore],
        passages: list[Passage],
        query_vector: list[float],
        asked: str = "",
    ) -> Answer:
        return extractive_answer(
            question,
            passages,
            query_vector,
            self.sentence_vectors,
            self.settings.min_score,
            support=self.support(question, hits, passages),
            top_cosine=top_cosine(hits),
            min_similarity=self.settings.min_similarity,
            term_weights=self._term_weights,
            asked=asked,
            min_on_topic=self.settings.min_on_topic,
        )


def quoted_in(quote: str, passage: Passage) -> bool:
    """Whether a quote (a sentence or headline an answer gave) comes from this passage."""
    return quote in " ".join(passage.text.split()) or quote in " ".join(passage.title.split())


def top_cosine(hits: Sequence[NodeWithScore]) -> float:
    """The highest dense (MiniLM) cosine of the hits to the question, 0 when none was ranked by it."""
    return max((float(h.node.metadata.get("dense_cosine") or 0.0) for h in hits), default=0.0)


_engines: dict[Settings, Engine] = {}
_engines_lock = threading.Lock()


def default_engine(settings: Settings | None = None) -> Engine:
    """One Engine per settings, created on first use (loading the model takes seconds)."""
    settings = settings or Settings()
    with _engines_lock:
        if settings not in _engines:
            _engines[settings] = Engine(settings)
        return _engines[settings]


def ask(
    question: str,
    *,
    history: History | None = None,
    top_k: int | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    sources: Sequence[str] | None = None,
    as_of: str | date | None = None,
    engine: Engine | None = None,
) -> Answer:
    """Answer `question` from the indexed articles (index at QA_INDEX_DIR), with `[n]` citations.

    `as_of` is the day the question is asked (default today): newer articles weigh more. With
    an explicit day, articles published after it are left out, and a question about recent
    news ("this week") whose articles are all over QA_STALE_DAYS older is refused, saying so.
    """
    return (engine or default_engine()).ask(question, history, top_k, since, until, sources, as_of)
