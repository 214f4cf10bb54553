"""Sentence spans and question analysis for the extractive answerer (pure text functions)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space and a capital,
# digit or quote, unless the period closes a known abbreviation ("U.S.", "Nov.", "Mr.").
_END = re.compile(
    r"[.!?][\"'”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])|\n\s*\n|\n(?=\s*[-*•]\s)|\n(?=\s*#{1,6}\s)"
)
_ABBREV = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|St|Jr|Sr|Inc|Corp|Co|Ltd|"
    r"Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|No|vs|etc|approx|Ave|Blvd|Mt|Ft|ST|MT|FT)\.)$"
)

# "a.m." / "p.m." end no sentence before a time zone, a day or a month ("10:08 a.m. ET",
# "9 p.m. Monday", "11 a.m. Jan. 5")
_CLOCK = re.compile(r"\b[ap]\.m\.$")
_AFTER_CLOCK = re.compile(
    r"[\"“‘(\[]?(?:[ECMP][SD]?T|GMT|UTC|BST|CET|Eastern|Central|Mountain|Pacific|Beijing|"
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|"
    r"Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|"
    r"Dec(?:ember)?)\b"
)

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
    ]
)

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|dozens?)\b",
    re.IGNORECASE,
)
_MONTHS = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
_DATE = re.compile(
    rf"\b{_MONTHS}|\b(1[89]|20)\d\d\b|\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|"
    r"last (week|month|year)|this (week|month|year))\b"
)
_THIS_WEEK = re.compile(r"\b(this week|today|tonight|yesterday|recently|latest)\b", re.IGNORECASE)
_FRESH = re.compile(
    r"\b(mon|tues|wednes|thurs|fri|satur|sun)day\b|\b(today|tonight|yesterday|this week)\b",
    re.IGNORECASE,
)
# "What is this article about?", "Summarize the story", "What happened?": the question asks for
# the gist of an article rather than a fact.
_OVERVIEW = re.compile(
    r"\b(summar(y|ies|i[sz]e)|overview|gist|rundown|main points|what happened|"
    r"what('s| is| are)? (this|that|it|the)( \w+)? (is |are )?about|what (do|does) (this|it|the)( \w+)? say)\b",
    re.IGNORECASE,
)
_OVERVIEW_WORDS = frozenset(
    [
        "summary",
        "summaries",
        "summarize",
        "summarise",
        "overview",
        "gist",
        "rundown",
        "main",
        "points",
        "happened",
        "happen",
        "article",
        "articles",
        "story",
        "stories",
        "news",
        "piece",
        "report",
        "text",
        "document",
        "please",
        "give",
        "brief",
        "short",
        "key",
        "quick",
        "about",
        "what's",
        "it's",
        "that's",
    ]
)
# A name: capitalised words not opening the sentence, or two or more that do ("Serena Williams won").
_PROPER = re.compile(
    r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*|^[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+|[“\"'‘][^“”\"'‘’]{2,60}[”\"'’]"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text`, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        cut = match.start() + 1 if text[match.start()] in ".!?" else match.start()
        before = text[max(start, match.start() - 12) : match.start() + 1]
        if text[match.start()] == "." and (
            _ABBREV.search(before)
            or (_CLOCK.search(before) and _AFTER_CLOCK.match(text, match.end()))
        ):
            continue
        # keep closing quotes/brackets with the sentence they close
        while cut < len(text) and text[cut] in "\"'”’)]":
            cut += 1
        _append(spans, text, start, cut)
        start = match.end()
    _append(spans, text, start, len(text))
    return spans


# A markdown heading's marker ("## "): the heading is its line, without the marker.
_HEADING = re.compile(r"#{1,6}[ \t]+")


def _append(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    heading = _HEADING.match(text, start, end)
    if heading:
        line_end = text.find("\n", heading.end(), end)
        if line_end >= 0:
            _append(spans, text, heading.end(), line_end)
            _append(spans, text, line_end, end)
            return
        start = heading.end()
    if end - start >= 2:
        spans.append((start, end))


# Page furniture that scraped news text carries into its sentences: video widgets ("JUST
# WATCHED ... Replay More Videos ... MUST WATCH ... 02:37", "Video Ad Feedback ... 02:59 -
# Source: CNN") and photo credits ("Guy Smallman/Getty Images", "(AP Photo/Rich Pedroncelli)").
_WIDGET = re.compile(
    r"\b(?:JUST WATCHED|MUST WATCH|Replay More Videos|Video Ad Feedback)\b"
    # CNN's ad survey ("How relevant is this ad to you? Video player was slow to load ...")
    r"|\b(?:How relevant is this ad to you|Video player was slow to load content)\b"
    r"|^\W*Editor['’]s [Nn]ote\b"  # "Editor's Note: For the latest news ... see ... here."
    r"|\b\d{1,2}:\d{2}(?:\s*-\s*Source:[^.!?]*)?$"
)
_AGENCY = (
    r"(?:[\w.'’&\- ]+/)*(?:Getty Images|AFP|AP|Reuters|Bloomberg|Shutterstock|EPA-EFE|Sipa USA)"
)
_CREDITED = r"(?:[A-Z]\.|[A-Z][\w'’\-]*)(?: (?:[A-Z]\.|[A-Z][\w'’\-]*)){0,4}"  # "Ira L. Black"
_PHOTO = r"\((?:AP|AFP|Reuters) Photo[^)]*\)"
_CREDIT = rf"(?:{_PHOTO}(?:\s+{_CREDITED}/{_AGENCY})?|{_CREDITED}/{_AGENCY})"
_CREDIT_HEAD = re.compile(
    rf"^(?:{_CREDIT}|\((?:CNN|AP|Reuters|AFP)(?: [A-Z]\w*)?\)(?:\s*[-–—―])?)\s+(?=[A-Z“\"‘])"
)  # ... and a wire tag: "(CNN) ", "(AP) — "
_CREDIT_TAIL = re.compile(rf"\s+{_CREDIT}\s*$")
_CREDIT_ONLY = re.compile(rf"^{_CREDIT}$")
# ... links, promotions and bylines: "More:Everything we've learned...", "GET THE LATEST
# UKRAINE UPDATES:We'll email you...", "Want all the latest updates in your inbox?", "David
# Shepardson"; a link's label run into its headline ("Shooting down the balloon:US downs
# suspected...", "NBA REWIND:Thunder rise..."); and a line that only introduces what follows
# ("... from these states:")
_PROMO = re.compile(
    r"^\s*(?:More|MORE|Related|RELATED|READ MORE|Read more|GET THE LATEST)\b\s*:"
    r"|\b(?:in your inbox|email you|sign up for|subscribe to|download the app)\b"
    r"|(?-i:[a-z)]:[A-Z“\"]|[A-Z]:(?:[“\"]|[A-Z][a-z]))",  # not a ticker: "(NYSE:TM)"
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(?:By\s+)?[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3}\s*$")


def quotable(sentence: str) -> tuple[int, int] | None:
    """The span of a sentence worth quoting, without credits or a wire tag; None for page furniture."""
    if _WIDGET.search(sentence) or _CREDIT_ONLY.match(sentence) or _PROMO.search(sentence):
        return None
    if _BYLINE.match(sentence) or sentence.rstrip().endswith(":"):
        return None
    head = _CREDIT_HEAD.match(sentence)
    start = head.end() if head else 0
    tail = _CREDIT_TAIL.search(sentence, start)
    end = tail.start() if tail else len(sentence)
    return (start, end) if end - start > 15 else None


def content_words(text: str) -> list[str]:
    """Lower-cased words of `text` minus stop words, in order."""
    return [w.lower().strip("'’-") for w in _WORD.findall(text) if w.lower() not in STOPWORDS]


def question_type(question: str) -> str:
    """Expected answer type: number, date, person, place, name, reason or other."""
    q = question.lower().strip()
    if re.search(
        r"\bhow (many|much|long|old|far|big|large|tall)\b|\bwhat (percentage|percent|number|amount)\b"
        # "What is the price of ...?", "What was the final score ...?"
        r"|\bwhat (is|was|are|were) the (\w+ )?(price|cost|score|height|population|salary|"
        r"temperature|death toll)\b",
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
    # "Which planet ...?", "What is it called?", "... titled:" ask for a name
    if re.search(r"\bwhich\b|\b(called|titled|named|stand for)\b|:$", q):
        return "name"
    return "other"


def is_date_word(word: str) -> bool:
    """Whether a word is a month, a weekday or a year ("July", "Tuesday", "2023")."""
    return bool(_DATE.fullmatch(word))


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
        "date": _DATE,
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


def subject_words(question: str) -> list[str]:
    """The content words naming what a question is about (not "article", "summary", "happened")."""
    return [w for w in content_words(question) if w not in _OVERVIEW_WORDS]


def asks_for_overview(question: str) -> bool:
    """Whether the question asks for the gist of an article and names nothing to look for."""
    return bool(_OVERVIEW.search(question)) and not subject_words(question)


# "Tell me about the actors strike", "Summarize the Fed story": an article's gist, on a subject
_GIST_OF = re.compile(
    r"^\W*(?:(?:can|could) you\s+|please\s+)?(?:tell me (?:more )?about|summari[sz]e|"
    r"give me (?:a |an )?(?:quick |short |brief )?(?:summary|overview|rundown|recap) of|"
    r"(?:what'?s|what is) the story (?:with|on|about|behind)|what happened with|"
    r"catch me up on|fill me in on|brief me on)\s+\S",
    re.IGNORECASE,
)


def asks_for_gist_of(question: str) -> bool:
    """Whether the question asks for the gist of what the articles say on a subject it names."""
    return bool(_GIST_OF.search(question)) and bool(subject_words(question))


# "What's the latest news?", "Today's headlines", "What happened this week?": the newest articles
_LATEST = re.compile(
    r"\b(?:latest|newest|recent|top|today'?s|this week'?s|new)\s+(?:news|headlines?|stories|"
    r"articles|reports|updates)\b|\bwhat(?:'s| is)\s+(?:new|happening)\b|\bany (?:other |more )?news\b|"
    r"\bwhat(?:'s| is| are)\s+(?:the\s+)?(?:latest|news|headlines)\b|"
    r"\bwhat happened (?:today|yesterday|this week|lately|recently)\b|^\s*(?:the\s+)?(?:news|headlines)\W*$",
    re.IGNORECASE,
)
_LATEST_WORDS = frozenset(
    [
        "latest",
        "newest",
        "recent",
        "recently",
        "lately",
        "new",
        "top",
        "today",
        "today's",
        "yesterday",
        "week",
        "week's",
        "this",
        "headlines",
        "headline",
        "updates",
        "update",
        "happening",
        "tell",
        "show",
        "give",
        "me",
        "any",
        "there",
        "going",
        "other",
        "more",
        "according",
    ]
)


def asks_for_latest(question: str) -> bool:
    """Whether the question asks for the newest articles and names no subject to look for."""
    return names_the_news(question) and not topic_words(question)


def names_the_news(question: str) -> bool:
    """Whether the question words a request for the news ("latest news"), subject or not."""
    return bool(_LATEST.search(question))


def topic_words(text: str) -> list[str]:
    """The content words naming a subject: not "news", "latest", "summary", "happened"..."""
    return [w for w in subject_words(text) if w not in _LATEST_WORDS]


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
    words = _WORD.findall(re.sub(r"(\d)-(?=[A-Za-z])", r"\1 ", sentence))  # "a 118-day strike"
    return any(
        _NUMBER.fullmatch(w) and any(stem(x.lower()) == target for x in words[i + 1 : i + 4])
        for i, w in enumerate(words)
    )


_NAME_WORD = r"[A-Z][a-z][\w\-]*"
# words on one line, a space apart, none possessive ("Women's Euro" is no name)
_FULL_NAME = re.compile(
    rf"(?<![\w'’\-]){_NAME_WORD}(?: {_NAME_WORD}){{1,3}}(?=['’]s\b|(?![\w'’\-]))"
)
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
            words = m.group().split()
            for i, (given, last) in enumerate(zip(words, words[1:], strict=False)):
                pair = {given.lower(), last.lower()}
                if len(pair) < 2 or pair & banned:
                    continue
                if given in alone or not is_first_name(given) or _DATE.search(last):
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
        words = m.group().split()
        for given, last in zip(words, words[1:], strict=False):
            if given.lower() in _NOT_FIRST_NAMES or last.lower() in _NOT_FIRST_NAMES:
                continue
            if _first_names()(given) in _GENDERS[gender]:
                name = f"{given} {last}"
                if name not in found:
                    found.append(name)
                break
    return found


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


# Small talk: what the chat says instead of searching the articles for "hello" or "a joke"
_EXAMPLES = "“What's the latest news?”, then “Tell me more about the first one”"
_SMALL_TALK = [
    (
        r"(?:hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening)|greetings)(?: there)?",
        f"Hello! Ask me about the articles: for example {_EXAMPLES}. I answer from the "
        "articles only, citing each passage.",
    ),
    (
        # "thanks", "ok cool", "great, thanks!", "got it", "perfect, thank you so much"
        r"(?:(?:thanks?(?: you)?(?: (?:very|so) much)?|thx|ty|cheers|ok(?:ay)?|cool|great|nice|"
        r"perfect|awesome|got it|i see|makes sense|good to know|interesting|wow|alright|all right)"
        r"[\s,.!]*){1,3}",
        "You're welcome: ask another question about the articles whenever you like.",
    ),
    (
        r"(?:help|what can you do|who are you|what are you|how does this work|how do i use (?:this|you))",
        "I answer questions from the indexed articles only, quoting their passages with [n] "
        "citations you can click, and I say so when they don't hold the answer. Try "
        f"{_EXAMPLES}.",
    ),
    (
        r"(?:tell me a joke|how are you(?: doing)?|what'?s up|are you (?:a bot|human|real))",
        "I only answer from the articles, so ask me about the news they hold instead.",
    ),
]
_SMALL_TALK_RES = [(re.compile(rf"^\W*{p}\W*$", re.IGNORECASE), reply) for p, reply in _SMALL_TALK]


def small_talk(question: str) -> str | None:
    """The chat's reply to a greeting, thanks or "what can you do?"; None for real questions."""
    for pattern, reply in _SMALL_TALK_RES:
        if pattern.match(question):
            return reply
    return None
