"""The refusal model: its question features, its fitted weights and its fitter."""

from __future__ import annotations

import numpy as np

from qa.refusal_model import FEATURES, WEIGHTS, answer_probability, question_features
from qa.sentence_model import FEATURES as SENTENCE_FEATURES
from qa.settings import Settings

COL = {name: i for i, name in enumerate(SENTENCE_FEATURES)}


def sentences(*rows: dict[str, float]) -> np.ndarray:
    """Sentence-model feature rows with the named values set, the rest 0."""
    x = np.zeros((len(rows), len(SENTENCE_FEATURES)))
    for i, row in enumerate(rows):
        for name, value in row.items():
            x[i, COL[name]] = value
    return x


def test_weights_match_the_features() -> None:
    assert len(WEIGHTS) == len(FEATURES)


def test_features_take_the_best_values_and_the_model_s_first_sentence() -> None:
    x = sentences(
        {"similarity": 0.3, "sentence_coverage": 1.0, "typed": 0.0},
        {"similarity": 0.6, "sentence_coverage": 0.5, "typed": 1.0},
    )
    f = dict(
        zip(
            FEATURES,
            question_features(0.9, 0.4, x, np.array([1.0, 3.0]), 0.75, 0.6, 8),
            strict=True,
        )
    )
    assert f["best_similarity"] == 0.6 and f["best_sentence_coverage"] == 1.0
    assert f["top_similarity"] == 0.6 and f["top_typed"] == 1.0  # the second has the higher logit
    assert f["top_logit"] == 3.0 and f["logit_gap"] == 2.0
    assert np.isclose(f["top_probability"], np.exp(3) / (np.exp(1) + np.exp(3)))
    assert f["rule_score"] == 0.9 and f["support"] == 0.4 and f["passages_coverage"] == 0.75


def test_no_candidates_give_zero_features() -> None:
    x = np.zeros((0, len(SENTENCE_FEATURES)))
    assert not question_features(1.0, 1.0, x, np.zeros(0), 1.0, 1.0, 5).any()


def test_fitted_model_answers_a_supported_question_and_doubts_an_unsupported_one() -> None:
    near = sentences(
        {
            "similarity": 0.75,
            "coverage": 1.0,
            "sentence_coverage": 1.0,
            "idf_coverage": 1.0,
            "typed": 1.0,
        }
    )
    far = sentences(
        {"similarity": 0.15, "coverage": 0.2, "sentence_coverage": 0.2, "idf_coverage": 0.1}
    )
    supported = question_features(1.6, 1.0, near, np.array([2.0]), 1.0, 0.7, 8)
    unsupported = question_features(0.3, 0.1, far, np.array([-2.0]), 0.3, 0.2, 8)
    threshold = Settings().min_score  # the default refusal threshold
    assert answer_probability(supported) > threshold > answer_probability(unsupported)
    assert answer_probability(supported) - answer_probability(unsupported) > 0.3


def test_fitter_learns_a_toy_separation_and_picks_the_threshold(bench_script) -> None:  # type: ignore[no-untyped-def]
    fit = bench_script("fit_refusal_model")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = x[:, 0] + 0.1 * rng.normal(size=200) > 0.3  # answerable when the first feature is high
    weight = np.full(200, 1 / 200)
    learned, bias = fit.fit(x, y, weight, 1e-4)
    assert learned[0] > 5 * max(abs(learned[1]), abs(learned[2]))
    assert fit.auc(x @ learned + bias, y) > 0.97
    assert fit.auc(-x[:, 0], y) < 0.05
    one_set = {"Y": y, "named": np.zeros(200, dtype=bool), "right": y, "s": x[:, 0]}
    threshold = fit.best_threshold({"toy": one_set}, "s", 0.1)
    refused_unanswerable, false_refusals, _ = fit.rates(one_set, x[:, 0], threshold)
    assert false_refusals <= 0.1 and refused_unanswerable > 0.95


def test_off_topic_gate_spares_a_sentence_holding_every_word_and_can_be_turned_off() -> None:
    from qa.answer import Judged, off_topic
    from qa.refusal_model import OFF_TOPIC_BIAS, OFF_TOPIC_WEIGHTS

    far = sentences({"similarity": 0.2, "sentence_coverage": 0.5, "idf_coverage": 0.3})
    x = question_features(0.8, 0.3, far, np.array([1.0]), 0.5, 0.2, 7)
    assert answer_probability(x, OFF_TOPIC_WEIGHTS, OFF_TOPIC_BIAS) < 0.27  # far in meaning
    assert off_topic(Judged([], [], 0.8, x), 0.27)
    assert not off_topic(Judged([], [], 0.8, x), 0.0)  # QA_MIN_ON_TOPIC=0: off
    # every word of the question in one sentence ("What is C-RAM?"): not judged by meaning
    held = question_features(0.8, 0.3, sentences({"similarity": 0.2, "sentence_coverage": 1.0}),
                             np.array([1.0]), 1.0, 0.2, 7)  # fmt: skip
    assert not off_topic(Judged([], [], 0.8, held), 0.27)


def test_off_topic_weights_match_the_features_and_ignore_length() -> None:
    from qa.refusal_model import OFF_TOPIC_WEIGHTS

    assert len(OFF_TOPIC_WEIGHTS) == len(FEATURES)
    assert OFF_TOPIC_WEIGHTS[FEATURES.index("log_question_words")] == 0.0
