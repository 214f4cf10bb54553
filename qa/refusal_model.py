"""Logistic models of whether the retrieved passages answer the question (else refuse).

The first one's weights were fitted by `bench/fit_refusal_model.py` on the dev sets'
answerable and unanswerable questions (news-dev's made unanswerable by holding out their
evidence articles); the second, off-topic one's also on other sets' questions asked of each
set's index. That script prints the cross-validated trade-off between refusals and false
refusals.
"""

from __future__ import annotations

import math

import numpy as np

from qa.sentence_model import FEATURES as SENTENCE_FEATURES

# one value per question, in this order
FEATURES = (
    "rule_score",  # the hand-weighted rule's value: best sentence score + support
    "support",  # idf-weighted coverage of the question by the best passage sentence (re-rank)
    "best_similarity",  # highest MiniLM similarity of a candidate sentence
    "best_coverage",  # highest share of the question's stems in a sentence and its headline
    "best_sentence_coverage",  # ... in the sentence alone
    "best_idf_coverage",
    "best_asked_coverage",
    "best_bigrams",
    "top_similarity",  # of the sentence the model puts first
    "top_sentence_coverage",
    "top_idf_coverage",
    "top_bigrams",
    "top_typed",  # it holds the kind of thing asked for (person, date, place, number)
    "top_novelty",
    "top_logit",  # the sentence model's logit of its first sentence
    "logit_gap",  # ... minus the second's
    "top_probability",  # softmax share of the first sentence among the candidates
    "passages_coverage",  # share of the question's stems anywhere in the passages and titles
    "top_cosine",  # highest MiniLM cosine of a retrieved passage to the question (Chroma's)
    "log_question_words",
)

_col = {name: i for i, name in enumerate(SENTENCE_FEATURES)}
# sentence-model columns taken at their best over the candidates, and of the first sentence
_BEST = [_col[f.removeprefix("best_")] for f in FEATURES if f.startswith("best_")]
_TOP = [_col[f.removeprefix("top_")] for f in FEATURES if f.startswith("top_") and f[4:] in _col]

# fitted weights and bias (`bench/fit_refusal_model.py`), features as above
WEIGHTS = np.array(
    [
        +1.2463,  # rule_score
        +2.1525,  # support
        +6.7448,  # best_similarity
        +1.5340,  # best_coverage
        +1.4500,  # best_sentence_coverage
        +2.0952,  # best_idf_coverage
        +1.3921,  # best_asked_coverage
        +1.2282,  # best_bigrams
        +2.7097,  # top_similarity
        +0.3478,  # top_sentence_coverage
        +0.2091,  # top_idf_coverage
        +0.1372,  # top_bigrams
        -1.1098,  # top_typed
        -0.7398,  # top_novelty
        -0.0867,  # top_logit
        -0.0504,  # logit_gap
        +0.2325,  # top_probability
        +3.2811,  # passages_coverage
        +8.8809,  # top_cosine
        -0.3287,  # log_question_words
    ]
)
BIAS = -8.3281

# The off-topic model: the same features, fitted with other sets' questions asked of each
# set's index as unanswerable ("What is the boiling point of water?" of news articles; see
# `bench/fit_refusal_model.py --foreign`), the question's length left out (a chat's questions
# are shorter than the dev sets'). It refuses what the model above lets through on a large
# corpus, where some sentence always shares a word or two with any question.
OFF_TOPIC_WEIGHTS = np.array(
    [
        +1.4186,  # rule_score
        +0.6161,  # support
        +6.7198,  # best_similarity
        -0.2317,  # best_coverage
        -0.9049,  # best_sentence_coverage
        +0.1419,  # best_idf_coverage
        -0.1404,  # best_asked_coverage
        +1.3996,  # best_bigrams
        +1.2071,  # top_similarity
        -0.5449,  # top_sentence_coverage
        +0.0201,  # top_idf_coverage
        +2.6565,  # top_bigrams
        -0.8278,  # top_typed
        -1.8737,  # top_novelty
        -0.0065,  # top_logit
        +0.0306,  # logit_gap
        +2.3945,  # top_probability
        +0.4290,  # passages_coverage
        +10.8555,  # top_cosine
        +0.0000,  # log_question_words
    ]
)
OFF_TOPIC_BIAS = -9.0959


def question_features(
    rule_score: float,
    support: float,
    sentence_x: np.ndarray,
    logits: np.ndarray,
    passages_coverage: float,
    top_cosine: float,
    question_words: int,
) -> np.ndarray:
    """The FEATURES of one question, from its candidates' sentence-model rows and logits."""
    if len(logits) == 0:
        return np.zeros(len(FEATURES))
    order = np.argsort(-logits, kind="stable")
    top = sentence_x[order[0]]
    z = logits - logits.max()
    p = np.exp(z) / np.exp(z).sum()
    second = float(logits[order[1]]) if len(order) > 1 else float(logits[order[0]]) - 5.0
    row = [
        rule_score,
        support,
        *sentence_x.max(axis=0)[_BEST],
        *top[_TOP],
        float(logits[order[0]]),
        float(logits[order[0]]) - second,
        float(p[order[0]]),
        passages_coverage,
        top_cosine,
        math.log(max(question_words, 1)),
    ]
    return np.asarray(row, dtype=np.float64)


def answer_probability(
    x: np.ndarray, weights: np.ndarray | None = None, bias: float | None = None
) -> float:
    """The model's probability that the passages answer the question."""
    w = WEIGHTS if weights is None else weights
    b = BIAS if bias is None else bias
    return float(1.0 / (1.0 + math.exp(-float(np.clip(x @ w + b, -50, 50)))))
