"""A linear model that orders candidate sentences by how likely they hold the answer.

Its weights were fitted by `bench/fit_sentence_model.py` (a softmax over each question's
candidate sentences, maximising the chance of the ones holding a gold answer) on the dev sets'
answerable questions; that script prints the cross-validated figures. The model only orders
sentences: whether to answer at all stays with the calibrated refusal rule in `qa.answer`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from qa.answer_types import (
    asks_for_person,
    asks_this_week,
    asks_yes_or_no,
    counts,
    has_type,
    is_fresh_report,
    question_type,
)
from qa.names import names_new_person
from qa.places import asked_kind, names_new_place
from qa.words import STOPWORDS

# one row of features per candidate sentence, in this order
FEATURES = (
    "similarity",  # MiniLM cosine to the question (half to its asked part, after a preamble)
    "similarity_gap",  # ... minus the best candidate's
    "coverage",  # share of the question's content stems in the sentence and its headline
    "coverage_gap",
    "sentence_coverage",  # ... in the sentence alone
    "idf_coverage",  # idf-weighted share of the question's index terms
    "idf_coverage_gap",
    "asked_coverage",  # share of the asked part's stems (after a preamble)
    "bigrams",  # share of the question's word pairs (not two stop words) said in the sentence
    "typed",  # holds a person / date / place / number the question asks for and lacks
    "question",  # is itself a question
    "fragment",  # under six words
    "echo",  # no content word the question lacks (never, for a yes/no question: it confirms)
    "novelty",  # share of its content stems the question lacks
    "new_name",  # a capitalised word the question lacks, not opening the sentence
    "new_number",  # a number the question lacks
    "quote",  # opens with a quotation mark
    "year",  # +1 holds a year the question names, -1 names only other years, 0 else
    "headline",
    "passage_rank",  # rank of its passage / 4
    "first_passage",
    "passage_score",  # its passage's retrieval score / the best passage's
    "article_share",  # share of the retrieved passages from its article
    "article_lead",  # the article's first sentence
    "log_position",  # log(1 + characters before it in the article / 100)
    "log_words",
    "fresh",  # names the day, when the question asks about this week
    "counts",  # a number that counts what a "how many" question counts
    "place",  # names a state / country / city the question lacks, when it asks for one
    "person",  # names a person (a known first name) the question lacks, when it asks for one
)

# fitted weights, features as above (`bench/fit_sentence_model.py`); the softmax needs no bias
WEIGHTS = np.array(
    [
        +1.4375,  # similarity
        +1.5789,  # similarity_gap
        +0.4226,  # coverage
        +0.5873,  # coverage_gap
        +2.2745,  # sentence_coverage
        +0.4039,  # idf_coverage
        +0.6067,  # idf_coverage_gap
        +2.5643,  # asked_coverage
        +1.0037,  # bigrams
        +1.8882,  # typed
        -0.3235,  # question
        -1.2571,  # fragment
        -5.4497,  # echo
        +3.4618,  # novelty
        +0.3451,  # new_name
        -0.0688,  # new_number
        -0.2227,  # quote
        +0.2245,  # year
        +1.2188,  # headline
        -0.3223,  # passage_rank
        +0.5361,  # first_passage
        -0.2917,  # passage_score
        +5.1476,  # article_share
        +0.5533,  # article_lead
        -0.1338,  # log_position
        -0.7022,  # log_words
        +0.6451,  # fresh
        +3.9280,  # counts
        +2.0000,  # place
        +1.0000,  # person
    ]
)

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_NEW_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+")
_DIGITS = re.compile(r"\d[\d,.]*")
_PAIR_WORD = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class Context:
    """What the features of a question's candidates need to know of the question."""

    question: str
    question_stems: set[str]
    asked_stems: set[str]
    question_terms: set[str]
    years: set[str]
    bigrams: set[tuple[str, str]]
    qtype: str
    this_week: bool
    counted: str
    place_kind: str  # the kind of place asked for ("state", "country", "city") or ""
    wants_person: bool
    yes_no: bool = False  # "Did the Supreme Court overturn Roe v. Wade?": an echo confirms it


@dataclass(frozen=True)
class Sentence:
    """A candidate sentence as the model sees it."""

    text: str
    similarity: float
    stems: set[str]
    title_stems: set[str]  # of its article's headline
    terms: set[str]  # index terms of the sentence and its headline
    passage_rank: int
    passage_score: float  # its passage's retrieval score / the best passage's
    article_share: float  # share of the retrieved passages from its article
    position: int  # characters before it in the article (0 for a headline)
    headline: bool


def question_context(
    question: str,
    asked: str,
    stems: Callable[[str], set[str]],
    terms: set[str],
    counted: str,
) -> Context:
    """The question's stems, years and type, computed once per question (`terms`: its index terms)."""
    return Context(
        question=question,
        question_stems=stems(question),
        asked_stems=stems(asked),
        question_terms=terms,
        years=set(_YEAR.findall(question)),
        bigrams=word_pairs(question, content_only=True),
        qtype=question_type(question),
        this_week=asks_this_week(question),
        counted=counted,
        place_kind=asked_kind(question),
        wants_person=asks_for_person(question),
        yes_no=asks_yes_or_no(question) or asks_yes_or_no(asked),
    )


def word_pairs(text: str, content_only: bool = False) -> set[tuple[str, str]]:
    """Neighbouring lower-cased words (with `content_only`, not pairs of two stop words)."""
    words = [w.lower() for w in _PAIR_WORD.findall(text)]
    pairs = set(zip(words, words[1:], strict=False))
    if content_only:
        pairs = {p for p in pairs if not (p[0] in STOPWORDS and p[1] in STOPWORDS)}
    return pairs


def year_match(sentence: str, years: set[str]) -> float:
    """+1 when the sentence names a year the question names, -1 when it names only others, 0 else."""
    if not years:
        return 0.0
    found = set(_YEAR.findall(sentence))
    return 1.0 if found & years else (-1.0 if found else 0.0)


def features(
    ctx: Context,
    sentences: Sequence[Sentence],
    idf: Callable[[str], float],
    stem_word: Callable[[str], str],
) -> np.ndarray:
    """The FEATURES of each candidate sentence (one row each)."""
    q, qs, asked = ctx.question, ctx.question_stems, ctx.asked_stems
    total_idf = sum(idf(t) for t in ctx.question_terms) or 1.0
    lowered = q.lower()
    rows = []
    for c in sentences:
        text, words = c.text, c.stems
        with_title = words | c.title_stems
        novel = words - qs
        rows.append(
            [
                c.similarity,
                0.0,
                len(qs & with_title) / len(qs) if qs else 0.0,
                0.0,
                len(qs & words) / len(qs) if qs else 0.0,
                sum(idf(t) for t in ctx.question_terms & c.terms) / total_idf,
                0.0,
                len(asked & with_title) / len(asked) if asked else 0.0,
                len(ctx.bigrams & word_pairs(text)) / len(ctx.bigrams) if ctx.bigrams else 0.0,
                float(ctx.qtype != "other" and has_type(text, ctx.qtype, q)),
                float(text.rstrip("\"'”’) ").endswith("?")),
                float(len(text.split()) < 6),
                float(not novel and not ctx.yes_no),
                len(novel) / max(len(words), 1),
                float(any(m.group(0).lower() not in lowered for m in _NEW_NAME.finditer(text))),
                float(any(m not in q for m in _DIGITS.findall(text))),
                float(text.lstrip()[:1] in "\"“‘'"),
                year_match(text, ctx.years),
                float(c.headline),
                c.passage_rank / 4,
                float(c.passage_rank == 0),
                c.passage_score,
                c.article_share,
                float(c.position == 0 and not c.headline),
                math.log1p(c.position / 100),
                math.log(len(text.split()) + 1),
                float(ctx.this_week and is_fresh_report(text)),
                float(bool(ctx.counted) and counts(text, ctx.counted, stem_word)),
                float(names_new_place(text, ctx.place_kind, q)),
                float(ctx.wants_person and names_new_person(text, q)),
            ]
        )
    x = np.asarray(rows, dtype=np.float64).reshape(len(sentences), len(FEATURES))
    for gap, of in ((1, 0), (3, 2), (6, 5)):
        if len(x):
            x[:, gap] = x[:, of] - x[:, of].max()
    return x


def order_scores(x: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """The model's score (a logit) of each row of features (default: the fitted WEIGHTS)."""
    w = WEIGHTS if weights is None else weights
    return np.asarray(x @ w, dtype=np.float64)
