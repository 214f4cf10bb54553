"""Turn a follow-up question into a standalone one (the deterministic rule; an LLM may do better)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from qa.answer_types import is_date_word
from qa.citations import REFUSED
from qa.intents import asks_for_latest, asks_for_overview, subject_words, topic_words
from qa.names import is_first_name, names, names_someone, people
from qa.small_talk import small_talk
from qa.words import content_words

_REFERS = (
    r"\b(it|its|they|them|their|this|that|these|those|he|she|him|her|his|there|the attack|"
    r"the event|the incident|the \w+est one|that one|this one|the company|the firm|the team|"
    r"the suspect|the victim)\b"  # "the biggest one", "Who is the CEO of the company?"
)
_FOLLOWUP = re.compile(
    r"^\s*(and|but|also|what about|how about|so|then)\b|" + _REFERS, re.IGNORECASE
)
_POINTS_BACK = re.compile(_REFERS, re.IGNORECASE)
# "Is there ...?", "this year", "that week" point back at nothing
_NOT_REFERRING = re.compile(
    r"\b(is|are|was|were|will|has|have|had)\s+there\b|\bthere\s+(is|are|was|were|will|has|have|had)\b"
    r"|\b(this|that)\s+(year|week|weekend|month|morning|afternoon|evening|season|summer|winter|"
    r"spring|fall|autumn)\b",
    re.IGNORECASE,
)


def refers_back(question: str) -> bool:
    """Whether the question has a word pointing back ("it", "they", "there"; not "is there")."""
    return bool(_POINTS_BACK.search(_NOT_REFERRING.sub(" ", question)))


# "the second one", "the last article", "What about the first?", "source 2", "[3]": one of the
# sources the last answer cited, by its number or its place in the answer
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
_ORDINAL = r"(?P<ord>first|second|third|fourth|fifth|last|[1-5](?:st|nd|rd|th))"
_POINTER = re.compile(
    rf"\b(?:the\s+)?{_ORDINAL}\s+(?:one|article|story|source|item|headline|report|piece|link|result)\b"
    r"(?!\s+of\b)"
    rf"|\bthe\s+{_ORDINAL.replace('ord', 'bare')}(?=\s*(?:[?.!,]|$))"
    r"|\b(?:source|article|story|item|number)\s*\[?(?P<num>\d{1,2})\]?(?!\w)(?!\s+of\b)"
    r"|\[(?P<marker>\d{1,2})\]",
    re.IGNORECASE,
)
# "Tell me more", "Go on", "More details": more of what the last answer's first source said
_MORE = re.compile(
    r"^\W*(?:please\s+)?(?:tell me (?:more|about it)|go on|more(?: details| please| on (?:it|that|this))?|"
    r"(?:any )?more details|elaborate|expand on (?:it|that|this)|keep going)\W*$",
    re.IGNORECASE,
)
_MARKER = re.compile(r"\[(\d+)\]")
_DATELINE = re.compile(
    r"^\s*(?:According to an? )?[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}(?: report)?:\s*"
)
_MORE_WORDS = frozenset(
    [
        "details",
        "detail",
        "else",
        "story",
        "article",
        "one",
        "source",
        "say",
        "says",
        "said",
        "summary",
    ]
)


def pointed_source(question: str) -> int | None:
    """The number of the earlier answer's source a question points at (-1: the last); None if none.

    "Tell me more about the second one", "When did the last one happen?", "What does [3] say?";
    not "Was Artemis I the first?" or "the first story Bob Woodward broke": a question that
    names something, or asks more than a word or two besides, is about that, not a source.
    """
    m = _POINTER.search(question)
    if not m:
        return 1 if _MORE.match(question) else None
    if m.group("marker") is None:
        rest = f"{question[: m.start()]} {question[m.end() :]}"
        if names(rest) or len([w for w in content_words(rest) if w not in _MORE_WORDS]) > 2:
            return None
    word = m.group("ord") or m.group("bare")
    if word:
        return _ORDINALS.get(word.lower(), int(word[:1]) if word[:1].isdigit() else 0) or None
    return int(m.group("num") or m.group("marker"))


def cited_text(answer: str, n: int) -> str:
    """What an answer says just before its `[n]` (-1: its last source's), datelines and quotes removed."""
    marks = list(_MARKER.finditer(answer))
    numbers = [int(m.group(1)) for m in marks]
    if not numbers:
        return ""
    n = max(numbers) if n == -1 else n
    for i, m in enumerate(marks):
        if int(m.group(1)) != n:
            continue
        start = marks[i - 1].end() if i else 0
        said = answer[start : m.start()]
        said = re.sub(r"\[([^\]\d][^\]]*)\]", r"\1", said)  # "[Sam] Bankman-Fried"
        said = _DATELINE.sub("", said.strip()).strip(' “”"')
        if said:
            return said
    return ""


def listing(answered: Sequence[tuple[str, str]], pointed: int) -> str:
    """The answer a pointer refers to: for "the second", the last that cites several sources.

    Answers to "Tell me more" continue one article over several `[n]`: they list nothing.
    """
    wanted = max(pointed, 2)
    lists = [a for q, a in answered if pointed_source(q) is None]
    for answer in reversed(lists):
        if len(set(_MARKER.findall(answer))) >= wanted:
            return answer
    return lists[-1] if lists else ""


def sources_listed(answer: str) -> int:
    """How many sources an answer cites (its largest `[n]`)."""
    return max((int(n) for n in _MARKER.findall(answer)), default=0)


def resolve_pointer(question: str, history: Sequence[tuple[str, str]] | None) -> tuple[str, int]:
    """(what the pointed-at source said, how many sources that answer lists); ("", 0) for none."""
    pointed = pointed_source(question)
    answered = [(q, a) for q, a in history or [] if not a.startswith(REFUSED) and not small_talk(q)]
    if pointed is None or not answered:
        return "", 0
    m = _POINTER.search(question)
    # "[1]" is a marker of the answer on screen; "the second one", of the last that listed some
    on_screen = _MORE.match(question) or (m is not None and m.group("marker") is not None)
    answer = answered[-1][1] if on_screen else listing(answered, pointed)
    return cited_text(answer, pointed), sources_listed(answer)


def wants_more(question: str) -> bool:
    """Whether a question asks for more of a source it points at, naming nothing else to look for."""
    if _MORE.match(question):
        return True
    m = _POINTER.search(question)
    if not m:
        return False
    rest = question[: m.start()] + " " + question[m.end() :]
    return not [w for w in content_words(rest) if w not in _MORE_WORDS] or asks_for_overview(rest)


def is_followup(question: str) -> bool:
    """Whether the question leans on an earlier one: opens with 'and', has a pronoun, or names nothing."""
    if _FOLLOWUP.search(_NOT_REFERRING.sub(" ", question)):
        return True
    # short and naming nothing: "How many died?", not "Who is the president of France?"
    names = any(w[:1].isupper() for w in question.split()[1:])
    return len(content_words(question)) <= 2 and not names


def names_said(question: str, previous: str, answer: str) -> bool:
    """Whether the question names what the answer to `previous` told, not what `previous` named.

    "What did Turkey demand?" follows "Which countries did NATO invite?" answered with "...
    after Turkey dropped its objections"; "Who won the Stanley Cup in 2021?" after "Who won
    the Stanley Cup?" asks afresh.
    """

    def said(name: str, text: str) -> bool:
        return bool(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text))

    # the answer's own brackets hold words it added: "[Joe] Biden", "KFC [Kentucky Fried Chicken]"
    answer = re.sub(r"\[([^\]\d][^\]]*)\]", r"\1", answer)
    return any(said(n, answer) and not said(n, previous) for n in names(question))


_PRONOUN = {
    "male": re.compile(r"\b(he|him|his)\b", re.IGNORECASE),
    "female": re.compile(r"\b(she|her|hers)\b", re.IGNORECASE),
}
_WHO = re.compile(r"^\W*(?:and\s+|so\s+)?who(?:m|se)?\b", re.IGNORECASE)


def referent(question: str, previous: str, answer: str) -> str:
    """The person a follow-up's "he" or "she" stands for when the answer before named them.

    After "Who ...?" it is the first person of that gender the answer names that the question
    did not ("How old is he?" after "Who attacked Paul Pelosi?" answered with "David DePape:
    Suspect in Paul Pelosi attack..."). After another question it is a person the question
    named, if one fits ("How old was she?" after "When did Queen Elizabeth die?"): '' then, as
    the question's words are carried anyway.
    """
    asked = [g for g, pronoun in _PRONOUN.items() if pronoun.search(question)]
    if len(asked) != 1:  # no pronoun, or "he" and "she": no telling which is which
        return ""
    gender = asked[0]
    if not _WHO.match(previous) and names_someone(previous, gender):
        return ""
    found = [p for p in people(answer, gender) if p.split()[-1] not in previous]
    return found[0] if found else ""


_CORRECTION = re.compile(r"^\W*(?:(?:no|sorry|oops)\W+)*i\s+(?:meant|mean)\b", re.IGNORECASE)


def new_topic(question: str, before: str) -> bool:
    """Whether a question names only what the conversation has not, and points back at nothing.

    "And who won the Super Bowl?" after questions on Brittney Griner asks afresh; "And what
    did Zelenskyy say?" after an answer naming him, or "What did he say about it?", does not.
    """
    asked = [n for n in names(question) if not is_date_word(n)]  # "And in November?" too
    if asked and _CORRECTION.match(question):  # "No, I meant the Fed. What did it do?"
        return True
    if not asked or refers_back(question):
        return False
    said = re.sub(r"\[([^\]\d][^\]]*)\]", r"\1", before).lower()  # "[Jill] Biden"
    return not any(re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", said) for n in asked)


def _fading(rewritten: str, answer: str) -> str:
    """A rewrite whose carried words keep the names, years and words its answer said.

    "What about on floor? (Simone Biles win Olympics tall)", answered "Simone Biles wins
    silver on floor", carries "Simone Biles win Olympics" on, not "tall" of "How tall is
    Simone Biles?" three questions back.
    """
    m = _CARRIED.search(rewritten)
    own = rewritten[: m.start()].strip() if m else rewritten
    if not m or not topic_words(own):  # "What did he say? (victim ear)": all its topic is carried
        return rewritten
    said = answer.lower()
    kept = [
        w
        for w in m.group(1).split()
        if w[:1].isupper()
        or is_date_word(w)  # a year
        or re.search(rf"(?<!\w){re.escape(w.lower())}", said)
    ]
    return f"{own} ({' '.join(kept)})" if kept else own


def _answered_afresh(asked: str, rewritten: str, answer: str) -> bool:
    """Whether an answer is about what a follow-up asked, not about what it carried.

    "what about ohtani?" after the Powerball, answered on Ohtani alone: the engine asked it
    afresh, so what it carried is not carried on.
    """
    m = _CARRIED.search(rewritten)
    if rewritten == asked or not m or not answer:
        return False
    said = answer.lower()

    def in_answer(words: list[str]) -> bool:
        return any(re.search(rf"(?<!\w){re.escape(w.lower())}", said) for w in words)

    carried = [w for w in m.group(1).split() if w.isalpha()]
    return in_answer(topic_words(asked)) and not in_answer(carried)


def _whole(word: str, text: str) -> bool:
    """Whether a word is whole in the text: not a number's piece ("1" and "73" of "$1.73")."""
    if not word.isdigit():
        return True
    return bool(re.search(rf"(?<![\w.,$€£]){word}(?![\w]|[.,]\d)", text))


def standalone_question(question: str, history: Sequence[tuple[str, str]] | None) -> str:
    """Carry the previous question's keywords into a follow-up; return other questions unchanged.

    "And how many were wounded?" after "Where were the rockets fired from?" becomes
    "And how many were wounded? (rockets fired)". A question about a name the last answer
    gave ("What did Turkey demand?" after an answer saying Turkey dropped its objections to
    NATO's new members) follows up on it too.
    """
    if not history:
        return question
    # "And what's the latest news?" asks afresh; "What's the latest news about it?" does not
    if asks_for_latest(question) and not refers_back(question):
        return question
    # the last question that was answered: a refused one is not what "it" refers to
    # ... and "thanks" or "hello" asked nothing
    turns = [
        i for i, (q, a) in enumerate(history) if not a.startswith(REFUSED) and not small_talk(q)
    ]
    turn = turns[-1] if turns else len(history) - 1
    previous, said = history[turn][0], history[turn][1] if turns else ""
    source, _ = resolve_pointer(question, history)
    if source:  # "Tell me more about the second one": what the answer's [2] said, in its words
        m = _POINTER.search(question)
        asked = f"{question[: m.start()]}it{question[m.end() :]}" if m else question
        words = list(dict.fromkeys(topic_words(source)))[:12]
        return f"{asked.strip()} ({' '.join(words)})"
    if not (is_followup(question) or names_said(question, previous, said)):
        return question
    # a follow-up of a follow-up carries what the earlier one carried: "Where was it played?"
    # after "Who did they beat?" after "Who won the 2022 World Cup?"
    earlier = standalone_question(previous, history[:turn])
    if not _answered_afresh(previous, earlier, said):
        previous = _fading(earlier, said)
    if new_topic(question, f"{previous} {said}"):
        return question
    own = set(content_words(question))
    # "news", "latest", "summary" name no subject: after "What's the latest news?" nothing carries
    carried = [
        w for w in dict.fromkeys(topic_words(previous)) if w not in own and _whole(w, previous)
    ][:12]
    # "And in November 2023?" after "(Fed June 2022)": the day asked replaces the one before
    if any(is_date_word(w) for w in re.findall(r"\w+", question)):
        carried = [w for w in carried if not is_date_word(w.capitalize())]
    cased = {w.lower(): w for name in names(previous) for w in name.split()}
    carried = [cased.get(w, w) for w in carried]  # names as written: "Powerball", "NATO"
    person = referent(question, history[turn][0], said)  # "he" is the one the answer named
    if person:
        carried = [person, *(w for w in carried if w.lower() not in person.lower().split())]
    if not carried:
        return question
    return f"{question.strip()} ({' '.join(carried)})"


_CARRIED = re.compile(r"\(([^()]*)\)\s*$")


def carried_names(standalone: str) -> list[str]:
    """The capitalised words a follow-up carried ("Is she favored? (Claudia Sheinbaum)").

    A first name before a last one is left out: "Steve" of "Steve Barclay" finds Steve Bannon.
    """
    m = _CARRIED.search(standalone)
    words = m.group(1).split() if m else []
    return [
        w
        for w, after in zip(words, [*words[1:], ""], strict=False)
        if w[:1].isupper() and not (is_first_name(w) and after[:1].isupper())
    ]


def naming_articles(names_carried: Sequence[str], texts: Sequence[tuple[str, str]]) -> set[str]:
    """The articles (id, text) whose text says one of the carried names as a word."""
    if not names_carried:
        return set()
    said = re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, names_carried))})(?!\w)")
    return {aid for aid, text in texts if said.search(text)}


COMMON_SHARE = 0.01  # a word in this share of passages or more is too common to name a topic


# "... were hurt?", "... was arrested?", "... got sick or injured?": what a question ends by asking
_PREDICATE = re.compile(
    r"\b(?:am|is|are|was|were|be|been|being|get|gets|got|gotten)\s+"
    r"((?:[a-z]+\s+(?:or|and)\s+)?[a-z]+)\W*$",
    re.IGNORECASE,
)


def asked_predicate(question: str) -> set[str]:
    """The words of the state a question ends by asking about ("hurt" of "How many were hurt?")."""
    m = _PREDICATE.search(question)
    return {w.lower() for w in m.group(1).split() if w.lower() not in ("or", "and")} if m else set()


def topical_words(question: str, shares: Callable[[str], list[float]]) -> list[str]:
    """The question's words that can name a new topic: its names, and words rare in the index.

    `shares` gives the share of passages holding each index term of a word. "World Cup" and
    "wounded" can name a topic; "old" of "How old was she?" is in 5% of news passages and
    names nothing new.
    """
    named = {w.lower() for name in names(question) for w in name.split()}

    def topical(word: str) -> bool:
        found = shares(word)
        return word in named or not found or min(found) < COMMON_SHARE

    return [w for w in subject_words(question) if topical(w)]
