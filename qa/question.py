"""Check and clean a typed question: its length, markup removed, the asked part of a long message found."""

from __future__ import annotations

import html
import re

from qa.errors import ConfigError
from qa.http_models import MAX_QUESTION
from qa.sentences import sentence_spans

LONG_QUESTION = 300  # characters; past this, a message's question sentences are what is searched

_TAGS = (
    "a|abbr|article|b|big|blockquote|body|br|cite|code|div|em|font|h[1-6]|head|header|hr|html|"
    "i|img|li|main|mark|nav|ol|p|pre|q|s|section|small|span|strike|strong|sub|sup|table|td|"
    "th|title|tr|u|ul"
)
_TAG = re.compile(rf"</?(?:{_TAGS})(?:\s[^<>]*)?/?>", re.IGNORECASE)

_OPENS = re.compile(
    r"\W*(?:and|but|so|also|now|then|ok(?:ay)?|please|tell|who|whom|whose|what|when|where|which|"
    r"why|how|is|are|was|were|do|does|did|can|could|will|would|has|have|had|should|may|might)\b",
    re.IGNORECASE,
)


_ENDS_SENTENCE = re.compile(r"[a-z]{3,}[.!?][\"'”’)]*$")  # "... on Tuesday.", not "Epic v."


def check_question(question: object) -> None:
    """A ConfigError for a question that is no text or is too long to be one question."""
    if not isinstance(question, str):
        raise ConfigError(f"The question must be text, not {type(question).__name__}.")
    if len(question) > MAX_QUESTION:
        raise ConfigError(
            f"Questions are limited to {MAX_QUESTION:,} characters; this one has "
            f"{len(question):,}: ask about one thing at a time."
        )


def without_markup(question: str) -> str:
    """The question without HTML tags and entities ("<p>Who won?</p>" -> "Who won?")."""
    if "<" not in question and "&" not in question:
        return question
    text = html.unescape(_TAG.sub(" ", question))
    return re.sub(r"\s+", " ", text).strip()


def question_and_context(question: str) -> tuple[str, str]:
    """Split a long message into its question sentences and the context before them.

    A 3,000-character preamble drowns the question it ends with in a search; short
    questions, and long ones with no sentence ending in "?", are returned whole, with ''.
    """
    if len(question) <= LONG_QUESTION:
        return question, ""
    spans = sentence_spans(question)
    asked = [(s, e) for s, e in spans if question[s:e].rstrip(" \"'”’)").endswith("?")]
    if not asked or len(asked) == len(spans):
        return question, ""
    # a split inside one long question ("... the Epic v. | Google trial, ...?") opens oddly,
    # after an abbreviation; "Anyway, where ...?" after "... on Tuesday." is a question
    before = question[: asked[0][0]].rstrip()
    if not (_OPENS.match(question[asked[0][0] :]) or _ENDS_SENTENCE.search(before)):
        return question, ""
    return " ".join(question[s:e].strip() for s, e in asked), before.strip()
