"""The answer a question expects (a number, a date, a person...) and whether a sentence holds one."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from qa.words import WORD

_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"(?:thir|four|fif|six|seven|eigh|nine)teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
    r"ninety|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|"
    # "a half-percentage point", "a quarter of the vote", "doubled": amounts without digits
    # ("the second quarter", "the first half" are times)
    r"(?<!first )(?<!second )half|(?:a|one|two|three)[- ](?:quarters?|thirds?)|"
    r"twice|double[ds]?|triple[ds]?)\b",
    re.IGNORECASE,
)
_MONTHS = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
DATE = re.compile(
    rf"\b{_MONTHS}|\b(1[89]|20)\d\d\b|\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|"
    r"last (week|month|year)|this (week|month|year))\b"
)
_THIS_WEEK = re.compile(r"\b(this week|today|tonight|yesterday|recently|latest)\b", re.IGNORECASE)
_FRESH = re.compile(
    r"\b(mon|tues|wednes|thurs|fri|satur|sun)day\b|\b(today|tonight|yesterday|this week)\b",
    re.IGNORECASE,
)
# A name: capitalised words not opening the sentence, or two or more that do ("Serena Williams won").
_PROPER = re.compile(
    r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*|^[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+|[“\"'‘][^“”\"'‘’]{2,60}[”\"'’]"
)


def question_type(question: str) -> str:
    """Expected answer type: number, date, person, place, name, reason or other."""
    q = question.lower().strip()
    if re.search(
        r"\bhow (many|much|long|old|far|big|large|tall)\b|\bwhat (percentage|percent|number|amount|price)\b"
        # "What is the price of ...?", "What was the final score ...?"
        r"|\bwhat (is|was|are|were) the (\w+ )?(price|cost|score|height|population|salary|"
        r"temperature|death toll)\b"
        # "What were K Mart's 1986 earnings?", "What were its sales?"
        r"|\bwhat (is|was|are|were) (\S+ ){0,3}?(sales|revenues?|earnings|profits?|net income|"
        r"deficit|surplus)\b",
        q,
    ):
        return "number"
    if re.search(
        r"\bwhen\b|\bwhat (year|date|day|month|time)\b|\bwhich (year|date|day|month)\b", q
    ):
        return "date"
    if re.search(
        r"\bwho\b|\bwhose\b|\bwhom\b|\bwhich (person|man|woman|company|team|country|leader)\b", q
    ):
        return "person"
    if re.search(
        r"\bwhere\b|\bwhat (city|country|state|place|town|region)\b|\bwhich (city|country|state|place)\b",
        q,
    ):
        return "place"
    if re.match(r"\W*(?:and |so |but )?why\b", q) or re.search(r"\bwhat (?:caused|led to)\b", q):
        return "reason"
    # "Which planet ...?", "What is it called?", "the name of ...?", "... titled:" ask for a name
    if re.search(r"\bwhich\b|\b(called|titled|named|stand for|name of)\b|:$", q):
        return "name"
    return "other"


def is_date_word(word: str) -> bool:
    """Whether a word is a month, a weekday or a year ("July", "Tuesday", "2023")."""
    return bool(DATE.fullmatch(word))


# words that give a cause or a purpose ("... to fight inflation", "after wildfires spread")
_CAUSE = re.compile(
    r"\b(?:because|due to|owing to|thanks to|as a result|in order to|so that|so as to|in response to|"
    r"in an effort to|aimed at|amid|after|citing|over concerns?|caused by|led to|blamed|"
    r"resulted? from|the reason|reasons?|to (?:fight|curb|tamp|prevent|avoid|reduce|combat|"
    r"protect|stop|ensure|ease|cool|slow|boost|address|counter|punish|pressure))\b",
    re.IGNORECASE,
)


def has_type(sentence: str, qtype: str, question: str = "") -> bool:
    """Whether the sentence holds something of the expected answer type that the question lacks."""
    pattern = {
        "number": _NUMBER,
        "date": DATE,
        "person": _PROPER,
        "place": _PROPER,
        "name": _PROPER,
        "reason": _CAUSE,
    }.get(qtype)
    if pattern is None:
        return True
    asked = question.lower()
    found = (m.group(0) for m in pattern.finditer(sentence))
    if qtype == "place":  # "July", "Tuesday" name no place
        found = (f for f in found if not is_date_word(f))
    return any(f.lower() not in asked for f in found)


_YES_NO = re.compile(
    r"^\W*(?:and\s+|so\s+|but\s+)?(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could|"
    r"should|shall|may|might)\b(?![^?]*\b(?:or|which|what|who|when|where|how)\b)",
    re.IGNORECASE,
)


def asks_yes_or_no(question: str) -> bool:
    """Whether the question asks yes or no ("Did X win?"), not which of two ("Is it A or B?")."""
    return bool(_YES_NO.match(question))


def asks_this_week(question: str) -> bool:
    """Whether the question asks about this week's news ("... this week?", "recently", "latest")."""
    return bool(_THIS_WEEK.search(question))


def is_fresh_report(sentence: str) -> bool:
    """Whether a sentence reports the event as news of the week: it names the day ("on Wednesday")."""
    return bool(_FRESH.search(sentence))


_AUXILIARY = "were|was|did|do|does|are|is|have|has|had|will|would|can|could|may|might|should|must"
_HOW_MANY = re.compile(
    rf"\bhow many ((?:[\w'’-]+\s+){{0,2}}?[\w'’-]+)\s+(?:{_AUXILIARY})\b", re.IGNORECASE
)


def counted_noun(question: str) -> str:
    """What a "how many" question counts ("How many hot dogs did he eat?" -> "dogs"), '' if none."""
    m = _HOW_MANY.search(question)
    if m:
        return m.group(1).split()[-1].lower()
    # no auxiliary after it ("How many rockets hit ...?"): the word after "how many"
    m = re.search(rf"\bhow many (?!(?:{_AUXILIARY})\b)([A-Za-z][\w'’-]*)", question, re.IGNORECASE)
    return m.group(1).lower() if m else ""


def counts(sentence: str, noun: str, stem: Callable[[str], str]) -> bool:
    """Whether a number in the sentence counts `noun` ("2,500 U.S. soldiers" counts "soldiers")."""
    target = stem(noun.lower())
    words = WORD.findall(re.sub(r"(\d)-(?=[A-Za-z])", r"\1 ", sentence))  # "a 118-day strike"
    return any(
        _NUMBER.fullmatch(w) and any(stem(x.lower()) == target for x in words[i + 1 : i + 4])
        for i, w in enumerate(words)
    )


_PERSON_NOUN = (
    r"(?:person|man|woman|actor|actress|singer|rapper|musician|player|athlete|"
    r"celebrity|celebrities|politician|senator|governor|judge|justice|author|writer|journalist|"
    r"artist|comedian|host|star|superstar|billionaire|executive|ceo|coach|quarterback|candidate|"
    r"lawmaker|official|leader|lawyer|activist|director|pitcher|golfer|gymnast|swimmer|president|"
    r"minister|member(?=\s+of\b)|champion|philanthropist|(?:public|political)\s+figure|veteran|"
    r"congress(?:wo)?man|congressperson|famer|footballer|manager|entrepreneur|tycoon|mogul|"
    r"founder|mayor|king|queen|prince|princess)"
)
_NOT_BETWEEN = r"(?!(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could)\b)"
# "Who ...?", "Which singer ...?", "Which Nobel Peace Prize-winning leader ...?"; and the quiz's
# statement form "This former prime minister was ... ." (no question mark)
_ASKS_PERSON = re.compile(
    r"(?:^|[.?!:]\s+)(?:who|whom|whose)\b|\b(?:which|what)\s+"
    rf"(?:{_NOT_BETWEEN}[\w.'’-]+\s+){{0,3}}?{_PERSON_NOUN}s?(?![\w])",
    re.IGNORECASE,
)
_THIS_PERSON = re.compile(
    rf"\bthis\s+(?:{_NOT_BETWEEN}[\w.'’-]+\s+){{0,3}}?{_PERSON_NOUN}s?(?![\w])", re.IGNORECASE
)


def asks_for_person(question: str) -> bool:
    """Whether the question asks for a person ("Who ...?", "Which singer ...?")."""
    question = question.strip()
    if _ASKS_PERSON.search(question):
        return True
    return "?" not in question and bool(_THIS_PERSON.search(question))


# "How many / how much" and "When / what year" questions: an answer must hold a number or a time
_ASKS_COUNT = re.compile(r"\bhow (?:many|much)\b", re.IGNORECASE)
_HOW_MUCH_MONEY = re.compile(
    r"\bhow much\b.*\b(?:pay|paid|cost|costs|raise|raised|spend|spent|fine|fined|worth|price|"
    r"gross|revenue|earn)",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"[$€£¥]\s?\d|\b\d[\d,.]*\s?(?:million|billion|trillion|bn|m|per ?cent|%)"
    r"|\b(?:million|billion|trillion|dollars?|dlrs|euros?|pounds|yen|cents?)\b"
    # "How much did the Fed raise rates?": "by a half-percentage point", "75 basis points"
    r"|\b(?:percentage|basis)[- ]points?\b|\bper ?cent\b",
    re.IGNORECASE,
)
_DAY_OF_MONTH = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?\b"
)
# "When ...?" asks for a time, not "When X happens, who ...?"
_WHEN = re.compile(
    r"^\W*(?:and\s+|so\s+)?when\b(?![^?]*,\s*(?:who|whose|what|which|where|how)\b)"
    r"|\b(?:what|which|in what) year\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b(?:1\d|20)\d0s\b|\b\d{1,2}(?:st|nd|rd|th) century\b|\bcentur(?:y|ies)\b"
    r"|\b\w+ (?:years?|months?|weeks?|days?|decades?) ago\b|\b(?:spring|summer|autumn|fall|winter)\b"
    r"|\b\d{3,4}\b",
    re.IGNORECASE,
)


def holds_what_is_asked(question: str, sentences: Sequence[str]) -> bool:
    """Whether the sentences hold the number or time a "how many" or "when" question asks for.

    A day of the month is no count ("launches November 16" says no price), nor does a number
    say how much money without a sum ("$", "million", "dlrs"); other questions always pass.
    """
    if _ASKS_COUNT.search(question):
        money = bool(_HOW_MUCH_MONEY.search(question))
        for s in sentences:
            undated = DATE.sub(" ", _DAY_OF_MONTH.sub(" ", s))
            if _MONEY.search(undated) if money else has_type(undated, "number", question):
                return True
        return False
    if _WHEN.search(question):
        asked = question.lower()
        return any(
            has_type(s, "date", question)
            or any(m.group(0).lower() not in asked for m in _TIME.finditer(s))
            for s in sentences
        )
    return True
