"""The sentence model: its features on hand-made sentences, and the order its fitted weights give."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from qa.candidates import Candidate, Scored
from qa.citations import Passage
from qa.scores import model_features, model_order
from qa.selection import choose
from qa.sentence_model import FEATURES, WEIGHTS, year_match


def passage(i: int, text: str, title: str = "", score: float = 1.0, start: int = 0) -> Passage:
    return Passage(f"a{i}::0", f"a{i}", title, "", "", "", text, start, start + len(text), score)


def column(name: str) -> int:
    return FEATURES.index(name)


def two_sentences(text: str, similarities: tuple[float, float] = (0.6, 0.6)) -> list[Scored]:
    """The two sentences of a one-passage text ("A. B"), scored alike but for their similarity."""
    a, b = text.split(". ")
    cands = [Candidate(0, 0, len(a) + 1, a + "."), Candidate(0, len(a) + 2, len(text), b)]
    return [Scored(c, 1.0, sim, 1.0) for c, sim in zip(cands, similarities, strict=True)]


def second_comes_first(question: str, scored: list[Scored], text: str) -> bool:
    """Whether the model orders the second of two sentences first."""
    return (
        model_order(question, scored, [passage(0, text)], None)[0].candidate is scored[1].candidate
    )


def test_weights_match_the_features() -> None:
    assert WEIGHTS.shape == (len(FEATURES),) and np.isfinite(WEIGHTS).all()


def test_year_match_rewards_the_asked_year_and_penalises_others() -> None:
    assert year_match("Its 2022 word of the year is gaslighting.", {"2022"}) == 1.0
    assert year_match("It chose vaccine in 2021.", {"2022"}) == -1.0
    assert year_match("It chose a word.", {"2022"}) == 0.0
    assert year_match("It chose vaccine in 2021.", set()) == 0.0


def test_features_of_an_echo_and_of_an_answer() -> None:
    question = "Which word did Merriam-Webster choose as its 2022 word of the year?"
    text = (
        "Which word did Merriam-Webster choose as its 2022 word of the year? "
        "Merriam-Webster has announced its 2022 word of the year: gaslighting, chosen by editors."
    )
    echo_end = text.index("?") + 1
    ps = [passage(0, text, "Word of the year")]
    cands = [
        Candidate(0, 0, echo_end, text[:echo_end]),
        Candidate(0, echo_end + 1, len(text), text[echo_end + 1 :]),
    ]
    scored = [Scored(c, 1.0, sim, 1.0) for c, sim in zip(cands, [0.9, 0.7], strict=True)]
    x = model_features(question, scored, ps, None)
    assert x.shape == (2, len(FEATURES))
    echo, answer = x
    assert echo[column("question")] == 1.0 and answer[column("question")] == 0.0
    assert echo[column("echo")] == 1.0 and answer[column("echo")] == 0.0
    assert answer[column("novelty")] > 0.0 == echo[column("novelty")]
    assert echo[column("article_lead")] == 1.0 and answer[column("article_lead")] == 0.0
    assert answer[column("year")] == 1.0
    # gaps are measured from the best candidate: 0 for it, negative for the others
    assert echo[column("similarity_gap")] == 0.0
    assert np.isclose(answer[column("similarity_gap")], -0.2)
    # despite its higher similarity, the echo of the question is ordered after the answer
    assert [s.candidate for s in model_order(question, scored, ps, None)] == cands[::-1]


def test_a_sentence_of_the_asked_type_beats_one_without() -> None:
    question = "How many people were hurt in the blast?"
    text = "The blast hurt many people near the port. Officials said 23 people were hurt."
    assert second_comes_first(question, two_sentences(text), text)


def test_a_sentence_naming_a_place_of_the_asked_kind_comes_first() -> None:
    question = "The Supreme Court will hear a challenge to a law restricting care in which state?"
    text = (
        "The Supreme Court will hear a challenge to a law restricting care for minors. "
        "The case comes from Tennessee, where the law took effect last year."
    )
    scored = two_sentences(text)
    x = model_features(question, scored, [passage(0, text)], None)
    assert list(x[:, column("place")]) == [0.0, 1.0]
    assert second_comes_first(question, scored, text)


def test_a_sentence_naming_a_person_comes_first_for_a_who_question() -> None:
    question = "Who won the Booker Prize?"
    text = (
        "The Booker Prize was won by a Dublin author on Tuesday. "
        "Paul Lynch won the Booker Prize for Prophet Song."
    )
    # the embedding prefers the sentence without the name, as MiniLM often does
    scored = two_sentences(text, similarities=(0.7, 0.6))
    ps = [passage(0, text)]
    assert list(model_features(question, scored, ps, None)[:, column("person")]) == [0.0, 1.0]
    assert second_comes_first(question, scored, text)
    # the same sentences for a question that asks for no person: no such feature
    other = model_features("When was the Booker Prize won?", scored, ps, None)
    assert list(other[:, column("person")]) == [0.0, 0.0]


def test_choose_keeps_a_runner_up_within_the_logit_gap() -> None:
    first = Scored(Candidate(0, 0, 15, "Five were hurt."), 1.0, 0.5, 1.0, order=2.0)
    close = Scored(Candidate(1, 0, 14, "Six were hurt."), 0.2, 0.5, 1.0, order=1.0)
    far = Scored(Candidate(1, 0, 14, "Six were hurt."), 0.99, 0.5, 1.0, order=-1.0)
    assert choose([first, close], keep_gap=1.5) == [first, close]
    assert choose([first, far], keep_gap=1.5) == [first]


def test_choose_passes_over_a_runner_up_that_says_nothing_new() -> None:
    headline = Scored(
        Candidate(0, 0, 0, "Fed raises key rate by a quarter point", headline=True),
        1,
        1,
        1,
        order=3,
    )
    heading = Scored(Candidate(0, 0, 19, "Fed raises key rate"), 1.0, 0.5, 1.0, order=2.5)
    cause = Scored(Candidate(0, 20, 50, "It acted to fight inflation."), 1.0, 0.5, 1.0, order=2.0)
    assert choose([headline, heading, cause], keep_gap=1.5) == [headline, cause]


def test_choose_passes_over_a_headline_without_the_asked_date_or_number() -> None:
    best = Scored(
        Candidate(0, 0, 40, "The rockets hit the embassy this year."), 1.0, 0.5, 1.0, order=3.0
    )
    headline = Scored(Candidate(0, 0, 20, "Rockets hit Baghdad", headline=True), 1, 1, 1, order=2.9)
    dated = Scored(Candidate(0, 41, 80, "Shells were fired on Nov. 17."), 0.9, 0.5, 1.0, order=2.5)
    ranked = [best, headline, dated]
    assert choose(ranked, keep_gap=1.5, question="When were the rockets fired?") == [best, dated]
    assert choose(ranked, keep_gap=1.5, question="How many rockets hit?") == [best, dated]
    assert choose(ranked, keep_gap=1.5, question="Who fired the rockets?") == [best, headline]
    assert choose(ranked, keep_gap=1.5) == [best, headline]


def test_a_headline_the_source_cut_short_is_followed_by_its_story() -> None:
    cut = Scored(
        Candidate(0, 0, 30, "Putin can stay in power 'until", headline=True), 1, 1, 1, order=9.0
    )
    story = Scored(Candidate(0, 0, 30, "Zelensky said Putin hides."), 0.9, 0.5, 1.0, order=5.0)
    other = Scored(Candidate(1, 0, 30, "A man spoke elsewhere."), 0.9, 0.5, 1.0, order=6.0)
    ranked = [cut, other, story]  # far below the headline: no runner-up by the gap
    titles = ["Putin can stay in power 'until...", "Elsewhere"]
    assert choose(ranked, keep_gap=1.5, titles=titles) == [cut, story]  # same story, not `other`
    whole = ["Putin can stay in power until 2036", "Elsewhere"]
    assert choose(ranked, keep_gap=1.5, titles=whole) == [cut]  # a whole headline says it all


def test_fitter_gradient_matches_finite_differences_and_learns_a_toy_ranking(bench_script) -> None:  # type: ignore[no-untyped-def]
    fit = bench_script("fit_sentence_model")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    groups = np.repeat(np.arange(10), 4)
    # in each question the gold candidate is the one with the largest first feature
    y = np.zeros(40, dtype=bool)
    for g in range(10):
        rows = np.where(groups == g)[0]
        y[rows[np.argmax(x[rows, 0])]] = True
    w = rng.normal(size=3)
    value, grad = fit.loss(w, x, y, fit.by_group(groups), 0.1)
    eps = 1e-6
    numeric = [
        (fit.loss(w + eps * e, x, y, fit.by_group(groups), 0.1)[0] - value) / eps for e in np.eye(3)
    ]
    assert np.allclose(grad, numeric, atol=1e-4)
    learned = fit.fit(x, y, groups, 0.01)
    assert learned[0] > abs(learned[1]) and learned[0] > abs(learned[2])
    assert fit.top_share(x @ learned, y, groups, 1) == 1.0
    assert fit.top_share(-x[:, 0], y, groups, 1) == 0.0
    assert fit.holds("Its word of the year is “gaslighting.”", ["Gaslighting"])
    assert not fit.holds("It raised 15%.", ["5"])


def test_a_close_dated_sentence_leads_instead_of_a_dateless_headline() -> None:
    headline = Scored(Candidate(0, 0, 20, "Rockets hit embassy", headline=True), 1, 1, 1, order=3.0)
    dated = Scored(Candidate(0, 41, 80, "Shells were fired on Nov. 17."), 0.9, 0.5, 1.0, order=2.5)
    later = Scored(Candidate(0, 81, 99, "Nobody was hurt."), 0.9, 0.5, 1.0, order=2.4)
    far = Scored(Candidate(0, 41, 80, "Shells were fired on Nov. 17."), 0.9, 0.5, 1.0, order=0.0)
    when = "When were the rockets fired?"
    assert choose([headline, dated, later], keep_gap=1.5, question=when) == [dated, later]
    # none close enough to lead: the headline leads, and a dated sentence within 3 logits
    # (qa.selection.ASKED_GAP) follows it, as the date asked for; none farther
    assert choose([headline, far], keep_gap=1.5, question=when) == [headline, far]
    farther = replace(far, order=-0.5)
    assert choose([headline, farther], keep_gap=1.5, question=when) == [headline]
    assert choose([headline, dated], keep_gap=1.5, question="Who fired?") == [headline, dated]


def test_choose_passes_over_a_runner_up_about_other_names_than_asked() -> None:
    question = "Who is Mack Rutherford trying to beat for the record?"
    best = Scored(
        Candidate(0, 0, 40, "Rutherford hopes to beat Travis Ludlow."), 1.0, 0.5, 1.0, order=3.0
    )
    judge = Scored(Candidate(1, 0, 30, "Aaron Judge chases the record."), 1, 1, 1, order=2.9)
    pilot = Scored(Candidate(2, 0, 30, "The teen pilot set off in March."), 1, 1, 1, order=2.8)
    titles = [
        "Teen pilot Mack Rutherford",
        "Yankees slugger's record chase",
        "Mack Rutherford lands",
    ]
    # the second sentence names none of the question's names, nor does its headline; the third's
    # headline does
    assert choose([best, judge, pilot], keep_gap=1.5, question=question, titles=titles) == [
        best,
        pilot,
    ]
    assert choose([best, judge], keep_gap=1.5, question=question) == [best, judge]  # no titles
    # a follow-up names no one itself: the names are those its rewriting carried
    follow = "And who is he trying to beat?"
    carried = f"{follow} (Mack Rutherford record)"
    assert choose([best, judge], keep_gap=1.5, question=follow, titles=titles) == [best, judge]
    assert choose(
        [best, judge], keep_gap=1.5, question=follow, titles=titles, named_in=carried
    ) == [best]


def test_a_who_answer_naming_no_one_takes_a_close_sentence_that_does() -> None:
    question = "Who chewed off the man's ear?"
    best = Scored(
        Candidate(0, 0, 60, "A man accused of chewing off the ear of a man was held, police said."),
        1,
        1,
        1,
        order=3.0,
    )
    head = Scored(
        Candidate(0, 0, 40, "Man accused of chewing off ear in bar fight", headline=True),
        1,
        1,
        1,
        order=2.9,
    )
    named = Scored(
        Candidate(0, 70, 130, "Koryn Daniel Kraemer was charged with assault on Wednesday."),
        1,
        1,
        1,
        order=1.0,
    )
    far = replace(named, order=-0.5)
    assert choose([best, head, named], keep_gap=1.5, question=question) == [best, named]
    assert choose([best, head, far], keep_gap=1.5, question=question) == [best, head]  # too far
    said = replace(head, candidate=replace(head.candidate, headline=False))  # a sentence stays
    assert choose([best, said, named], keep_gap=1.5, question=question) == [best, said]
    # a question that asks for no one is left alone
    assert choose([best, head, named], keep_gap=1.5, question="What happened?") == [best, head]


def test_a_sentence_saying_what_a_yes_no_question_asks_is_no_echo() -> None:
    from qa.answer_types import asks_yes_or_no

    assert asks_yes_or_no("Did the Supreme Court overturn Roe v. Wade?")
    assert asks_yes_or_no("And was the ticket sold in California?")
    assert not asks_yes_or_no("Is it Biden or Trump?")  # which of two
    assert not asks_yes_or_no("Who overturned Roe v. Wade?")
    text = "The Supreme Court overturned the Roe ruling. Polls show most Americans opposed it"
    scored = two_sentences(text, similarities=(0.8, 0.7))
    ps = [passage(0, text)]
    question = "Did the Supreme Court overturn the Roe ruling?"
    asked = model_features(question, scored, ps, None)
    assert list(asked[:, column("echo")]) == [0.0, 0.0]  # the first says yes: no echo
    echoed = model_features("When did the Supreme Court overturn the Roe ruling?", scored, ps, None)
    assert echoed[0, column("echo")] == 1.0  # for other questions an echo is still one
    assert not second_comes_first(question, scored, text)
