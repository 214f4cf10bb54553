"""The `qa` command's arguments: argparse types, search options, every subcommand's parser."""

from __future__ import annotations

import argparse
from typing import Any


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


def source_path(value: str) -> str:
    """An argparse type: a file, folder or address to ingest, refusing an empty one."""
    if not value:  # "$DIR" unset: Path("") is the current folder, all of it ingested (or pruned)
        raise argparse.ArgumentTypeError(
            "an empty path (an unset variable?): give a file, folder or http(s):// address"
        )
    return value


def add_search_options(p: argparse.ArgumentParser) -> None:
    """The options that narrow a search: --top-k, --since, --until, --source, --as-of."""
    p.add_argument(
        "--top-k",
        type=passage_count,
        default=None,
        metavar="N",
        help="passages the answer is drawn from (1-100; default QA_TOP_K, else 5)",
    )
    p.add_argument("--since", help="only articles published on/after this date (YYYY-MM-DD)")
    p.add_argument("--until", help="only articles published on/before this date (YYYY-MM-DD)")
    p.add_argument(
        "--source",
        action="append",
        dest="sources",
        metavar="NAME",
        help="only articles from this source, as `qa articles` lists it or its web address "
        "(repeatable)",
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
    from importlib.metadata import PackageNotFoundError, version

    parser = argparse.ArgumentParser(
        prog="qa", description="Ask questions about news articles; answers cite passages."
    )
    try:
        installed = version("article-qa")
    except PackageNotFoundError:  # run from a source tree that was never installed
        installed = "unknown (not installed)"
    parser.add_argument("--version", action="version", version=f"article-qa {installed}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "ingest",
        help="index articles from files or folders (txt, md, html, json, jsonl[.gz], a saved RSS/Atom feed) or web addresses (a page or a feed)",
    )
    p.add_argument(
        "paths", nargs="+", type=source_path, help="files, folders or http(s):// addresses to index"
    )
    p.add_argument(
        "--prune",
        action="store_true",
        help="remove indexed articles that lay under these paths and are gone from there (articles from "
        "other folders, uploads and the API are kept)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    p = sub.add_parser("ask", help="answer a question from the indexed articles")
    p.add_argument("question", help="the question, quoted")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    add_search_options(p)

    p = sub.add_parser(
        "chat",
        help="ask questions one per line; follow-ups refer to the ones before",
        description="Ask questions one per line; follow-ups refer to the ones before. "
        "/new forgets them, /quit (or Ctrl-D) leaves, /help says so.",
    )
    add_search_options(p)

    p = sub.add_parser("articles", help="list indexed articles")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = sub.add_parser("delete", help="remove indexed articles by id (as `qa articles` lists)")
    p.add_argument(
        "ids",
        nargs="+",
        metavar="ID",
        help="article ids, as `qa articles` lists them (exit 1 if one is not indexed)",
    )
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
        "--seed",
        nargs="*",
        default=None,
        metavar="PATH",
        help="ingest these paths on the first run, into a new index (an index whose articles "
        "were deleted stays empty)",
    )

    p = sub.add_parser("eval", help="measure retrieval, answers and refusals on a dataset")
    p.add_argument("dataset", help="folder with articles.jsonl.gz and questions.jsonl")
    p.add_argument("--limit", type=positive_int, default=None, help="only the first N questions")
    p.add_argument(
        "--json",
        dest="json_out",
        metavar="OUT",
        help="write the metrics to OUT, and each question's result to OUT's stem + .questions.jsonl",
    )
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
