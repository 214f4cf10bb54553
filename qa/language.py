"""Which language a question is in, when it is not English: word frequencies, naive Bayes.

The articles are searched in English (the bundled MiniLM and the BM25 stemmer are English), so
"¿Desde dónde se dispararon los cohetes?" finds nothing, and its words must not be "corrected"
to English ones ("cohetes" -> "coveted"). Each language's word frequencies come from
pyspellchecker's lists, the same package that gives the English words for spelling.
"""

from __future__ import annotations

import heapq
import math
import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

# the languages pyspellchecker lists in Latin letters, besides English
LANGUAGES = {
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
}
VOCABULARY = 20_000  # each language's most frequent words
UNLISTED = math.log(1e-8)  # a word a language's list lacks: rare, or a typo
INDEXED = math.log(1e-4)  # an English word the index holds that the English list lacks
MARGIN = math.log(1e3)  # how much likelier than English a question must read to be foreign

LogProbabilities = dict[str, float]


def latin(word: str) -> bool:
    """Whether a word is written in Latin letters, accented or not (not "𝑡ℎ𝑒", "ёлка")."""
    return all(c.isascii() or "LATIN" in unicodedata.name(c, "") for c in word)


def folded(word: str) -> str:
    """A word without its accents ("montréal" -> "montreal")."""
    parts = unicodedata.normalize("NFKD", word)
    return "".join(c for c in parts if not unicodedata.combining(c))


def log_probabilities(counts: Mapping[str, int], size: int = VOCABULARY) -> LogProbabilities:
    """The `size` most frequent words' log shares of all the counts."""
    total = sum(counts.values()) or 1
    top = heapq.nlargest(size, counts, key=counts.__getitem__)
    return {w: math.log(counts[w] / total) for w in top}


_LOADING = threading.Lock()  # a question waits for a load under way rather than doing it again


def vocabularies() -> dict[str, LogProbabilities]:
    """Each other language's word log-probabilities (about 2 s to load, once)."""
    with _LOADING:
        return _vocabularies()


@lru_cache(maxsize=1)
def _vocabularies() -> dict[str, LogProbabilities]:
    from spellchecker import SpellChecker

    return {
        code: log_probabilities(SpellChecker(language=code, distance=1).word_frequency.dictionary)
        for code in LANGUAGES
    }


def likeliest(
    words: Sequence[str],
    english: Mapping[str, int],
    others: Mapping[str, LogProbabilities],
    indexed: Callable[[str], bool],
) -> str:
    """The language (a `LANGUAGES` name) the lower-case words read as, or "" for English.

    `english` counts English words; `indexed` tells a word the index holds (English too).
    """
    if not words:
        return ""
    total = sum(english.values()) or 1
    in_english = sum(
        math.log(english[w] / total) if english.get(w) else INDEXED if indexed(w) else UNLISTED
        for w in words
    )
    # some lists drop accents (Spanish's has "quien", not "quién")
    scores = {
        code: sum(vocab.get(w, vocab.get(folded(w), UNLISTED)) for w in words)
        for code, vocab in others.items()
    }
    best = max(scores, key=scores.__getitem__, default="")
    return LANGUAGES[best] if best and scores[best] - in_english > MARGIN else ""


def question_language(
    words: Sequence[str],
    unknown: Sequence[str],
    english: Mapping[str, int],
    indexed: Callable[[str], bool],
) -> str:
    """The question's language if not English ("another language" for another script), else "".

    `words` are its words that are no name (lower-cased), `unknown` those neither English nor
    the index knows: without one of those it is taken as English and no other language's list
    is loaded (English's own list holds "que", "el", "es": it comes from subtitles).
    """
    if any(not latin(w) for w in unknown):  # Chinese, Russian, Arabic: no English query
        return "another language" if len(unknown) * 2 > len(words) else ""
    if not unknown:
        return ""
    return likeliest(words, english, vocabularies(), indexed)
