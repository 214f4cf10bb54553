"""A question checked against the loaded index: its language, names no article mentions, strays."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.lexical import tokenize
from index.store import PassageStore
from qa.answer import said_list, unmentioned
from qa.answer_text import quoted_texts
from qa.answer_types import is_date_word
from qa.citations import Answer, Passage
from qa.followup import asked_predicate, topical_words
from qa.intents import subject_words
from qa.loaded_index import LoadedIndex
from qa.names import acronyms, names
from qa.search import article_passages
from qa.vectors import cosine
from qa.words import stems


def question_language(index: LoadedIndex, question: str) -> str:
    """The question's language if the index's words show it is not English, else ""."""
    speller = index.speller() if index.has_passages() else None
    return speller.language(question) if speller else ""


def unmentioned_names(index: LoadedIndex, question: str) -> list[str]:
    """The question's names if the index mentions none of them (checked in the BM25 vocabulary)."""
    wanted = names(question)
    if not wanted:
        return []
    absent = absent_names(index, wanted)
    # a refusal must not rest on a vocabulary a moment old: an article just added may name them
    return absent_names(index, wanted, recheck=True) if absent else []


def absent_reason(index: LoadedIndex, absent: list[str]) -> str:
    """Why the names rule refused, with the near names the index holds ("did you mean ...?")."""
    reason = f"No article mentions {said_list(absent)}."
    speller = index.speller()
    near = [s for s in (speller.suggestion(n) for n in absent) if s] if speller else []
    return f"{reason} Did you mean {said_list(near)}?" if near else reason


# a place's adjective and back: Bolivia / Bolivian, Iraq / Iraqi, Japan / Japanese, Kenya / Kenyans
_DERIVED = ("n", "an", "ian", "i", "ese", "ns", "ans", "ians", "is")


def derived_forms(word: str) -> list[str]:
    """The word with a demonym ending added or taken off ("Bolivia" -> "Bolivian", ...)."""
    if len(word) < 4 or not word.isalpha():
        return []
    added = [word + end for end in _DERIVED]
    taken = [word[: -len(end)] for end in _DERIVED if word.endswith(end)]
    return added + [w for w in taken if len(w) >= 4]


def absent_names(index: LoadedIndex, wanted: list[str], recheck: bool = False) -> list[str]:
    """`wanted` if the current BM25 vocabulary holds none of them, else []."""
    index.lexical(recheck)
    weights = index.term_weights
    if weights is None or not weights.vocab:
        return []
    vocab = weights.vocab

    def known(name: str) -> bool:
        tokens = tokenize([name])[0]  # none for "U.S.": too short to index, so not judged
        if not tokens or any(t in vocab for t in tokens):
            return True
        forms = [f for w in name.split() for f in derived_forms(w)]
        return any(t in vocab for t in tokenize([" ".join(forms)])[0]) if forms else False

    return unmentioned(wanted, known)


def strays(index: LoadedIndex, question: str, passages: Sequence[Passage], answer: Answer) -> bool:
    """Whether a follow-up's answer rests on the carried words alone, not on what it asks.

    "And who won the World Cup?" after a question on rockets is searched as "... (rockets
    fired)" and finds the rockets again: none of its own words are in the passages, and
    no quoted sentence is near it in meaning. "When did it happen?" names nothing of its
    own, so the context alone answers it.
    """
    own = {w for word in topical(index, question) for w in stems(word)}
    if not own or own & stems(" ".join(f"{p.title} {p.text}" for p in passages)):
        return False
    texts = quoted_texts(answer)
    if not texts:
        return False
    sims = cosine(index.sentence_vectors(texts), index.embed_model.get_query_embedding(question))
    return float(sims.max()) < index.settings.min_similarity


def asks_elsewhere(index: LoadedIndex, question: str, passages: Sequence[Passage]) -> bool:
    """Whether a follow-up names a word of its own (not a number or date) none of the passages has.

    What it asks ("hurt" of "And how many were hurt?") names no topic: the passages may
    say it in other words ("wounded").
    """
    asked = asked_predicate(question)
    own = {
        w
        for word in topical(index, question)
        if word.isalpha() and not is_date_word(word) and word.lower() not in asked
        for w in stems(word)
    }
    return bool(own) and not own & stems(" ".join(f"{p.title} {p.text}" for p in passages))


def topical(index: LoadedIndex, question: str) -> list[str]:
    """The question's words that can name a new topic in this index (see `topical_words`)."""
    weights = index.term_weights
    if weights is None:
        return subject_words(question)
    return topical_words(question, lambda word: [weights.share(t) for t in tokenize([word])[0]])


_YEAR = re.compile(r"(?<![\w-])(?:1[89]|20)\d\d(?![\w-])")  # not "2022-23": a season


def unmentioned_years(
    store: PassageStore, question: str, passages: Sequence[Passage], articles: int = 5
) -> list[str]:
    """The years the question names that none of the top `articles` articles mention.

    "What were K Mart's 1984 earnings?" is not answered by the 1986 figures of an article
    that never says 1984. The passages are read first, then the articles whole.
    """
    years = list(dict.fromkeys(_YEAR.findall(question)))
    if not years or not passages:
        return []
    first: dict[str, Passage] = {}
    for p in passages:
        first.setdefault(p.article_id, p)
    top = list(first.values())[:articles]
    said = " ".join(f"{p.title} {p.published} {p.text}" for p in passages)
    missing = [y for y in years if y not in said]
    if missing:
        said = " ".join(p.text for t in top for p in article_passages(store, t))
        missing = [y for y in missing if y not in said]
    return missing


def is_acronym(name: str) -> bool:
    """Whether a name is an acronym of three to six capitals ("EPA", "NTSB")."""
    return bool(re.fullmatch(r"[A-Z]{3,6}", name))


def spelled_out(initials: Sequence[str], passages: Sequence[Passage]) -> bool:
    """Whether the passages spell out one of these acronyms ("Environmental Protection Agency")."""
    found = acronyms([" ".join(t.split()) for p in passages for t in (p.title, p.text)])
    return any(a in found for a in initials)
