"""Sentence spans of a text, and what of a sentence is worth quoting (pure text functions)."""

from __future__ import annotations

import re

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


def closes_abbreviation(before: str, text: str, after: int) -> bool:
    """Whether the period ending `before` closes "U.S.", "Nov." or "a.m." before a time or day.

    No sentence ends there; `after` is where the text goes on after the space.
    """
    return bool(
        _ABBREV.search(before) or (_CLOCK.search(before) and _AFTER_CLOCK.match(text, after))
    )


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text`, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        cut = match.start() + 1 if text[match.start()] in ".!?" else match.start()
        before = text[max(start, match.start() - 12) : match.start() + 1]
        if text[match.start()] == "." and closes_abbreviation(before, text, match.end()):
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
    r"^\s*(?:More|MORE|Related|RELATED|READ MORE|Read more|GET THE LATEST|WATCH|VIDEO|LISTEN"
    r"|PHOTOS)\b\s*:"
    # "UPDATES:US downs ...": a link's label run into its headline ("Update: Police said ..."
    # with a space tells news)
    r"|^\s*UPDATES?:(?=\S)"
    # "For the latest news on Idalia, please check our live updates file": a pointer elsewhere
    r"|\b(?:check|see|follow|visit|read) our (?:live|full|latest|complete)"
    r"(?: \w+)? (?:updates|coverage|blog|file|page|story|report)\b"
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
