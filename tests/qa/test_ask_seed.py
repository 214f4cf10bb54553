"""ask() on the seed article: cited answers and refusals, through the real chain."""

from __future__ import annotations

import re

import pytest

import qa
from qa import Answer, Citation, ask
from qa.answer import quoted_before
from qa.errors import ConfigError


def test_public_api_is_pinned() -> None:
    assert qa.__all__ == ["Answer", "Citation", "ask"]


def test_where_were_rockets_fired_from(seed_engine) -> None:  # type: ignore[no-untyped-def]
    answer = ask("Where were the rockets fired from?", engine=seed_engine)
    assert isinstance(answer, Answer) and answer.answered
    assert "al-Amin al-Thaniyah" in answer.text and "[1]" in answer.text
    cite = answer.citations[0]
    assert isinstance(cite, Citation) and cite.n == 1
    assert (
        cite.title == "Rockets fired at U.S. Embassy in Baghdad" and cite.published == "2020-11-17"
    )
    assert "al-Amin al-Thaniyah" in cite.passage
    (start, end), *_ = cite.highlights
    assert "al-Amin al-Thaniyah" in cite.passage[start:end]


def test_how_many_civilians_wounded(seed_engine) -> None:  # type: ignore[no-untyped-def]
    answer = ask("How many civilians were wounded?", engine=seed_engine)
    assert answer.answered and "five" in answer.text and answer.citations
    assert all(f"[{c.n}]" in answer.text for c in answer.citations)


def test_happen_is_no_word_the_answer_must_hold(seed_engine) -> None:  # type: ignore[no-untyped-def]
    # "happen" and "occur" name no subject: "When did the attack happen?" was refused
    answer = ask("When did the attack happen?", engine=seed_engine)
    assert answer.answered and answer.text.startswith("Nov. 17, 2020:")


def test_an_irregular_plural_finds_its_singular(seed_engine) -> None:  # type: ignore[no-untyped-def]
    # the article says "killed at least one child"; Snowball leaves "children" and "child" apart
    answer = ask("How many children were killed?", engine=seed_engine)
    assert answer.answered and "killed at least one child" in answer.text


def test_a_follow_up_in_other_words_than_the_article_s(seed_engine) -> None:  # type: ignore[no-untyped-def]
    # "hurt" is the article's "wounded": asked, not a new topic, and answered by that sentence
    from qa.followup import asked_predicate

    first = ask("Where were the rockets fired from in Baghdad?", engine=seed_engine)
    history = [("Where were the rockets fired from in Baghdad?", first.text)]
    for follow_up in ("and how many were hurt?", "How many people died?"):
        answer = ask(follow_up, history=history, engine=seed_engine)
        assert answer.answered and "wounded five other civilians" in answer.text, follow_up
    assert asked_predicate("How many got sick or injured?") == {"sick", "injured"}
    assert asked_predicate("What about Ohtani?") == set()


def test_when_gets_the_sentence_with_the_date_not_a_dateless_headline(seed_engine) -> None:  # type: ignore[no-untyped-def]
    answer = ask("When were the rockets fired?", engine=seed_engine)
    assert answer.answered and "Tuesday night (local time), Nov. 17" in answer.text
    assert "“Rockets fired at U.S. Embassy in Baghdad”" not in answer.text


def test_citation_span_is_the_passage_in_the_article(seed_engine) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from index.load import load_paths

    seed = next(iter(load_paths([Path(__file__).resolve().parents[2] / "seeds"])))
    answer = ask("Where were the rockets fired from?", engine=seed_engine)
    assert answer.answered and answer.citations
    for c in answer.citations:
        assert seed.text[c.start : c.end] == c.passage  # type: ignore[union-attr]


def test_refuses_what_the_articles_do_not_say(seed_engine) -> None:  # type: ignore[no-untyped-def]
    answer = ask("Who won the 2018 FIFA World Cup?", engine=seed_engine)
    assert not answer.answered and answer.citations == []
    assert "articles don't say" in answer.text
    with pytest.raises(ConfigError, match="The question must be text, not NoneType"):
        ask(None, engine=seed_engine)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="limited to 4,000 characters; this one has 4,001"):
        ask("x" * 4001, engine=seed_engine)
    with pytest.raises(ConfigError, match="top_k must be a whole number from 1 to 100, not 0"):
        ask("Where were the rockets fired from?", top_k=0, engine=seed_engine)
    with pytest.raises(ConfigError, match="history must be a list of .question, answer. pairs"):
        ask("And when?", history=[("Where?",)], engine=seed_engine)  # type: ignore[list-item]
    # a long question is not quoted back whole
    long = ask(
        "Who is the president of the republic " + "and then what " * 280 + "?", engine=seed_engine
    )
    assert not long.answered and len(long.text) < 300 and long.text.endswith("…”")


def test_refuses_a_question_that_only_shares_a_word_with_the_article(seed_engine) -> None:  # type: ignore[no-untyped-def]
    # "president" is in the seed (President Donald Trump) and, in a four-passage index, weighs
    # as much as a name: only the sentences' distance from the question says they don't answer
    answer = ask("Who is the president of the republic?", engine=seed_engine)
    assert not answer.answered and answer.citations == []
    assert answer.text.endswith("No passage answers “Who is the president of the republic?”")
    # ... while a term MiniLM does not know, which a sentence holds, is still answered
    acronym = ask("What is C-RAM?", engine=seed_engine)
    assert acronym.answered and "C-RAM air defense system" in acronym.text


def test_refuses_a_question_whose_names_no_article_mentions(seed_engine) -> None:  # type: ignore[no-untyped-def]
    # "the country's capital" is close to the question, but the seed never says "Spain"
    spain = ask("What is the capital of Spain?", engine=seed_engine)
    assert not spain.answered and spain.citations == []
    assert spain.text == "The articles don't say. No article mentions Spain."
    france = ask("Who is the president of France?", engine=seed_engine)
    assert france.text == "The articles don't say. No article mentions France."
    # a place the articles name only by its adjective ("pro-Iranian") is mentioned
    iran = ask("What did the groups allied with Iran claim?", engine=seed_engine)
    assert iran.answered and "pro-Iranian" in iran.text
    # one name the articles hold is enough to look
    iraq = ask("What did the Pentagon say about the attacks in Spain?", engine=seed_engine)
    assert iraq.answered and "Pentagon" in iraq.text


def test_a_request_for_the_gist_gets_the_articles_opening(seed_engine) -> None:  # type: ignore[no-untyped-def]
    answer = ask("What is this article about?", engine=seed_engine)
    assert answer.answered and [c.article_id for c in answer.citations] == [
        "seeds/2020-11-17-rockets-fired-at-us-embassy-baghdad.txt"
    ]
    assert answer.text.startswith("“Rockets fired at U.S. Embassy in Baghdad” [1] Several shells")
    assert answer.citations[0].start == 0 and answer.citations[0].highlights[0][0] == 0


def test_tell_me_about_a_subject_gets_the_opening_of_its_article(seed_engine) -> None:  # type: ignore[no-untyped-def]
    from qa.intents import asks_for_gist_of

    assert asks_for_gist_of("Can you tell me about the embassy attack?")
    assert asks_for_gist_of("Give me a quick summary of the rocket attack")
    assert not asks_for_gist_of("Tell me about it")  # names no subject: the overview's
    assert not asks_for_gist_of("What happened to the rate of deforestation in 2014?")
    answer = ask("Tell me about the rockets fired at the embassy", engine=seed_engine)
    assert answer.answered
    assert answer.text.startswith("“Rockets fired at U.S. Embassy in Baghdad” [1] Several shells")
    assert "This broke the truce" in answer.text  # more than the headline
    absent = ask("Tell me about the Super Bowl halftime show", engine=seed_engine)
    assert not absent.answered


def test_a_follow_up_adds_no_sentence_the_last_answer_said(seed_engine) -> None:  # type: ignore[no-untyped-def]
    history: list[tuple[str, str]] = []
    for question in ("What happened at the US embassy in Baghdad?", "Was anyone hurt?"):
        history.append((question, ask(question, history=history, engine=seed_engine).text))
    # "Was anyone hurt?" did not repeat the first answer's headline
    assert "“Rockets fired at U.S. Embassy in Baghdad”" in history[0][1]
    assert "“Rockets fired at U.S. Embassy in Baghdad”" not in history[1][1]
    who = ask("Who fired them?", history=history, engine=seed_engine)
    assert who.answered and len(who.citations) >= 1
    # it may lead with a sentence quoted before (nothing new comes close), but adds none
    quoted = [c.passage[a:b] for c in who.citations for a, b in c.highlights]
    assert quoted and not any(quoted_before(q, history[-1][1]) for q in quoted[1:])
    # a question asked again quotes again what its last answer quoted
    again = ask("Was anyone hurt?", history=history, engine=seed_engine)
    assert "there were no injuries or material damage" in history[1][1]
    assert "there were no injuries or material damage" in again.text


def test_a_year_none_of_the_articles_found_mentions_is_refused(seed_engine) -> None:  # type: ignore[no-untyped-def]
    before = ask("Where were the rockets fired from in 2019?", engine=seed_engine)
    assert not before.answered
    assert before.text == "The articles don't say. The articles found on it do not mention 2019."
    # the article's own date counts, and a season ("2019-20") is not a year asked for
    assert ask("Where were the rockets fired from in 2020?", engine=seed_engine).answered
    assert ask(
        "Where were the rockets fired from in the 2019-20 season?", engine=seed_engine
    ).answered


def test_two_questions_in_one_are_both_answered(seed_engine) -> None:  # type: ignore[no-untyped-def]
    both = ask(
        "Where were the rockets fired from, and how many civilians were wounded?",
        engine=seed_engine,
    )
    assert both.answered and "al-Amin al-Thaniyah" in both.text and "wounded five" in both.text
    numbers = sorted({int(n) for n in re.findall(r"\[(\d+)\]", both.text)})
    assert numbers == [c.n for c in both.citations] == list(range(1, len(numbers) + 1))


def test_follow_ups_are_answered_with_citations(seed_engine) -> None:  # type: ignore[no-untyped-def]
    first = ask("Where were the rockets fired from?", engine=seed_engine)
    history = [("Where were the rockets fired from?", first.text)]
    wounded = ask("And how many were wounded?", history=history, engine=seed_engine)
    assert wounded.answered and "five" in wounded.text and wounded.citations
    assert "rockets" in wounded.question  # rewritten into a standalone question
    pentagon = ask(
        "What did the Pentagon say about it?",
        history=history + [("And how many were wounded?", wounded.text)],
        engine=seed_engine,
    )
    assert pentagon.answered and "Pentagon" in pentagon.text and pentagon.citations
    # a refused follow-up quotes what the user asked, not the rewritten question
    # ... asked afresh, as its own words are in none of the passages the carried words find
    final = ask("And who won the football final?", history=history, engine=seed_engine)
    assert not final.answered and final.question == "And who won the football final?"
    assert final.text == (
        "The articles don't say. No passage answers “And who won the football final?”"
    )
    # a follow-up naming only what no article mentions is refused before any search
    cup = ask("And who won the World Cup?", history=history, engine=seed_engine)
    assert cup.text == "The articles don't say. No article mentions World Cup."
    # ... while one naming nothing of its own is answered from the context it carries
    when = ask("When did it happen?", history=history, engine=seed_engine)
    assert when.answered and when.citations
    wounded = ask("How many civilians were wounded?", engine=seed_engine)
    when = ask(
        "When did it happen?", history=[(wounded.question, wounded.text)], engine=seed_engine
    )
    assert when.answered and "Nov. 17" in when.text
    # the answer named VOA News: a question about it is about this attack
    voa = ask("What did VOA News report?", history=history, engine=seed_engine)
    assert "VOA News" in first.text and "rockets" in voa.question
    assert voa.answered and voa.citations


def test_followup_rule_is_deterministic_and_leaves_standalone_questions_alone() -> None:
    from qa.answer import refusal
    from qa.followup import standalone_question

    history = [("Where were the rockets fired from?", "From al-Amin al-Thaniyah [1].")]
    assert (
        standalone_question("And how many were wounded?", history)
        == "And how many were wounded? (rockets fired)"
    )
    assert (
        standalone_question("Who leads the Iraqi government coalition today?", history)
        == "Who leads the Iraqi government coalition today?"
    )
    assert standalone_question("And how many were wounded?", None) == "And how many were wounded?"
    # short, but it names what it asks about
    assert standalone_question("Who is the president of France?", history) == (
        "Who is the president of France?"
    )
    assert standalone_question("How many died?", history) == "How many died? (rockets fired)"
    # a question about a name the last answer gave follows up on it; one the question gave, not
    nato = [("Which countries did NATO invite?", "Finland and Sweden, after Turkey relented [1].")]
    assert standalone_question("What did Turkey demand?", nato) == (
        "What did Turkey demand? (countries NATO invite)"
    )
    assert standalone_question("When did NATO last grow?", nato) == "When did NATO last grow?"
    # ... a name the answer completed counts too
    trip = [("Where did the first lady go?", "[Jill] Biden went to Ukraine [1].")]
    assert standalone_question("Who is Jill Biden?", trip) == "Who is Jill Biden? (first lady go)"
    # a refused question is skipped: the follow-up is about the last one answered
    refused = history + [("Who is the president of France?", refusal("Who is it?").text)]
    assert standalone_question("How many died?", refused) == "How many died? (rockets fired)"
    # a request for the news asks afresh, and "latest news" names nothing to carry on
    assert standalone_question("And what's the latest news?", history) == (
        "And what's the latest news?"
    )
    news = [("What's the latest news?", "Nov. 17, 2020: “Rockets fired...” [1]")]
    assert standalone_question("And what happened in Baghdad?", news) == (
        "And what happened in Baghdad?"
    )
    assert standalone_question("And what about it?", news) == "And what about it?"
    assert standalone_question("What's the latest news about it?", history) == (
        "What's the latest news about it? (rockets fired)"  # "it" is what was asked before
    )


def test_he_or_she_after_an_answer_naming_someone_carries_that_name() -> None:
    from qa.followup import referent, standalone_question

    pelosi = [
        (
            "Who attacked Paul Pelosi?",
            "Nov. 1, 2022: “Paul Pelosi attack: What we know…” [1] Nov. 2, 2022: “David DePape: "
            "Suspect in Paul Pelosi attack awoke him…” [2]",
        )
    ]
    assert standalone_question("How old is he?", pelosi) == (
        "How old is he? (David DePape attacked Paul Pelosi)"
    )
    # the answerer's added first name counts; the name's words are not carried twice
    twitter = [("Who bought Twitter?", "[Elon] Musk agreed to buy Twitter in April [1].")]
    assert standalone_question("How much did he pay?", twitter) == (
        "How much did he pay? (Elon Musk bought Twitter)"
    )
    # "she" is no man the answer named, and "he" no woman
    assert referent("Where did she work before?", *twitter[0]) == ""
    ceo = ("Who runs Twitter now?", "Linda Yaccarino took over from Elon Musk [1].")
    assert referent("Where did she work before?", *ceo) == "Linda Yaccarino"
    assert referent("Where did he work before?", *ceo) == "Elon Musk"
    assert referent("Did he hire her?", *ceo) == ""  # both: no telling which is which
    # after a question that is not "who", "she" is the person it named
    queen = (
        "When did Queen Elizabeth die?",
        "Elizabeth Windsor died in 2022, said Anne Smith [1].",
    )
    assert referent("How old was she?", *queen) == ""
    assert standalone_question("How old was she?", [queen]) == (
        "How old was she? (Queen Elizabeth die)"
    )
    # ... and the one who asked about is not the answer
    assert (
        referent("When did he leave?", "Who replaced Bob Chapek?", "Bob Iger replaced Bob Chapek.")
        == "Bob Iger"
    )


def test_rank_fusion_answers_the_same(seed_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import qa.retrieve
    from qa.engine import Engine

    fused: list[int] = []
    real = qa.retrieve.reciprocal_rank_fusion

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        fused.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(qa.retrieve, "reciprocal_rank_fusion", counting)
    assert ask("Where were the rockets fired from?", engine=seed_engine).answered and not fused
    settings = seed_engine.settings.model_copy(update={"fusion": "rrf"})
    engine = Engine(settings, embed_model=seed_engine.embed_model)
    answer = ask("Where were the rockets fired from?", engine=engine)
    assert fused, "QA_FUSION=rrf did not reach the retriever"
    assert answer.answered and "al-Amin al-Thaniyah" in answer.text
    assert ask("Who won the 1998 World Cup?", engine=engine).answered is False


def test_a_follow_up_can_point_at_a_source_of_an_earlier_answer() -> None:
    from qa.followup import pointed_source, standalone_question, wants_more

    digest = (
        "July 14, 2024: “Jazz festival draws record crowd” [1] The festival drew 85,000 "
        "visitors. [1] March 22, 2024: “Rail strike ends” [2] March 20, 2024: “Central bank "
        "holds rates” [3]"
    )
    news = [("What's the latest news?", digest)]
    assert standalone_question("Tell me more about the second one", news) == (
        "Tell me more about it (rail strike ends)"
    )
    assert standalone_question("When did the last one happen?", news) == (
        "When did it happen? (central bank holds rates)"
    )
    assert standalone_question("What does [3] say?", news).endswith("(central bank holds rates)")
    # "the first" of the list, even after a one-source answer about the second
    strike = [*news, ("Tell me more about the second one", "“Rail strike ends” [1] ... [1]")]
    assert standalone_question("What about the first?", strike) == (
        "What about it? (jazz festival draws record crowd)"
    )
    # "Tell me more" is about the last answer's first source
    assert standalone_question("Tell me more", strike) == "Tell me more (rail strike ends)"
    # an ordinal that points at nothing, or no answer to point into, changes nothing
    assert pointed_source("Who was the first woman in space?") is None
    assert pointed_source("Who came first?") is None
    assert pointed_source("What does the first article of the constitution say?") is None
    for question in [  # ordinary questions with ordinals and numbers in them
        "What is article 2 of the Constitution about?",
        "Who was the #1 pick in the 2023 NFL draft?",
        "Was Artemis I the first?",
        "What was the first story Bob Woodward broke on Watergate?",
        "Which was the second item on the G7 agenda?",
    ]:
        assert pointed_source(question) is None, question
        assert standalone_question(question, news) == question
    # after a "Tell me more" answer (one article over several [n]), "the second" is the list's
    more = [*news, ("What about the first?", "It drew 85,000. [1] Bell closed it. [2]")]
    assert standalone_question("Tell me more about the second one", more) == (
        "Tell me more about it (rail strike ends)"
    )
    assert standalone_question("Tell me about the fourth one", news) == (
        "Tell me about the fourth one"
    )
    # asking for more of it, or something of it
    assert wants_more("Tell me more about the second one") and wants_more("Summarize the third")
    assert not wants_more("Who wrote the second one?")


def test_a_follow_up_of_a_follow_up_carries_the_first_topic() -> None:
    from qa.followup import standalone_question

    cup = [
        ("Who won the 2022 World Cup?", "Argentina defeated France on Sunday [1]."),
        ("Who did they beat?", "Argentina defeated France [1]."),
    ]
    assert standalone_question("Who did they beat?", cup[:1]) == (
        "Who did they beat? (won 2022 World Cup)"
    )
    assert standalone_question("Where was it played?", cup) == (
        "Where was it played? (beat 2022 World Cup)"  # "won" fades
    )


def test_a_question_naming_only_new_things_asks_afresh() -> None:
    from qa.followup import standalone_question

    griner = [
        ("Why was Brittney Griner detained in Russia?", "She was held near Moscow [1]."),
        ("How long was her sentence?", "Nine years [1]."),
    ]
    assert standalone_question("And who won the Super Bowl?", griner) == (
        "And who won the Super Bowl?"
    )
    assert standalone_question("And what did Griner say?", griner).endswith("Russia)")
    assert standalone_question("What did Biden say about it?", griner).endswith("Russia)")


def test_only_names_and_rare_words_make_a_follow_up_change_topic() -> None:
    from qa.followup import topical_words

    shares = {"old": [0.05], "won": [0.06], "world": [0.08], "cup": [0.017], "wounded": [0.007]}

    def share(word: str) -> list[float]:
        return shares.get(word, [0.0])

    assert topical_words("How old was she?", share) == []
    assert topical_words("And how many were wounded?", share) == ["wounded"]
    # names always can, however common their words are in the index
    assert topical_words("And who won the World Cup?", share) == ["world", "cup"]


def test_tell_me_more_goes_on_through_the_article_then_says_that_is_all(seed_engine) -> None:  # type: ignore[no-untyped-def]
    history = [("Where were the rockets fired from?", "")]
    history[0] = (history[0][0], seed_engine.ask(history[0][0]).text)
    quoted: list[str] = []
    for _ in range(10):
        more = seed_engine.ask("Tell me more", history=history)
        assert more.answered
        if more.notice:
            break
        new = [c.passage[s:e] for c in more.citations for s, e in c.highlights]
        assert new and not set(new) & set(quoted)  # each time sentences not quoted before
        quoted += new
        history.append(("Tell me more", more.text))
    # all quoted: the article's opening again, saying that is all
    assert more.notice == "That is the whole article: it says nothing more."
    assert more.text.startswith("“Rockets fired at U.S. Embassy in Baghdad” [1] Several shells")
    assert len(quoted) >= 8


def test_small_talk_gets_a_reply_not_a_search(seed_engine) -> None:  # type: ignore[no-untyped-def]
    from qa.render import format_answer
    from qa.small_talk import small_talk

    hello = seed_engine.ask("Hello!")
    assert not hello.answered and not hello.citations and hello.text.startswith("Hello! Ask me")
    assert "qa-refusal-tag" not in format_answer(hello)  # not marked "Not in the articles"
    assert small_talk("thank you so much") and small_talk("What can you do?")
    assert small_talk("Hello, who won the election?") is None  # a real question
    # "thanks" asks nothing: the follow-up after it is about the question before
    rockets = "Where were the rockets fired from?"
    history = [(rockets, seed_engine.ask(rockets).text), ("thanks", "You're welcome.")]
    assert seed_engine.ask("How many were wounded?", history=history).question == (
        "How many were wounded? (rockets fired)"
    )


def test_is_there_this_year_and_a_month_do_not_decide_a_follow_up() -> None:
    from qa.followup import resolve_pointer, standalone_question

    won = [("Who won the Powerball jackpot?", "A player in California won it [1].")]
    # "is there" and "this year" point back at nothing: these ask afresh
    for fresh in ("Is there any news about pandas in Berlin?", "Is this year's word vaccine?"):
        assert standalone_question(fresh, won) == fresh
    assert standalone_question("Where was it sold?", won).endswith("(won Powerball jackpot)")
    assert standalone_question("What happened there?", won).endswith("(won Powerball jackpot)")
    biggest = standalone_question("How big was the biggest one ever?", won)  # "one" points back
    assert biggest.endswith("(won Powerball jackpot)")
    # a month names no new topic: "And in November 2023?" asks the question before again
    fed = [("By how much did the Fed raise rates in June 2022?", "Three-quarters of a point [1].")]
    assert standalone_question("And in November 2023?", fed) == (
        "And in November 2023? (Fed raise rates)"  # the day asked replaces June 2022
    )
    # "[1]" is the answer on screen's; "the first one", the last answer that listed several
    news = [
        ("What's the latest news?", "Fed holds rates [1]. Strike ends [2]. Storm hits [3]."),
        ("Tell me more about the second one", "The strike ended Friday [1]. Pay rises [2]."),
    ]
    assert resolve_pointer("What does [1] say?", news) == ("The strike ended Friday", 2)
    assert resolve_pointer("What about the first one?", news) == ("Fed holds rates", 3)
