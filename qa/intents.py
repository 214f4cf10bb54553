"""What a message asks for besides a fact: the gist of an article, or the latest news."""

from __future__ import annotations

import re

from qa.words import content_words

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
