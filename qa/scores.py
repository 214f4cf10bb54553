"""Candidate sentences scored by hand-set weights, and ordered by the sentence model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from index.lexical import tokenize
from qa.answer_types import (
    asks_this_week,
    counted_noun,
    counts,
    has_type,
    is_fresh_report,
    question_type,
)
from qa.candidates import Candidate, Scored, asks, candidates, shortlist
from qa.citations import Passage
from qa.names import acronyms, with_acronyms
from qa.rerank import TermWeights
from qa.sentence_model import Sentence, features, order_scores, question_context
from qa.sentences import sentence_spans
from qa.vectors import cosine
from qa.words import stemmer, stems

# Weights of the sentence score: dense similarity + lexical coverage + answer-type match.
COVERAGE_WEIGHT = 0.5
TYPE_WEIGHT = 0.1
QUESTION_PENALTY = 0.3
FRAGMENT_PENALTY = 0.2
ECHO_PENALTY = 0.3
# A question after a preamble ("X happened this week. What year ...?"): sentence similarity is
# this much to the asked part alone, the rest to the whole (news-dev, 500 q: answer recall
# 0.432 -> 0.438; squad2 and multihop unchanged).
ASKED_WEIGHT = 0.5
# Headlines of the first HEADLINES articles compete with the passages' sentences: a news
# headline often states the answer whole (0 = off).
HEADLINES = 3
# ... but a headline names the main event, not the detail asked: it must beat sentences by this.
HEADLINE_PENALTY = 0.1
# A question about "this week" wants the report of the week's event, which names its day
# ("on Wednesday"), over a later look back ("in June, when ..."): such sentences gain this much.
# It orders sentences only: naming the day is no evidence that a sentence answers, so the
# confidence leaves it out. (news-dev, 500 q: answer recall 0.448 -> 0.456 / 0.458 / 0.454 at
# 0.05 / 0.1 / 0.2; squad2-dev and multihop-dev unchanged.)
FRESH_WEIGHT = 0.1
# "How many soldiers ...?" wants a number that counts soldiers ("2,500 U.S. soldiers"), not
# another number of the sentence ("2,000 feet"): such sentences gain this much, in ordering only
# (news-dev 0.456 -> 0.458, squad2-dev 0.921 -> 0.929 at 0.1 and 0.2; 22 and 15 such questions).
COUNT_WEIGHT = 0.1


def asked_part(question: str) -> str:
    """The question's last sentence when it follows a statement ("X happened. What year ...?")."""
    spans = sentence_spans(question)
    if len(spans) < 2:
        return question
    start, end = spans[-1]
    return question[start:end]


def echo_penalty(sentence: str, question_stems: set[str]) -> float:
    """Penalty for sentences that cannot answer: questions, headline fragments, echoes of the question."""
    penalty = 0.0
    if asks(sentence):
        penalty += QUESTION_PENALTY
    if len(sentence.split()) < 6:
        penalty += FRAGMENT_PENALTY
    if not stems(sentence) - question_stems:
        penalty += ECHO_PENALTY
    return penalty


def score_sentences(
    question: str,
    cands: Sequence[Candidate],
    similarities: Sequence[float],
    titles: Sequence[str] = (),
) -> list[Scored]:
    """Score candidates: similarity + coverage of the question's content words + answer-type match."""
    qstems = stems(question)
    qtype = question_type(question)
    fresh = FRESH_WEIGHT if asks_this_week(question) else 0.0
    noun = counted_noun(question) if COUNT_WEIGHT else ""
    title_stems = [stems(t) for t in titles]
    scored = []
    for cand, sim in zip(cands, similarities, strict=True):
        words = stems(cand.text)
        if cand.passage < len(title_stems):
            words |= title_stems[cand.passage]
        coverage = len(qstems & words) / len(qstems) if qstems else 0.0
        typed = qtype != "other" and has_type(cand.text, qtype, question)
        rank_bonus = fresh if fresh and is_fresh_report(cand.text) else 0.0
        if noun and counts(cand.text, noun, stemmer()):
            rank_bonus += COUNT_WEIGHT
        score = (
            float(sim)
            + COVERAGE_WEIGHT * coverage
            + (TYPE_WEIGHT if typed else 0.0)
            - echo_penalty(cand.text, qstems)
            - (HEADLINE_PENALTY if cand.headline else 0.0)
            + rank_bonus
        )
        scored.append(Scored(cand, score, float(sim), coverage, rank_bonus))
    return sorted(scored, key=lambda s: -s.score)


def prefer_newer(
    scored: Sequence[Scored], days: Sequence[int], margin: float = 0.03
) -> list[Scored]:
    """Among sentences whose key is within `margin` of the best, put the newest article's first."""
    if not scored:
        return []
    top = scored[0].key
    close = [s for s in scored if top - s.key <= margin]
    rest = [s for s in scored if top - s.key > margin]
    close.sort(key=lambda s: -days[s.candidate.passage] if s.candidate.passage < len(days) else 0)
    return close + rest


def model_order(
    question: str,
    scored: Sequence[Scored],
    passages: Sequence[Passage],
    term_weights: TermWeights | None,
) -> list[Scored]:
    """The scored sentences with the sentence model's logits, best first."""
    if not scored:
        return []
    return with_logits(
        scored, order_scores(model_features(question, scored, passages, term_weights))
    )


def with_logits(scored: Sequence[Scored], logits: np.ndarray) -> list[Scored]:
    """The scored sentences carrying their logits, best logit first."""
    out = [replace(s, order=float(z)) for s, z in zip(scored, logits, strict=True)]
    return sorted(out, key=lambda s: -s.key)


def model_features(
    question: str,
    scored: Sequence[Scored],
    passages: Sequence[Passage],
    term_weights: TermWeights | None,
) -> np.ndarray:
    """The sentence model's features (qa.sentence_model.FEATURES) of each scored sentence."""
    texts = [s.candidate.text for s in scored]
    tokens = tokenize([question] + [p.title for p in passages] + texts)
    title_terms, sentence_terms = tokens[1 : 1 + len(passages)], tokens[1 + len(passages) :]
    title_stems = [stems(p.title) for p in passages]
    top = passages[0].score or 1.0
    share: dict[str, int] = {}
    for p in passages:
        share[p.article_id] = share.get(p.article_id, 0) + 1
    sentences = []
    for s, terms in zip(scored, sentence_terms, strict=True):
        c, p = s.candidate, passages[s.candidate.passage]
        sentences.append(
            Sentence(
                text=c.text,
                similarity=s.similarity,
                stems=stems(c.text),
                title_stems=title_stems[c.passage],
                terms=set(terms) | set(title_terms[c.passage]),
                passage_rank=c.passage,
                passage_score=p.score / top,
                article_share=share[p.article_id] / len(passages),
                position=0 if c.headline else p.start + c.start,
                headline=c.headline,
            )
        )
    counted = counted_noun(question) if COUNT_WEIGHT else ""
    ctx = question_context(question, asked_part(question), stems, set(tokens[0]), counted)
    idf = term_weights.idf if term_weights is not None else (lambda _: 1.0)
    return features(ctx, sentences, idf, stemmer())


def scored_candidates(
    question: str,
    passages: Sequence[Passage],
    query_vector: Sequence[float],
    embed_texts: Callable[[list[str]], list[list[float]]],
    shortlist_size: int,
) -> list[Scored]:
    """The shortlisted sentences and the headlines of the passages, embedded and scored, best first."""
    titles = [p.title for p in passages]
    every = candidates(passages, HEADLINES)
    # "SBF ... pleaded not guilty" is scored as saying "SBF [Sam Bankman-Fried]", as it is quoted
    spelled = acronyms([t for p in passages for t in (p.title, p.text)])
    if spelled:
        every = [replace(c, text=with_acronyms(c.text, spelled)) for c in every]
    cands = shortlist(question, [c for c in every if not c.headline], titles, shortlist_size)
    cands += [c for c in every if c.headline]  # a headline's words are in every sentence's count
    if not cands:
        return []
    asked = asked_part(question)
    extra = [asked] if ASKED_WEIGHT and asked != question else []
    embedded = np.asarray(embed_texts([c.text for c in cands] + extra), dtype=np.float32)
    vectors = embedded[: len(cands)]
    sims = cosine(vectors, query_vector)
    if extra:
        sims = (1 - ASKED_WEIGHT) * sims + ASKED_WEIGHT * cosine(vectors, embedded[-1])
    return score_sentences(question, cands, sims.tolist(), titles)
