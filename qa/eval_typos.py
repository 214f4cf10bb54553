"""`qa eval --typos`: a question with one word mistyped, the same way every run."""

from __future__ import annotations

import hashlib
import random
import re

from qa.words import STOPWORDS

_TYPO_WORD = re.compile(r"(?<![\w'’-])[a-z]{5,}(?![\w'’-])")
_KEYS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbours(letter: str) -> str:
    """The letters beside one on a QWERTY keyboard's row."""
    for row in _KEYS:
        i = row.find(letter)
        if i >= 0:
            return row[max(i - 1, 0) : i] + row[i + 1 : i + 2]
    return letter


def misspelled(question: str, seed: str) -> str:
    """The question with one lower-case content word of 5+ letters mistyped, fixed by `seed`.

    The typo is a dropped, doubled or swapped letter, or a key beside the right one, never in
    the first letter. Names (capitalised) are left alone: `qa.spelling` does not change them.
    A question with no such word is returned as it is.
    """
    words = [m for m in _TYPO_WORD.finditer(question) if m.group() not in STOPWORDS]
    if not words:
        return question
    rng = random.Random(hashlib.sha1(seed.encode()).hexdigest())
    m = rng.choice(words)
    w = m.group()
    i = rng.randrange(1, len(w) - 1)
    kind = rng.choice(("drop", "double", "swap", "key"))
    if kind == "drop":
        typo = w[:i] + w[i + 1 :]
    elif kind == "double":
        typo = w[: i + 1] + w[i:]
    elif kind == "swap" and w[i] != w[i + 1]:
        typo = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    else:
        typo = w[:i] + rng.choice(_neighbours(w[i])) + w[i + 1 :]
    return question[: m.start()] + typo + question[m.end() :]
