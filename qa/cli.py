"""The `qa` command line: ingest, ask, chat, articles, delete, serve, eval."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from qa.cli_articles import cmd_articles, cmd_delete, cmd_ingest
from qa.cli_chat import cmd_ask, cmd_chat
from qa.cli_parser import build_parser
from qa.errors import QAError


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
    debug = os.environ.get("QA_DEBUG", "").strip().lower() in ("1", "true", "yes", "on", "t", "y")
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
        kept = getattr(exc, "report", None)
        if kept is not None and (kept.added or kept.updated):  # an ingest stopped part-way
            message += f" (ingest stopped{interrupted_ingest(kept)})"
        print(f"error: {message}", file=sys.stderr)
        if getattr(args, "json", False):  # a script reading stdout gets the error too
            print(json.dumps({"error": message}))
        return 1
    finally:
        llm_log.setLevel(level)  # as it was: main() may run inside another program (or a test)


if __name__ == "__main__":
    sys.exit(main())
