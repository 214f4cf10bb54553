"""Spelling correction of questions against the index's words (qa/spelling.py) and `qa eval --typos`."""

from __future__ import annotations

import pytest

from index.lexical import stem_words
from qa.eval_typos import misspelled
from qa.spelling import Speller, corrected, english_words

# how many passages hold each (stemmed) term of a made-up index
TERMS = {
    "chines": 40,  # "chinese"
    "spi": 25,
    "balloon": 30,
    "ballot": 90,
    "happen": 60,
    "zelenskyy": 12,
    "ukrain": 80,
    "nasa": 7,
    "telescop": 5,
    "texa": 50,  # "texas"
    "use": 300,
    "user": 40,
    "hope": 500,
}
ENGLISH = {
    "chinese": 5000,
    "spy": 3000,
    "balloon": 2000,
    "ballot": 900,
    "happened": 60000,
    "happen": 20000,
    "ukraine": 300,
    "with": 900000,
    "what": 900000,
    "telescope": 800,
    "the": 9000000,
    "percentage": 6000,
    "tex": 40,  # the typesetting system: "texs" stems like it
    "texas": 4000,
    "uses": 9000,
    "users": 3000,
    "hoped": 9000,
    "bide": 2000,  # common enough to be offered as a correction of a word
}


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller.build(TERMS, stem_words, ENGLISH)


def test_misspelled_words_become_the_index_s_words(speller: Speller) -> None:
    question = "What hapend with the chinse spy balloon?"
    fixes = speller.fixes(question)
    assert fixes == [("hapend", "happened"), ("chinse", "chinese")]
    assert corrected(question, fixes) == "What happened with the chinese spy balloon?"
    # the first word is a word like any other; its capital is kept
    assert speller.fixes("Ukrane and the war") == [("Ukrane", "Ukraine")]
    # nearest first; then a word holding every letter typed (a letter dropped or two swapped);
    # then the word in most passages. "ballon" is one edit from both, ballot is in more
    # passages, but only balloon holds its "n"; "ballooon" is one edit from balloon only
    assert speller.fixes("the ballooon") == [("ballooon", "balloon")]
    assert speller.fixes("the ballon") == [("ballon", "balloon")]
    assert speller.fixes("how many usres") == [("usres", "users")]  # not "uses", in more
    assert speller.fixes("what hapend") == [("hapend", "happened")]  # not "hoped", in more


def test_known_words_names_acronyms_and_short_words_are_left_alone(speller: Speller) -> None:
    for question in (
        "What happened with the Chinese spy balloon?",  # all known
        "What did Zelenksy say?",  # a name: the index may simply not cover this person
        "What did NASSA launch?",  # an acronym
        "What did the telescopes see?",  # an inflection of a known word
        "What did the spys say?",  # too short to guess from
        "Who is Jon Holden?",
    ):
        assert speller.fixes(question) == [], question


def test_a_word_the_index_lacks_can_become_a_common_english_word(speller: Speller) -> None:
    # "percentage" is in no passage here, but the embedder still reads it better than a typo
    assert speller.fixes("What perentage of the vote?") == [("perentage", "percentage")]


def test_names_get_a_suggestion_not_a_correction(speller: Speller) -> None:
    assert speller.suggestion("Zelenskyi") == "Zelenskyy"
    assert speller.suggestion("Qwxyz") is None  # nothing near
    assert speller.suggestion("Zelenskyy") is None  # nothing to suggest
    # a name the index lacks gets its nearest index word, though it stems like English ("tex")
    assert speller.suggestion("Texs") == "Texas"
    # only a word some article holds: "bide" is English, but in no passage here
    assert speller.suggestion("Biden") is None


def test_a_question_in_another_language_is_told_apart_and_not_corrected() -> None:
    speller = Speller.build(TERMS, stem_words, english_words())
    for question, language in (
        ("¿Desde dónde se dispararon los cohetes?", "Spanish"),
        ("Von wo wurden die Raketen abgefeuert?", "German"),
        ("Combien de personnes sont mortes?", "French"),
        ("Da dove sono stati lanciati i razzi?", "Italian"),
        ("De onde foram disparados os foguetes?", "Portuguese"),
        ("Waar werden de raketten vandaan afgevuurd?", "Dutch"),
        ("que paso con el presidente", "Spanish"),  # English's list holds que, paso, con, el
        ("Quién ganó las elecciones?", "Spanish"),  # Spanish's list has "quien", no accent
        ("Qui a gagné?", "French"),
        ("Wer hat gewonnen?", "German"),
        ("Откуда были выпущены ракеты?", "another language"),
        ("火箭是从哪里发射的？", "another language"),
    ):
        assert speller.language(question) == language, question
        assert speller.fixes(question) == [], question
    for question in (
        "wat hapend wth the chinse spy balon",  # typos, but English
        "whre wer the rokets fird frm",
        "Did Zelenskyy meet Macron in Kyiv?",  # names the index may lack
        "Is the spy balloon from 中国?",
        "who won the tour de france",  # a few words of another language
        "did el nino cause the floods",
        "was the fiesta cancelled in pamplona",
        "What did the soldiers die of?",
        "Ukraine?",
    ):
        assert speller.language(question) == "", question
    assert ("hapend", "happened") in speller.fixes("wat hapend wth the chinse spy balon")


def test_corrected_replaces_whole_words_in_order() -> None:
    assert corrected("chinse chinse, chinsey", [("chinse", "chinese")]) == "chinese chinse, chinsey"
    assert corrected("a b", []) == "a b"
    assert corrected("x chinse", [("absent", "y"), ("chinse", "chinese")]) == "x chinese"


def test_a_large_index_s_one_passage_terms_correct_nothing() -> None:
    terms = {"balloon": 1, "ballot": 1}
    small = Speller.build(terms, stem_words, {}, n_passages=10)
    large = Speller.build(terms, stem_words, {}, n_passages=50_000)
    assert small.fixes("the ballooon") == [("ballooon", "balloon")]
    assert large.fixes("the ballooon") == []


def test_the_english_list_is_pyspellchecker_s_common_words() -> None:
    words = english_words()
    assert len(words) > 30_000 and "balloon" in words
    assert "ballon" not in words  # listed by pyspellchecker, but too rare to trust


def test_misspelled_makes_one_fixed_typo_in_a_lower_case_content_word() -> None:
    question = "Which country launched a successful mission to the Moon?"
    typo = misspelled(question, "q1")
    assert typo == misspelled(question, "q1") and typo != question
    changed = [(a, b) for a, b in zip(question.split(), typo.split(), strict=True) if a != b]
    assert len(changed) == 1
    right, wrong = changed[0]
    assert right in {"country", "launched", "successful", "mission"}
    assert wrong[0] == right[0] and abs(len(wrong) - len(right)) <= 1
    assert misspelled("Who is Ada Lovelace?", "q2") == "Who is Ada Lovelace?"  # nothing to mistype
    assert len({misspelled(question, f"q{i}") for i in range(30)}) > 10  # the seed decides


def test_seed_questions_with_a_typo_are_answered_and_say_what_was_searched(seed_engine) -> None:  # type: ignore[no-untyped-def]
    answer = seed_engine.ask("Where were the rokcets fired from?")
    assert answer.answered and "al-Amin al-Thaniyah" in answer.text
    assert answer.notice == "Searched for “Where were the rockets fired from?”."
    # a follow-up carries the corrected words of the question before
    again = seed_engine.ask(
        "How many civilians were wounded?",
        history=[("Where were the rokcets fired from?", answer.text)],
    )
    assert again.answered and "five" in again.text and again.notice == ""
    later = seed_engine.ask("Where were they fired from?", history=[("How many rokcets?", "")])
    assert later.answered and "(rockets)" in later.question  # the carried word, spelled
    # a name the index lacks is refused, with the near name it holds
    name = seed_engine.ask("What did the Pentagn say?")
    assert not name.answered
    assert (
        name.text == "The articles don't say. No article mentions Pentagn. Did you mean Pentagon?"
    )
    # a refusal quotes what was typed; the notice says what was searched
    refused = seed_engine.ask("Who won the elction?")
    assert not refused.answered and refused.notice == "Searched for “Who won the election?”."
    assert refused.text == "The articles don't say. No passage answers “Who won the elction?”"
    # a question in another language is no name the index lacks, nor a string of typos
    spanish = seed_engine.ask("¿Desde dónde se dispararon los cohetes?")
    assert not spanish.answered and spanish.notice == ""  # nothing "corrected"
    assert spanish.text == (
        "The articles don't say. The question seems to be in Spanish, and the articles are "
        "searched in English: ask it in English."
    )


def test_spelling_can_be_turned_off(seed_index, tmp_path, embed_model) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from qa.engine import Engine
    from qa.settings import Settings

    shutil.copytree(seed_index, tmp_path / "index")
    engine = Engine(Settings(index_dir=tmp_path / "index", spelling=False), embed_model=embed_model)
    assert engine.index.speller() is None
    assert engine.index.spelled("Where were the rokcets fired from?").endswith(
        "rokcets fired from?"
    )


def test_a_word_the_index_holds_only_with_other_accents_takes_the_index_s_spelling() -> None:
    speller = Speller.build({"montréal": 3, "bistro": 2, "chines": 5}, stem_words, ENGLISH)
    # names too: it is the same name, however typed
    assert speller.fixes("Who opened a bistro in Montreal?") == [("Montreal", "Montréal")]
    assert speller.fixes("Who opened a bistro in Montréal?") == []
    assert speller.fixes("Which bistró?") == [("bistró", "bistro")]
    # a word of another language is not forced into an English one
    assert speller.fixes("¿Cuándo abrió?") == []
    # stop words are in no index: "for" is not its Swedish "för", nor "the" a styled "𝑡ℎ𝑒"
    styled = Speller.build({"för": 3, "𝑡ℎ𝑒": 4}, stem_words, ENGLISH)
    assert styled.fixes("For the record") == []


def test_names_are_shown_as_the_articles_write_them_not_as_stems() -> None:
    # the index's term is the stem "zelenski"; its passages write "zelensky"
    speller = Speller.build({"zelenski": 9}, stem_words, ENGLISH, surface={"zelenski": "zelensky"})
    assert speller.suggestion("Zelenksy") == "Zelensky"
    assert speller.fixes("what did zelenksy say") == [("zelenksy", "zelensky")]


def test_a_typo_keeps_its_first_letter() -> None:
    # "duboys", a name typed in lower case, is two edits from "boys": not a typo of it
    speller = Speller.build({"boy": 10}, stem_words, {"boys": 5000})
    assert speller.fixes("who is marie duboys") == []
    assert speller.fixes("where are the boyys") == [("boyys", "boys")]


def test_a_question_is_spelled_once_then_remembered(speller: Speller) -> None:
    question = "What hapend with the chinse spy balloon?"
    first = speller.fixes(question)
    assert speller.seen[question] == first
    first.clear()  # the caller's list is its own
    assert speller.fixes(question) == [("hapend", "happened"), ("chinse", "chinese")]
