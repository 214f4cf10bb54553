"""Small talk: the chat's replies to a greeting, thanks or "what can you do?", not a search."""

from __future__ import annotations

import re

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
