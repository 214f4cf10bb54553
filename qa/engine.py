"""The Engine: the answering chain over a loaded index, from a typed question to a cited answer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore

from index.store import PassageStore
from qa.answer import extractive_answer, refusal, said_list, shortened
from qa.citations import Answer, Passage
from qa.compound import merged, question_parts
from qa.digest import more_answer, overview_answer
from qa.errors import ConfigError
from qa.filters import (
    canonical_sources,
    filtered_out,
    filters_said,
    search_filters,
    unknown_sources,
)
from qa.followup import (
    carried_names,
    naming_articles,
    pointed_source,
    refers_back,
    resolve_pointer,
    standalone_question,
    wants_more,
)
from qa.intents import asks_for_gist_of, asks_for_overview, names_the_news, subject_words
from qa.latest_news import latest_news
from qa.loaded_index import LoadedIndex
from qa.question import check_question, question_and_context, without_markup
from qa.question_checks import (
    absent_reason,
    asks_elsewhere,
    is_acronym,
    question_language,
    spelled_out,
    strays,
    unmentioned_names,
    unmentioned_years,
)
from qa.recency import stale_reason
from qa.retrieve import Filters, published_day_of, to_passage
from qa.search import article_passages, lede, search, support, top_cosine
from qa.settings import MAX_TOP_K, Settings
from qa.small_talk import small_talk
from qa.words import stems

History = Sequence[tuple[str, str]]
STALE_DEPTH = 3  # the passages whose articles' dates tell whether the articles are recent


class Engine:
    """Loaded index parts (Chroma, BM25, embedder, LLM) and the answering chain over them."""

    def __init__(
        self,
        settings: Settings | None = None,
        store: PassageStore | None = None,
        embed_model: BaseEmbedding | None = None,
        llm: Any = None,
    ) -> None:
        self.index = LoadedIndex(settings or Settings(), store, embed_model)
        self.settings = self.index.settings
        self.store = self.index.store
        self.llm = llm
        if self.llm is None and self.settings.llm == "openai":
            from qa.llm import OpenAIAnswerer

            self.llm = OpenAIAnswerer.from_settings(self.settings, embed_model=self.embed_model)

    @property
    def embed_model(self) -> BaseEmbedding:
        """The embedder, loaded on first use (it takes seconds: the UI can be served before)."""
        return self.index.embed_model

    def warm_up(self) -> None:
        """Load the embedder, place names, lexical index and article list now, not on first use."""
        self.index.warm_up()

    def retrieve(
        self, question: str, top_k: int | None = None, filters: Filters | None = None
    ) -> tuple[list[Passage], list[float]]:
        """The top passages for a question and the question's embedding."""
        hits, embedding = search(self.index, question, top_k, filters)
        return [to_passage(h) for h in hits], embedding

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
            history = [(self.index.spelled(q), a) for q, a in history]
        spelled = self.index.spelled(asked)
        if spelled == question:
            yield from self._stream(question, history, top_k, since, until, sources, as_of)
            return
        question = spelled
        searched = f"Searched for “{question}”."
        for item in self._stream(question, history, top_k, since, until, sources, as_of):
            if isinstance(item, Answer):
                item = replace(item, notice=" ".join(filter(None, [searched, item.notice])))
                if not item.answered:  # a refusal quotes what was asked; the notice the rewrite
                    said = f"“{shortened(question)}”"
                    item = replace(item, text=item.text.replace(said, f"“{shortened(asked)}”"))
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
        parts = question_parts(question) if not history and self.llm is None else [question]
        if len(parts) > 1:  # "What did X bid, and what did Y take over?": each, then both
            answers: list[Answer] = []
            for i, part in enumerate(parts):  # a later part follows the earlier up ("..., and
                # when did it end?"), which may answer it too: no sentence is held back as said
                before = [(q, "") for q in parts[:i]]
                items = self._stream(part, before or None, top_k, since, until, sources, as_of)
                answers.append(final(items))
            answer = merged(question, parts, answers)
            yield answer.text
            yield answer
            return
        # "¿Desde dónde...?": "Desde" is no name the articles lack
        absent = (
            []
            if question_language(self.index, question)
            else unmentioned_names(self.index, question)
        )
        # "the EPA" of articles that write "Environmental Protection Agency": looked for first
        initials = absent if all(is_acronym(n) for n in absent) else []
        if absent and not initials:
            yield refusal(question, reason=absent_reason(self.index, absent))
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
        if (sources or news) and self.index.has_passages():
            self.index.lexical()  # the index's sources, to match the names asked for whatever their case
        filters = search_filters(
            since, until, canonical_sources(sources, self.index.sources), as_of
        )
        latest = latest_news(self.index, question, standalone, filters, gist) if news else None
        if latest is not None:  # "What's the latest news?": no search names it
            yield latest.text
            yield latest
            return
        hits, query_vector = search(self.index, standalone, top_k, filters)
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
            and asks_elsewhere(self.index, question, passages)
        ):
            # "what about ohtani?" after the Powerball: the carried words found only the old
            # story, which never says what the question asks about, so it is asked afresh
            yield from self._stream(question, None, top_k, since, until, sources, as_of)
            return
        if not passages:
            yield refusal(question, reason=filtered_out(filters, self.index.sources))
            return
        if initials and not spelled_out(initials, passages):
            yield refusal(question, reason=absent_reason(self.index, initials))
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
                    standalone, hits, passages, query_vector, question, history
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
            answer = more_answer(question, article_passages(self.store, passages[0]), said)
            answer = replace(answer, question=standalone)
        elif asks_for_overview(standalone):
            answer = overview_answer(question, lede(self.store, passages[0], passages))
        else:
            answer = self._extractive(standalone, hits, passages, query_vector, question, history)
            years = unmentioned_years(self.store, question, passages) if answer.answered else []
            if years:  # "What were K Mart's 1984 earnings?" of articles that never say 1984
                reason = f"The articles found on it do not mention {said_list(years)}."
                answer = refusal(question, confidence=answer.confidence, reason=reason)
            # "Tell me about the actors strike": the opening of the best-ranked article whose
            # headline names the subject, which a quiz-fitted sentence choice cuts to a headline
            top = None
            if answer.answered and asks_for_gist_of(question):
                subject = stems(" ".join(subject_words(standalone)))
                top = next((p for p in passages if subject & stems(p.title)), None)
            if top is not None:
                opening = overview_answer(question, lede(self.store, top, passages))
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
            and strays(self.index, question, passages, answer)
        ):
            answer = replace(refusal(question, confidence=answer.confidence), question=standalone)
        elif not answer.answered and answer.text == refusal(standalone).text:  # as typed
            answer = replace(answer, text=refusal(question).text)
        within = filters_said(filters)
        language = question_language(self.index, question) if not answer.answered else ""
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
        unknown = sorted(filters.sources - self.index.sources) if filters.sources else []
        # a mistyped one of several sources, answered or not (all mistyped: the refusal says so)
        if unknown and self.index.sources and len(unknown) < len(filters.sources):
            note = unknown_sources(unknown, self.index.sources)
            answer = replace(answer, notice=" ".join(filter(None, [answer.notice, note])))
        return answer

    def _extractive(
        self,
        question: str,
        hits: list[NodeWithScore],
        passages: list[Passage],
        query_vector: list[float],
        asked: str = "",
        history: History | None = None,
    ) -> Answer:
        return extractive_answer(
            question,
            passages,
            query_vector,
            self.index.sentence_vectors,
            self.settings.min_score,
            support=support(question, hits, passages, self.index.term_weights),
            top_cosine=top_cosine(hits),
            min_similarity=self.settings.min_similarity,
            term_weights=self.index.term_weights,
            asked=asked,
            min_on_topic=self.settings.min_on_topic,
            said=last_said(asked or question, history),
        )


def last_said(question: str, history: History | None) -> str:
    """What the last answer said, which the next one does not repeat: none when asked again."""
    if not history:
        return ""
    last_question, last_answer = history[-1]
    same = " ".join(question.lower().split()) == " ".join(last_question.lower().split())
    return "" if same else last_answer


def final(items: Iterator[str | Answer]) -> Answer:
    """The Answer a stream ends with."""
    answers = [item for item in items if isinstance(item, Answer)]
    return answers[-1]


def quoted_in(quote: str, passage: Passage) -> bool:
    """Whether a quote (a sentence or headline an answer gave) comes from this passage."""
    return quote in " ".join(passage.text.split()) or quote in " ".join(passage.title.split())
