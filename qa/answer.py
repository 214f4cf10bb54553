"""The extractive answerer: the best sentences of the retrieved passages, each cited, or a refusal."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from index.chunk import published_day
from qa.answer_text import compose
from qa.answer_types import holds_what_is_asked
from qa.candidates import Scored
from qa.citations import REFUSED, Answer, Passage
from qa.refusal_model import FEATURES as REFUSAL_FEATURES
from qa.refusal_model import (
    OFF_TOPIC_BIAS,
    OFF_TOPIC_WEIGHTS,
    answer_probability,
    question_features,
)
from qa.rerank import TermWeights
from qa.scores import model_features, prefer_newer, scored_candidates, with_logits
from qa.selection import choose
from qa.sentence_model import order_scores
from qa.words import stems

# Sentences embedded per question (those sharing most words with it), besides the headlines.
SHORTLIST = 8
# Order sentences by the fitted sentence model (qa.sentence_model) rather than by the score;
# the score still decides whether to answer. A runner-up joins the best sentence when its logit
# is at most KEEP_GAP below, and the newer of sentences within NEWER_MARGIN comes first.
# (qa eval answer recall: news-dev 0.474 -> 0.498, squad2-dev 0.929 -> 0.944, multihop-dev
# 0.274 -> 0.306; before the word-pair feature, KEEP_GAP 0.5 / 1.0 / 1.5 / 2.5 gave news
# 0.448 / 0.478 / 0.502 / 0.504 at 34 / 39 / 42 / 44 words.)
SENTENCE_MODEL = True
KEEP_GAP = 1.5
NEWER_MARGIN = 0.1
# A follow-up's sentence that the last answer quoted is ordered this many logits
# lower: "Where is it?" after "What did Hecla Mining agree to buy?" wants the mine's place,
# not the purchase again; a repeat still leads when nothing new comes close, but never follows.
REPEAT_PENALTY = 3.0


def shortened(question: str, most: int = 200) -> str:
    """A question as an answer quotes it back: cut at a word near `most` characters, with "…"."""
    if len(question) <= most:
        return question
    return question[:most].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def refusal(question: str, notice: str = "", confidence: float = 0.0, reason: str = "") -> Answer:
    """The answer when the articles do not hold one (`reason` says why, if known)."""
    q = question.strip()
    text = f"{REFUSED} No passage answers “{shortened(q)}”" if q else REFUSED
    text = f"{REFUSED} {reason}" if reason else text
    return Answer(
        text=text, answered=False, question=question, notice=notice, confidence=confidence
    )


def unmentioned(question_names: Sequence[str], known: Callable[[str], bool]) -> list[str]:
    """The question's names when the articles mention none of them (`known`: a name is indexed).

    "What is the capital of Spain?" over articles that never say "Spain" cannot be answered
    from them, however close "the country's capital" is; one name they do mention is enough
    to look (the others may be spelled differently there).
    """
    if not question_names or any(known(n) for n in question_names):
        return []
    return list(question_names)


def said_list(items: Sequence[str]) -> str:
    """'Spain', 'Spain or France', 'Spain, France or Italy'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def _plain(text: str) -> str:
    """Text without [n] markers or added "[First] " names, its spaces collapsed."""
    return " ".join(re.sub(r"\[[^\]]*\]", " ", text).split())


def quoted_before(sentence: str, said: str) -> bool:
    """Whether an earlier answer (`said`, their texts) quoted this sentence or headline."""
    plain = _plain(sentence)
    return bool(plain) and plain[:80] in _plain(said)


def unrepeated(ordered: Sequence[Scored], said: str, asked: str = "") -> list[Scored]:
    """The ordered sentences, those an earlier answer quoted moved `REPEAT_PENALTY` down.

    Not one that holds a word the follow-up `asked` itself: "What about its CEO?" is answered
    by the sentence naming the CEO that the last answer quoted.
    """
    own = stems(asked)
    out = [
        replace(s, order=s.order - REPEAT_PENALTY)
        if s.order is not None
        and quoted_before(s.candidate.text, said)
        and not own & stems(s.candidate.text)
        else s
        for s in ordered
    ]
    if all(a is b for a, b in zip(out, ordered, strict=True)):
        return list(ordered)
    return sorted(out, key=lambda s: -s.key)


def unrelated(scored: Sequence[Scored], min_similarity: float) -> bool:
    """Whether no sentence is near the question in meaning (MiniLM) nor holds all its words.

    In a small index a word such as "president" weighs like a name, so coverage alone can
    mislead ("Who is the president of France?" against a sentence on President Trump); an
    acronym MiniLM does not know ("What is C-RAM?") has a low similarity but full coverage.
    """
    return bool(scored) and all(s.similarity < min_similarity and s.coverage < 1.0 for s in scored)


@dataclass(frozen=True)
class Judged:
    """A question's candidate sentences, scored and ordered, and what decides whether to answer."""

    scored: list[Scored]  # by the hand-weighted score (newer first on near ties)
    ordered: list[Scored]  # by the sentence model's logit
    rule_score: float  # the hand-weighted rule: best sentence score + support
    signals: np.ndarray  # the refusal model's features (qa.refusal_model.FEATURES)


def judge(
    question: str,
    passages: Sequence[Passage],
    query_vector: Sequence[float],
    embed_texts: Callable[[list[str]], list[list[float]]],
    shortlist_size: int | None = None,
    support: float = 0.0,
    term_weights: TermWeights | None = None,
    asked: str = "",
    top_cosine: float = 0.0,
) -> Judged | None:
    """Score and order the passages' candidate sentences, and compute the refusal signals."""
    scored = scored_candidates(
        question, passages, query_vector, embed_texts, shortlist_size or SHORTLIST
    )
    if not scored:
        return None
    days = [published_day(p.published) for p in passages]
    scored = prefer_newer(scored, days)
    rule_score = scored[0].score - scored[0].rank_bonus + support
    x = model_features(asked or question, scored, passages, term_weights)
    logits = order_scores(x)
    ordered = prefer_newer(with_logits(scored, logits), days, NEWER_MARGIN)
    if asked and asked != question:
        # whether the passages answer is judged on the whole question: a follow-up's own words
        # ("When did it happen?") say too little, the words it carries say what "it" is
        x = model_features(question, scored, passages, term_weights)
        logits = order_scores(x)
    qstems = stems(question)
    found = stems(" ".join(f"{p.title} {p.text}" for p in passages))
    signals = question_features(
        rule_score,
        support,
        x,
        logits,
        len(qstems & found) / len(qstems) if qstems else 0.0,
        top_cosine,
        len(question.split()),
    )
    return Judged(scored, ordered, rule_score, signals)


_COVERED = REFUSAL_FEATURES.index("best_sentence_coverage")


def off_topic(judged: Judged, min_on_topic: float) -> bool:
    """Whether the off-topic model scores the question below `min_on_topic`.

    Not when some candidate sentence holds every word of the question: an acronym MiniLM
    does not know ("What is C-RAM?") reads as off-topic by meaning alone.
    """
    if min_on_topic <= 0 or judged.signals[_COVERED] >= 1.0:
        return False
    return answer_probability(judged.signals, OFF_TOPIC_WEIGHTS, OFF_TOPIC_BIAS) < min_on_topic


def extractive_answer(
    question: str,
    passages: Sequence[Passage],
    query_vector: Sequence[float],
    embed_texts: Callable[[list[str]], list[list[float]]],
    min_score: float,
    shortlist_size: int | None = None,
    support: float = 0.0,
    min_similarity: float = 0.0,
    term_weights: TermWeights | None = None,
    asked: str = "",
    top_cosine: float = 0.0,
    min_on_topic: float = 0.0,
    said: str = "",
) -> Answer:
    """Answer from the passages' best sentences, or refuse when the refusal model's 0-1 score is below `min_score`.

    A question asked afresh is also refused when it reads as off-topic (`off_topic`); a
    follow-up is about what the conversation already found, so it is not.

    `asked` is what the user typed when `question` is a follow-up rewritten with words carried
    from before: those words found the passages, but the sentence model orders sentences by
    what is asked now ("And where were they fired from?" wants a place, not the embassy again).

    `said` is what the last answer said: the next one quotes what it did
    not, when it comes close (`REPEAT_PENALTY`).

    `support` (the idf-weighted coverage of the question by the best passage sentence) and
    `top_cosine` (the best passage's MiniLM cosine) are retrieval's signals to the refusal model.
    """
    judged = judge(
        question,
        passages,
        query_vector,
        embed_texts,
        shortlist_size,
        support,
        term_weights,
        asked,
        top_cosine,
    )
    if judged is None:
        return refusal(question)
    confidence = answer_probability(judged.signals)
    follow_up = bool(asked) and asked != question
    if (
        confidence < min_score
        or unrelated(judged.scored, min_similarity)
        or (not follow_up and off_topic(judged, min_on_topic))
    ):
        return refusal(question, confidence=confidence)
    ordered = unrepeated(judged.ordered, said, asked) if said else judged.ordered
    chosen = (
        choose(
            ordered,
            keep_gap=KEEP_GAP,
            question=asked or question,
            titles=[p.title for p in passages],
            named_in=question,
        )
        if SENTENCE_MODEL
        else choose(judged.scored, question=asked or question)
    )
    if not holds_what_is_asked(asked or question, [s.candidate.text for s in chosen]):
        # "How much does it cost?" quoting a launch date, "When was he born?" a campaign
        return refusal(question, confidence=confidence)
    if said:  # a runner-up the conversation already quoted tells nothing new
        chosen = chosen[:1] + [s for s in chosen[1:] if not quoted_before(s.candidate.text, said)]
    return compose(question, passages, chosen, confidence=confidence)
