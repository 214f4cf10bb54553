"""Words of a text: stop words, content words and their stems (pure text functions)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "do",
        "does",
        "did",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "many",
        "much",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "they",
        "them",
        "their",
        "there",
        "here",
        "he",
        "she",
        "his",
        "her",
        "him",
        "we",
        "us",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "not",
        "no",
        "yes",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "has",
        "have",
        "had",
        "about",
        "into",
        "over",
        "after",
        "before",
        "than",
        "then",
        "so",
        "such",
        "also",
        "just",
        "only",
        "very",
        "more",
        "most",
        "some",
        "any",
        "each",
        "other",
        "same",
        "both",
        "all",
        "according",
        "say",
        "said",
        "says",
        "tell",
        "told",
        "according",
        "following",
        "name",
        "named",
        "called",
        # "When did the attack happen?": the event is the question's subject, not these verbs
        "happen",
        "happened",
        "happens",
        "occur",
        "occurred",
        "occurs",
    ]
)


# a word: letters and digits, with inner apostrophes and hyphens ("Biden's", "F-16")
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")


def content_words(text: str) -> list[str]:
    """Lower-cased words of `text` minus stop words, in order."""
    return [w.lower().strip("'’-") for w in WORD.findall(text) if w.lower() not in STOPWORDS]


# plurals the Snowball stemmer leaves apart from their singular ("children" / "child")
_IRREGULAR = {
    "children": "child",
    "people": "person",
    "men": "man",
    "women": "woman",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
    "geese": "goose",
    "wives": "wife",
    "lives": "life",
    "knives": "knife",
    "wolves": "wolf",
    "halves": "half",
    "thieves": "thief",
    # words news uses for one thing: a question's "hurt" is an article's "wounded"
    "hurt": "injured",
    "wounded": "injured",
    "injuries": "injured",
    "injury": "injured",
    "injuring": "injured",
    "killed": "died",
    "dead": "died",
    "deaths": "died",
    "death": "died",
    "fatalities": "died",
    "detained": "arrested",
}


@lru_cache(maxsize=1)
def stemmer() -> Callable[[str], str]:
    """The stem of a word: Snowball English, after `_IRREGULAR` (built once)."""
    import Stemmer

    stem = Stemmer.Stemmer("english").stemWord

    def stem_word(word: str) -> str:
        return stem(_IRREGULAR.get(word.lower(), word))  # type: ignore[no-any-return]

    return stem_word


def stems(text: str) -> set[str]:
    """Stemmed content words of a text."""
    stem = stemmer()
    return {stem(w) for w in content_words(text)}
