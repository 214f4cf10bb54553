"""The `qa` command line: ingest, ask, chat, articles, delete, serve, eval."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qa.errors import QAError

if TYPE_CHECKING:
    from qa.citations import Answer


def positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    if not value.strip().isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {value!r}")
    return int(value)


def passage_count(value: str) -> int:
    """An argparse type: a number of passages, 1 to MAX_TOP_K (what ask() takes)."""
    from qa.settings import MAX_TOP_K

    if not value.strip().isdigit() or not 1 <= int(value) <= MAX_TOP_K:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 1 to {MAX_TOP_K}, not {value!r}"
        )
    return int(value)


def port_number(value: str) -> int:
    """An argparse type: a TCP port, 1 to 65535."""
    if not value.strip().isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 1 to 65535, not {value!r}")
    return int(value)


def add_search_options(p: argparse.ArgumentParser) -> None:
    """The options that narrow a search: --top-k, --since, --until, --source, --as-of."""
    p.add_argument("--top-k", type=passage_count, default=None, help="passages to consider")
    p.add_argument("--since", help="only articles published on/after this date (YYYY-MM-DD)")
    p.add_argument("--until", help="only articles published on/before this date (YYYY-MM-DD)")
    p.add_argument(
        "--source",
        action="append",
        dest="sources",
        help="only articles from this source (repeatable)",
    )
    p.add_argument(
        "--as-of",
        help="the day the question is asked (YYYY-MM-DD; default today): later articles are left out, newer ones weigh more",
    )


def search_options(args: argparse.Namespace) -> dict[str, Any]:
    """The values of add_search_options as ask()'s keyword arguments."""
    return {
        "top_k": args.top_k,
        "since": args.since,
        "until": args.until,
        "sources": args.sources,
        "as_of": args.as_of,
    }


def build_parser() -> argparse.ArgumentParser:
    """Argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="qa", description="Ask questions about news articles; answers cite passages."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "ingest",
        help="index articles from files or folders (txt, md, html, json, jsonl[.gz], a saved RSS/Atom feed) or web addresses (a page or a feed)",
    )
    p.add_argument("paths", nargs="+", help="files, folders or http(s):// addresses to index")
    p.add_argument(
        "--prune",
        action="store_true",
        help="remove indexed articles that lay under PATHS and are gone from there (articles from "
        "other folders, uploads and the API are kept)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    p = sub.add_parser("ask", help="answer a question from the indexed articles")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    add_search_options(p)

    p = sub.add_parser(
        "chat", help="ask questions one per line; follow-ups refer to the ones before"
    )
    add_search_options(p)

    p = sub.add_parser("articles", help="list indexed articles")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = sub.add_parser("delete", help="remove indexed articles by id (as `qa articles` lists)")
    p.add_argument("ids", nargs="+", metavar="ID", help="article ids, e.g. seeds/baghdad.md")
    p.add_argument("--json", action="store_true", help="print the result as JSON")

    p = sub.add_parser("serve", help="serve the web chat and the HTTP API")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only; any other needs "
        "QA_AUTH and QA_API_TOKEN)",
    )
    p.add_argument("--port", type=port_number, default=7860, help="port (default 7860)")
    p.add_argument(
        "--seed", nargs="*", default=None, help="ingest these paths first when the index is empty"
    )

    p = sub.add_parser("eval", help="measure retrieval, answers and refusals on a dataset")
    p.add_argument("dataset", help="folder with articles.jsonl.gz and questions.jsonl")
    p.add_argument("--limit", type=positive_int, default=None, help="only the first N questions")
    p.add_argument("--json", dest="json_out", help="write the metrics to this file")
    p.add_argument(
        "--baseline", choices=["vanilla"], help="also measure plain LlamaIndex retrieval"
    )
    p.add_argument(
        "--holdout",
        type=float,
        default=0.0,
        metavar="FRACTION",
        help="remove the evidence articles of this share of answerable questions, which then count as unanswerable",
    )
    p.add_argument(
        "--off-topic",
        metavar="OTHER_DATASET",
        help="also ask another set's questions (on topics this corpus lacks; the first N with --limit), which count as unanswerable",
    )
    p.add_argument(
        "--typos",
        action="store_true",
        help="misspell one word of each question (the same way every run), as users do",
    )
    p.add_argument(
        "--ignore-asked-on",
        dest="as_asked",
        action="store_false",
        help="ask every question as of today, not as of its asked_on day",
    )
    return parser


def cmd_ingest(args: argparse.Namespace) -> int:
    from index.ingest import ingest_paths
    from qa.settings import Settings

    def waiting() -> None:
        print(
            "Another process is writing to this index; waiting for it to finish…", file=sys.stderr
        )

    report = ingest_paths(
        args.paths, Settings(), prune=args.prune, progress=not args.json, waiting=waiting
    )
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        print(report.summary())
        for f in report.failed:
            where = f"{f['path']}:{f['line']}" if "line" in f else f["path"]
            print(f"  failed: {where}: {f['error']}", file=sys.stderr)
        for w in report.warnings:
            where = f"{w['path']}:{w['line']}" if "line" in w else w["path"]
            print(f"  warning: {where}: {w['error']}", file=sys.stderr)
    nothing_ingested = not (report.added or report.updated or report.unchanged)
    if nothing_ingested and not (report.failed or report.removed):
        print(
            "No article files found there: qa ingest reads .txt .md .html .json .jsonl "
            ".jsonl.gz .rss/.atom/.xml files and http(s):// addresses.",
            file=sys.stderr,
        )
        return 1
    return 1 if report.failed and nothing_ingested else 0


def require_index() -> None:
    """NoIndexError for an embedded index folder that does not exist (a mistyped QA_INDEX_DIR).

    Opening it would create an empty one there.
    """
    from index.store import check_index_dir
    from qa.errors import NoIndexError
    from qa.settings import Settings

    settings = Settings()
    if not settings.chroma_url:
        check_index_dir(settings)
    if not settings.chroma_url and not settings.chroma_dir.exists():
        raise NoIndexError(str(settings.index_dir.resolve()))
    check_collection(settings)


def check_collection(settings: Any) -> None:
    """A ConfigError naming the collections there are when QA_COLLECTION is none of them.

    Reading must not create the collection that a mistyped QA_COLLECTION names.
    """
    from index.store import open_client

    names = sorted(
        c if isinstance(c, str) else c.name for c in open_client(settings).list_collections()
    )
    if names and settings.collection not in names:
        from qa.errors import ConfigError

        where = settings.chroma_url or str(settings.index_dir.resolve())
        raise ConfigError(
            f"No collection {settings.collection!r} in {where} (QA_COLLECTION); it holds "
            f"{', '.join(repr(n) for n in names)}: set QA_COLLECTION to one of them."
        )


def cmd_ask(args: argparse.Namespace) -> int:
    from qa.api import ask, search_filters

    if not args.question.strip():
        print(
            'error: ask a question, e.g. qa ask "Where were the rockets fired from?"',
            file=sys.stderr,
        )
        return 2
    options = search_options(args)
    search_filters(options["since"], options["until"], options["sources"], options["as_of"])
    require_index()  # after the options: a bad date is named even where no index is yet
    answer = ask(args.question, **options)
    if args.json:
        print(json.dumps(answer.as_dict(), ensure_ascii=False))
        return 0
    print_answer(answer)
    return 0


def print_answer(answer: Answer) -> None:
    """An answer as text: its sentences with [n] markers, then each cited passage."""
    print(answer.text)
    if answer.notice:
        print(f"\n({answer.notice})")
    for c in answer.citations:
        date = f", {c.published}" if c.published else ""
        print(f"\n[{c.n}] {c.title}{date}  {c.url or ''}".rstrip())
        print(
            f"    chars {c.start}-{c.end} of {c.article_id}: {c.passage[:300]}{'…' if len(c.passage) > 300 else ''}"
        )


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
    from qa.api import default_engine, search_filters

    search_filters(args.since, args.until, args.sources, args.as_of)
    require_index()
    engine = default_engine()
    interactive = sys.stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):  # line editing and history for input(), if present
            import readline  # noqa: F401
        print(CHAT_HELP)
    history: list[tuple[str, str]] = []
    while True:
        try:
            if not chat_turn(engine, args, history, interactive):
                return 0
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
        answer = engine.ask(line, history, **search_options(args))
        if not interactive:
            print(f"> {line}")
        print_answer(answer)
        print()
        history.append((line, answer.text))
    return True


def cmd_articles(args: argparse.Namespace) -> int:
    from index.store import PassageStore
    from qa.settings import Settings

    require_index()
    entries = sorted(
        PassageStore(Settings()).manifest().values(),
        key=lambda e: (e.published, e.title),
        reverse=True,
    )
    if args.json:
        print(json.dumps([e.as_dict() for e in entries], ensure_ascii=False))
    else:
        for e in entries:
            unit = "passage " if e.chunks == 1 else "passages"
            print(f"{e.published[:10]:10}  {e.chunks:4} {unit}  {e.title}  [{e.id}]")
        print(f"{len(entries)} article{'' if len(entries) == 1 else 's'}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from index.ingest import delete
    from index.store import PassageStore
    from qa.settings import Settings

    require_index()
    settings = Settings()
    store = PassageStore(settings)
    manifest = store.manifest()
    found = list(dict.fromkeys(i for i in args.ids if i in manifest))
    missing = [i for i in args.ids if i not in manifest]
    if found:
        delete(store, settings, found)
    passages = sum(manifest[i].chunks for i in found)
    if args.json:
        print(json.dumps({"deleted": found, "passages": passages, "missing": missing}))
    else:
        noun = "article" if len(found) == 1 else "articles"
        print(f"{len(found)} {noun} deleted ({passages} passages)")
        for i in missing:
            print(f"  not indexed: {i} (`qa articles` lists the ids)", file=sys.stderr)
    return 0 if found else 1


def cmd_serve(args: argparse.Namespace) -> int:
    from qa.server import serve

    serve(host=args.host, port=args.port, seed_paths=args.seed)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from qa.evaluate import run_eval

    run_eval(
        args.dataset,
        limit=args.limit,
        json_out=args.json_out,
        baseline=args.baseline,
        holdout=args.holdout,
        as_asked=args.as_asked,
        off_topic=args.off_topic,
        typos=args.typos,
    )
    return 0


COMMANDS = {
    "ingest": cmd_ingest,
    "ask": cmd_ask,
    "chat": cmd_chat,
    "articles": cmd_articles,
    "delete": cmd_delete,
    "serve": cmd_serve,
    "eval": cmd_eval,
}


def interrupted_ingest(report: Any) -> str:
    """What an interrupted ingest kept, for the "interrupted" line ('' for other commands)."""
    if report is None:
        return ""
    stored = report.added + report.updated
    if not stored:
        return ": nothing was stored yet (passages are stored in batches); run it again"
    noun = "article" if stored == 1 else "articles"
    return (
        f": {stored} {noun} ({report.chunks} passages) were stored and are kept; run the same "
        "command again to finish (they are skipped, not embedded again)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; errors print one line with the remedy (traceback only with QA_DEBUG=1)."""
    from qa.settings import unknown_variables

    args = build_parser().parse_args(argv)
    debug = os.environ.get("QA_DEBUG", "").lower() in ("1", "true", "yes")
    for name in unknown_variables(os.environ):
        print(
            f"warning: {name} is not a setting of article-qa and is ignored "
            "(README.md, Configuration, lists them)",
            file=sys.stderr,
        )
    llm_log = logging.getLogger("qa.llm")
    level = llm_log.level
    if args.command in ("ask", "chat"):  # an LLM failure is the answer's notice: not twice
        llm_log.setLevel(logging.ERROR)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt as exc:
        print(f"interrupted{interrupted_ingest(getattr(exc, 'report', None))}", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `qa ask ... | head -1`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the CLI is the edge: translate every error for people
        if debug:
            raise
        from pydantic import ValidationError

        from qa.errors import UNREACHABLE, is_unreachable
        from qa.settings import settings_error

        if isinstance(exc, QAError):
            message = str(exc)
        elif is_unreachable(exc):
            message = UNREACHABLE.format(kind=type(exc).__name__)
        elif isinstance(exc, ValidationError) and exc.title == "Settings":
            message = settings_error(exc)
        else:
            message = f"{type(exc).__name__}: {exc} (set QA_DEBUG=1 for details)"
        print(f"error: {message}", file=sys.stderr)
        return 1
    finally:
        llm_log.setLevel(level)  # as it was: main() may run inside another program (or a test)


if __name__ == "__main__":
    sys.exit(main())
