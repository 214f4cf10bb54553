"""`qa ask` and `qa chat`: questions answered in the terminal, one alone or a conversation."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qa.cli_articles import require_index
from qa.cli_parser import search_options
from qa.errors import ConfigError, QAError

if TYPE_CHECKING:
    from qa.citations import Answer


def cmd_ask(args: argparse.Namespace) -> int:
    from qa.api import ask
    from qa.filters import search_filters

    if not args.question.strip():
        print(
            'error: ask a question, e.g. qa ask "Where were the rockets fired from?"',
            file=sys.stderr,
        )
        return 2
    options = search_options(args)
    search_filters(options["since"], options["until"], options["sources"], options["as_of"])
    require_index()  # after the options: a bad date is named even where no index is yet
    answer = ask(readable_question(args.question), **options)
    if args.json:
        print(json.dumps(answer.as_dict(), ensure_ascii=False))
        return 0
    print_answer(answer)
    return 0


def readable_question(question: str) -> str:
    """The question, or a ConfigError when some of its bytes were not UTF-8 (a Latin-1 terminal)."""
    from index.text import LONE_SURROGATE  # how Python keeps a byte it could not decode

    if LONE_SURROGATE.search(question):
        raise ConfigError(
            "The question is not valid UTF-8 text: set your terminal (or file) to UTF-8 and "
            "ask again."
        )
    return question


def print_answer(answer: Answer) -> None:
    """An answer as text: its sentences with [n] markers, then each cited passage."""
    print(answer.text)
    if answer.notice:
        print(f"\n({answer.notice})")
    for c in answer.citations:
        date = f", {c.published}" if c.published else ""
        print(f"\n[{c.n}] {c.title}{date}  {c.url or ''}".rstrip())
        print(f"    chars {c.start}-{c.end} of {c.article_id}: {preview(c.passage, c.highlights)}")


def preview(passage: str, highlights: Sequence[tuple[int, int]], width: int = 300) -> str:
    """Up to `width` characters of a passage around what the answer quotes of it, cuts marked."""
    quoted = highlights[0][0] if highlights else 0
    start = max(0, min(quoted - 60, len(passage) - width))  # a little of what comes before
    end = min(len(passage), start + width)
    return f"{'…' * (start > 0)}{passage[start:end].strip()}{'…' * (end < len(passage))}"


CHAT_HELP = (
    "Ask about the articles, one question a line; follow-ups refer to earlier questions.\n"
    "/new forgets them, /quit (or Ctrl-D) leaves, /help shows this."
)


def chat_command(line: str) -> str | None:
    """What a chat line starting with "/" (or a bare quit/exit) asks for: new, quit, help, unknown."""
    word = line.strip().lower()
    if word in ("/new", "/reset"):
        return "new"
    if word in ("/quit", "/exit", "/q", "quit", "exit"):
        return "quit"
    if word in ("/help", "/?", "help"):
        return "help"
    if word.startswith("/") and " " not in word:
        return "unknown"
    return None


def cmd_chat(args: argparse.Namespace) -> int:
    from qa.api import default_engine
    from qa.filters import search_filters

    search_filters(args.since, args.until, args.sources, args.as_of)
    require_index()
    engine = default_engine()
    interactive = sys.stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):  # line editing and history for input(), if present
            import readline  # noqa: F401
        print(CHAT_HELP)
    # a line that is not UTF-8 is read (its bad bytes kept as surrogates) and refused alone;
    # strict decoding would end the chat, and drop the lines read with it
    with contextlib.suppress(AttributeError, ValueError):
        sys.stdin.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]
    history: list[tuple[str, str]] = []
    while True:
        try:
            if not chat_turn(engine, args, history, interactive):
                return 0
        except QAError as exc:  # a refused question (too long, not UTF-8): the chat goes on
            print(f"error: {exc}", file=sys.stderr)
        except EOFError:
            if interactive:
                print()  # end the prompt's line
            return 0
        except KeyboardInterrupt:  # as in Python's own prompt: the line goes, the chat stays
            if not interactive:
                raise
            print("\n(Ctrl-C: that line is dropped; /quit or Ctrl-D leaves)")


def chat_turn(
    engine: Any, args: argparse.Namespace, history: list[tuple[str, str]], interactive: bool
) -> bool:
    """Read one chat line and answer it or run its command; False when it says to quit."""
    line = input("> " if interactive else "").strip()
    command = chat_command(line)
    if command == "quit":
        return False
    if command == "new":
        history.clear()
    elif command in ("help", "unknown"):
        print(CHAT_HELP if command == "help" else f"Unknown command {line}: try /help.")
    elif line:
        answer = engine.ask(readable_question(line), history, **search_options(args))
        if not interactive:
            print(f"> {line}")
        print_answer(answer)
        print()
        history.append((line, answer.text))
    return True
