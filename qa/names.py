"""People's names: those a question holds, first names given in full, acronyms spelled out."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from qa.answer_types import DATE, is_date_word
from qa.words import STOPWORDS

# Capitalised words that open questions rather than name anything.
_NOT_NAMES = frozenset(
    [
        "what",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "which",
        "why",
        "how",
        "is",
        "was",
        "were",
        "are",
        "did",
        "does",
        "do",
        "has",
        "have",
        "had",
        "can",
        "could",
        "will",
        "would",
        "should",
        "may",
        "might",
        "i",
        "the",
        "a",
        "an",
        "in",
        "on",
        "of",
        "for",
        "according",
    ]
)


_NAME_RUN = re.compile(r"(?<![\w'’.])[A-Z][\w'’.\-]*(?:\s+[A-Z][\w'’.\-]*)*")


_SENTENCE_END = re.compile(r"(?:[!?:]|(?<![\w.])[a-z\d]{3,}\.)[\"'”’)]*\s*$")


def _opens_sentence(before: str) -> bool:
    """Whether text after `before` opens a sentence (not after "vs.", "v." or "Rep.")."""
    return not before.strip() or bool(_SENTENCE_END.search(before))


def names(question: str) -> list[str]:
    """The names a question holds: runs of capitalised words, each sentence's first word aside."""
    out = []
    for m in _NAME_RUN.finditer(question):
        words = [w.rstrip("'’-.,").removesuffix("’s").removesuffix("'s") for w in m.group().split()]
        if _opens_sentence(question[: m.start()]):
            words = words[1:]
        run: list[str] = []
        for w in [*words, ""]:
            if w and w.lower() not in _NOT_NAMES:
                run.append(w)
            elif run:
                out.append(" ".join(run))
                run = []
    return list(dict.fromkeys(out))


_NAME_WORD = r"[A-Z][a-z][\w\-]*"
# words on one line, a space apart, none possessive ("Women's Euro" is no name)
# ... and a middle initial between them ("Peter M. Towe")
_FULL_NAME = re.compile(
    rf"(?<![\w'’\-]){_NAME_WORD}(?: (?:[A-Z]\. )?{_NAME_WORD}){{1,3}}(?=['’]s\b|(?![\w'’\-]))"
)
_INITIAL = re.compile(r"[A-Z]\.")


def _name_words(full_name: str) -> list[str]:
    """A full name's words without middle initials ("Peter M. Towe" -> Peter, Towe)."""
    return [w for w in full_name.split() if not _INITIAL.fullmatch(w)]


_NICKNAME = re.compile(
    rf"(?<![\w'’\-])({_NAME_WORD}) [“\"‘][^“”\"‘’\n]{{2,30}}[”\"’] ({_NAME_WORD})(?![\w\-])"
)
_PARTICLES = frozenset(["de", "del", "da", "di", "van", "von", "der", "le", "la", "al", "bin"])
_PLACE_STARTS = frozenset(
    ["new", "green", "los", "san", "santa", "las", "el", "saint", "st", "fort", "port", "mount"]
)
# titles, which gender-guesser takes for first names ("Vice President" is no Mr. President)
_TITLES = frozenset(
    [
        "vice",
        "president",
        "prime",
        "minister",
        "senator",
        "governor",
        "mayor",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "chief",
        "justice",
        "judge",
        "general",
        "captain",
        "coach",
        "lady",
        "sir",
        "dame",
        "saint",
        "chancellor",
        "speaker",
    ]
)
_NOT_FIRST_NAMES = STOPWORDS | _NOT_NAMES | _TITLES | {"former", "new", "but", "and"}


@lru_cache(maxsize=1)
def _first_names() -> Callable[[str], str]:
    """gender-guesser's detector of 40,000 first names (loaded once: 0.2 s)."""
    from gender_guesser.detector import Detector

    return Detector(case_sensitive=False).get_gender


@lru_cache(maxsize=1)
def _us_states() -> frozenset[str]:
    """US state names, which gender-guesser also knows as first names ("Georgia", "Virginia")."""
    from qa.places import gazetteer  # places imports nothing of ours, but loads a gazetteer

    return gazetteer()["state"]


def is_first_name(word: str) -> bool:
    """Whether a word is a known first name ("Sam", "Mikhail"; not "Top", "Watch", "Minister")."""
    return _first_names()(word) != "unknown"


def full_names(
    texts: Sequence[str], titles: Sequence[str] = (), context: Sequence[str] = ()
) -> dict[str, str]:
    """Last name -> first and last name, as the texts give it ("Gorbachev" -> "Mikhail Gorbachev").

    Only a known first name counts ("Top Theranos executive" names nobody), and only one:
    "Paul Pelosi" and "Nancy Pelosi" leave "Pelosi" alone. A word the texts (or `context`) also
    write in lower case ("White House") is no name; `titles` are searched too, not so judged.
    """
    texts = [_NICKNAME.sub(r"\1 \2", t) for t in texts]  # 'Rafael "Robbin Hood" Davila'
    lower = {w for t in [*texts, *context] for w in re.findall(r"\b[a-z][\w'’\-]*", t)}
    banned = lower | _NOT_FIRST_NAMES | _PARTICLES
    found: dict[str, set[str]] = {}
    # a first name the texts also use alone ("Israel", "Georgia") names something else there
    # (a possessive is still the person's: "Brittney's release")
    alone = {
        m.group(1)
        for t in texts
        for m in re.finditer(rf"\b({_NAME_WORD})\b(?! [A-Z])(?!['’]s\b)", t)
    }
    for text in [*texts, *titles]:
        text = _NICKNAME.sub(r"\1 \2", text)
        for m in _FULL_NAME.finditer(text):
            words = _name_words(m.group())
            for i, (given, last) in enumerate(zip(words, words[1:], strict=False)):
                pair = {given.lower(), last.lower()}
                if len(pair) < 2 or pair & banned:
                    continue
                if given in alone or not is_first_name(given) or DATE.search(last):
                    continue
                if given in _us_states():  # "Georgia Republicans", "Virginia Beach"
                    continue
                if i and words[i - 1].lower() in _PLACE_STARTS:
                    continue  # "New York Yankees", "Green Bay Packers"
                if is_first_name(last) and last != words[-1]:
                    continue  # "Mary Kay Ash": the name's end is further on
                found.setdefault(last, set()).add(f"{given} {last}")
                break
    return {last: forms.pop() for last, forms in found.items() if len(forms) == 1}


_GENDERS = {"male": ("male", "mostly_male"), "female": ("female", "mostly_female")}


def names_someone(text: str, gender: str) -> bool:
    """Whether a text holds a first name of a gender ("Queen Elizabeth" a female one)."""
    return any(
        _first_names()(w) in _GENDERS[gender]
        for w in re.findall(r"\b[A-Z][a-z]+\b", text)
        if w.lower() not in _NOT_FIRST_NAMES
    )


def people(text: str, gender: str) -> list[str]:
    """The full names in a text whose first name is of a gender ("male", "female"), in order.

    "[Elon] Musk", the answerer's added first name, counts as "Elon Musk"; a title is no first
    name ("President Biden").
    """
    text = re.sub(r"\[([A-Z][a-z]+)\] ", r"\1 ", text)
    found: list[str] = []
    for m in _FULL_NAME.finditer(text):
        words = _name_words(m.group())
        for given, last in zip(words, words[1:], strict=False):
            if given.lower() in _NOT_FIRST_NAMES or last.lower() in _NOT_FIRST_NAMES:
                continue
            if _first_names()(given) in _GENDERS[gender]:
                name = f"{given} {last}"
                if name not in found:
                    found.append(name)
                break
    return found


def names_new_person(text: str, question: str) -> bool:
    """Whether the text names a person (a known first name) whose last name the question lacks."""
    asked = set(re.findall(r"[\w'’-]+", question.lower()))
    return any(
        p.split()[-1].lower() not in asked for gender in _GENDERS for p in people(text, gender)
    )


def with_full_names(sentence: str, known: dict[str, str]) -> str:
    """The sentence with "[Mikhail] " before the first mention of a name by its last word alone."""
    out = sentence
    for last, full in known.items():
        m = re.search(rf"(?<![\w'’\-]){re.escape(last)}(?![\w'’\-])", out)
        if m is None or full in out:
            continue
        before = out[: m.start()].split()
        if before and before[-1][:1].isupper() and before[-1].lower() not in _NOT_FIRST_NAMES:
            continue  # "Joe Biden", "President Biden": named already
        if re.match(r"\s*[—–]\s*[A-Z][a-z]+\s*[—–,]", out[m.end() :]):
            continue  # "another Vieira — Patrick — scored": the sentence gives the first name
        after = re.match(r" ([A-Z][a-z][\w'’\-]*)", out[m.end() :])  # not "QB" of "Chiefs QB"
        if after and not is_date_word(after.group(1)):
            continue  # "Fleetwood Mac", "the Soto Supreme Court": a longer name, no person's
        out = f"{out[: m.start()]}[{full.rsplit(' ', 1)[0]}] {out[m.start() :]}"
    return out


# not a part of "U.S.A." or "F-16"; a sentence's last word ("... under SBF.") is one
_ACRONYM = re.compile(r"(?<![\w.\-])[A-Z]{2,5}(?![\w\-]|\.\w)")


def initials(name: str) -> str:
    """'SBF' for 'Sam Bankman-Fried', 'NFL' for 'National Football League'."""
    return "".join(part[0] for word in name.split() for part in word.split("-") if part)


def acronyms(texts: Sequence[str]) -> dict[str, str]:
    """Acronym -> the one name the texts give with those initials ("SBF" -> "Sam Bankman-Fried")."""
    found: dict[str, set[str]] = {}
    for text in texts:
        for m in _FULL_NAME.finditer(text):
            words = m.group().split()
            for i in range(len(words) - 1):  # every run of two or more words of the name
                for j in range(i + 2, len(words) + 1):
                    name = " ".join(words[i:j])
                    if not any(w.lower() in STOPWORDS for w in words[i:j]):
                        found.setdefault(initials(name).upper(), set()).add(name)
    # two letters ("US", "FL") name too many things to expand
    return {a: names.pop() for a, names in found.items() if len(names) == 1 and len(a) >= 3}


def with_acronyms(sentence: str, known: dict[str, str]) -> str:
    """The sentence with " [Sam Bankman-Fried]" after its first "SBF" that it does not spell out."""
    out = sentence
    for m in reversed(list(_ACRONYM.finditer(sentence))):
        name = known.get(m.group())
        if name is None or name in out or m.group() in out[: m.start()]:
            continue
        out = f"{out[: m.end()]} [{name}]{out[m.end() :]}"
    return out
