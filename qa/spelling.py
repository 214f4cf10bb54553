"""Misspelled words of a question, corrected to words the index holds ("chinse" -> "chinese").

A word is taken as misspelled only when it is neither an English word (pyspellchecker's
frequency list) nor a term of the index (its BM25 vocabulary, stemmed). It becomes the nearest
word (Damerau-Levenshtein, rapidfuzz) with the same first letter among the English words whose
stem the index holds, the index's own terms that no English word stems to (names, as the
passages write them: "zelensky") and common English words; nearest first, then the one in most
passages. Names (capitalised words after the first) are never changed: a name the index lacks
may be a person it does not cover, and `suggestion` offers the near one instead. Any word the
index holds only with other accents takes the index's spelling ("Montreal" -> "Montréal").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from qa.language import folded, latin, question_language
from qa.words import STOPWORDS

MIN_LETTERS = 5  # shorter words have too many neighbours to guess from ("mons": mans, moms, sons)
# pyspellchecker's counts come from subtitles: its rarest listed words include typos ("ballon": 50)
MIN_ENGLISH = 100
# in a large index a term in one passage only may itself be a typo: it corrects nothing
MIN_PASSAGES = 2
LARGE_INDEX = 1000  # passages
# English words the index lacks are corrections too ("perentage" -> "percentage" still helps the
# embedder), when this common; at the same distance a word the index holds comes first
MIN_COMMON = 1000
SEEN_MAX = 4096  # questions remembered per index revision
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]+(?![\w'’-])")

Fix = tuple[str, str]


@lru_cache(maxsize=1)
def english_words() -> dict[str, int]:
    """pyspellchecker's English word counts (160k words; loaded once, about 0.15 s)."""
    from spellchecker import SpellChecker

    return {
        w: int(n)
        for w, n in SpellChecker(distance=1).word_frequency.dictionary.items()
        if n >= MIN_ENGLISH and w.isalpha()
    }


@dataclass(frozen=True)
class Speller:
    """The words a misspelling can become, with how many passages hold each one's term."""

    words: list[str]
    passages: list[int]
    english: Mapping[str, int]
    english_stems: frozenset[str]
    term_passages: Mapping[str, int]
    stem: Callable[[str], str]
    accented: Mapping[str, str]  # an accented index term by its unaccented form
    # questions already spelled: a chat's earlier questions are spelled again at every turn
    seen: dict[str, list[Fix]] = field(default_factory=dict, compare=False, repr=False)
    # and their languages: a question's is asked for by the spelling, the names rule and a refusal
    languages: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls,
        term_passages: Mapping[str, int],
        stem_words: Callable[[list[str]], list[str]],
        english: Mapping[str, int],
        n_passages: int = 0,
        surface: Mapping[str, str] | None = None,
    ) -> Speller:
        """From the index's terms (stem -> passages holding it) and an English word list.

        `surface` gives the word the passages write for a term where they differ ("zelenski"
        -> "zelensky"): a name is shown as written, not as its stem.
        """
        surface = surface or {}
        floor = MIN_PASSAGES if n_passages >= LARGE_INDEX else 1
        listed = list(english)
        stems = stem_words(listed)
        pool = {w: term_passages.get(s, 0) for w, s in zip(listed, stems, strict=True)}
        pool = {w: n for w, n in pool.items() if n >= floor or english[w] >= MIN_COMMON}
        covered = set(stems)
        for term, n in term_passages.items():  # names and other words English lacks
            if n >= floor and term.isalpha() and term not in covered:
                pool.setdefault(surface.get(term, term), n)
        return cls(
            list(pool),
            list(pool.values()),
            english,
            frozenset(stems),
            term_passages,
            lambda w: stem_words([w])[0],
            {
                folded(w): w
                for w in (surface.get(t, t) for t in term_passages)
                if folded(w) != w and latin(w)
            },
        )

    def known(self, word: str) -> bool:
        """Whether a lower-case word is English (or an inflection of it) or a term of the index."""
        if word in self.english:
            return True
        stem = self.stem(word)
        return stem in self.english_stems or stem in self.term_passages

    def nearest(self, word: str, indexed: bool = False) -> str | None:
        """The closest pool word to a lower-case word (one edit for short words, else two).

        `indexed`: only words some passage holds, not English the index lacks.
        """
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        limit = 1 if len(word) <= 5 else 2
        found = process.extract(
            word, self.words, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=50
        )
        typed = Counter(word)
        # a typo rarely hits the first letter ("duboys" is not "boys"); at the same distance, a
        # word holding every letter typed comes first: letters dropped or swapped are the common
        # slips ("usres" is "users", not "uses"; "hapend" is "happened", not "hoped")
        ranked = [
            (edits, not typed <= Counter(w), -self.passages[i], -self.english.get(w, 0), w)
            for w, edits, i in found
            if edits > 0 and w[:1] == word[:1] and (self.passages[i] or not indexed)
        ]
        return min(ranked)[4] if ranked else None

    def language(self, question: str) -> str:
        """The question's language when it is not English ("Spanish"), else "" (`qa.language`).

        Its first word counts, its other capitalised ones do not: a name says nothing of it.
        """
        if question not in self.languages:
            if len(self.languages) >= SEEN_MAX:
                self.languages.clear()
            self.languages[question] = self._language(question)
        return self.languages[question]

    def _language(self, question: str) -> str:
        """`language`, not remembered."""
        words = [m.group() for m in _WORD.finditer(question)]
        plain = [w.lower() for i, w in enumerate(words) if i == 0 or not w[:1].isupper()]
        unknown = [
            w
            for w in plain
            if not self.english_or_indexed(w) and not self.known(w) and self.respelled(w) is None
        ]
        return question_language(plain, unknown, self.english, self.english_or_indexed)

    def english_or_indexed(self, word: str) -> bool:
        """Whether a lower-case word is an English stop word or its stem a term of the index."""
        return word in STOPWORDS or self.stem(word) in self.term_passages

    def fixes(self, question: str) -> list[Fix]:
        """(word as typed, correction) for each misspelled word of the question, in order."""
        if question not in self.seen:
            if len(self.seen) >= SEEN_MAX:
                self.seen.clear()
            self.seen[question] = self._fixes(question)
        return list(self.seen[question])

    def _fixes(self, question: str) -> list[Fix]:
        """`fixes`, not remembered."""
        out: list[Fix] = []
        if self.language(question):  # "cohetes" is no misspelling of "coveted"
            return out
        for m in _WORD.finditer(question):
            word = m.group()
            low = word.lower()
            respelled = self.respelled(low)
            if respelled is not None:  # names too: "Montreal" is the index's "Montréal"
                out.append((word, respelled.capitalize() if word[0].isupper() else respelled))
                continue
            if not word.isascii():
                continue  # another language's word: no English correction fits it
            if len(low) < MIN_LETTERS or (word[0].isupper() and m.start() > 0):
                continue  # too short to guess, or a name
            if any(c.isupper() for c in word[1:]) or self.known(low):
                continue  # an acronym ("NASA"), or not misspelled
            best = self.nearest(low)
            if best is not None:
                out.append((word, best.capitalize() if word[0].isupper() else best))
        return out

    def respelled(self, word: str) -> str | None:
        """The index's spelling of a word it holds only with other accents, else None.

        Stop words are in no index ("for" is not the index's "för").
        """
        if word in STOPWORDS or self.stem(word) in self.term_passages:
            return None
        plain = folded(word)
        if plain != word and self.stem(plain) in self.term_passages:
            return plain  # "Montréal" asked of articles that write "Montreal"
        return self.accented.get(plain)

    def suggestion(self, name: str) -> str | None:
        """A near word of the index for a name it lacks ("Zelenksy" -> "Zelensky"), else None."""
        words = name.split()
        # a word of the index or of English ("Spain") stays; another is replaced by the index's
        # nearest word, even one that stems like English ("Texs" like "tex"), but not by English
        # no article holds: "Biden" is not "Bide"
        near = [
            w
            if self.stem(w.lower()) in self.term_passages or w.lower() in self.english
            else self.nearest(w.lower(), indexed=True) or (w if self.known(w.lower()) else None)
            for w in words
        ]
        if any(n is None for n in near) or all(n == w for n, w in zip(near, words, strict=True)):
            return None
        return " ".join(
            n if n == w else str(n).capitalize() for n, w in zip(near, words, strict=True)
        )


def corrected(question: str, fixes: Sequence[Fix]) -> str:
    """The question with each fix applied to the first remaining occurrence of its word."""
    out, pos = [], 0
    for wrong, right in fixes:
        m = re.compile(rf"(?<![\w'’-]){re.escape(wrong)}(?![\w'’-])").search(question, pos)
        if m is None:
            continue
        out.append(question[pos : m.start()] + right)
        pos = m.end()
    return "".join(out) + question[pos:]
