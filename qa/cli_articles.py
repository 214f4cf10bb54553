"""`qa ingest`, `qa articles` and `qa delete`, and the check that an index is there to read."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def waiting() -> None:
    """Say that another process holds the index's write lock, and that this one waits."""
    print("Another process is writing to this index; waiting for it to finish…", file=sys.stderr)


def cmd_ingest(args: argparse.Namespace) -> int:
    from index.ingest import ingest_paths
    from qa.settings import Settings

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
        for s in report.skipped:
            print(f"  skipped: {s['path']}: {s['error']}", file=sys.stderr)
    nothing_ingested = not (report.added or report.updated or report.unchanged)
    if nothing_ingested and not (report.failed or report.removed):
        from index.files import KINDS_SAID

        print(
            f"No article files found in {', '.join(args.paths)}: qa ingest reads {KINDS_SAID} "
            "files, and http(s):// addresses.",
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
        delete(store, settings, found, waiting=waiting)
    passages = sum(manifest[i].chunks for i in found)
    if args.json:
        print(json.dumps({"deleted": found, "passages": passages, "missing": missing}))
    else:
        noun = "article" if len(found) == 1 else "articles"
        passage_noun = "passage" if passages == 1 else "passages"
        print(f"{len(found)} {noun} deleted ({passages} {passage_noun})")
        for i in missing:
            print(f"  not indexed: {i} (`qa articles` lists the ids)", file=sys.stderr)
    return 1 if missing else 0  # like rm: an id that was not there is a failure, said above
