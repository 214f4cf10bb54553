"""Article files under a folder: supported suffixes, walked without links or index folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from qa.errors import LoadError, Skipped

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json", ".jsonl", ".jsonl.gz", ".json.gz"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}  # an RSS or Atom feed saved to a file
# the suffixes above, as told to a user whose file is of another kind
KINDS_SAID = (
    ".txt, .md, .markdown, .html, .htm, .json, .jsonl, .json.gz, .jsonl.gz "
    "or .rss/.atom/.xml (a feed)"
)


def path_text(path: str | Path) -> str:
    """A path as text that can be stored and printed: a byte of a name that is not UTF-8 as `\\xe9`.

    A Latin-1 name ("caf\\xe9.txt", from an old archive) reaches Python as a lone surrogate,
    which Chroma, the hash and `--json` refuse; the escape keeps it readable and distinct.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def suffix_of(path: Path) -> str:
    """Lower-case suffix, with `.gz` kept as part of it (`.jsonl.gz`)."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        return "".join(suffixes)
    return suffixes[-1] if suffixes else ""


def linked_within(path: Path, top: Path) -> str:
    """The target of a symlinked file if it is a file under `top` (as a relative path), else ''."""
    if not path.is_symlink():
        return ""
    try:
        target = path.resolve()
    except (OSError, RuntimeError):  # a loop: loading it says so
        return ""
    return (
        target.relative_to(top).as_posix()
        if target.is_relative_to(top) and target.is_file()
        else ""
    )


def is_index_folder(folder: Path) -> bool:
    """Whether a folder holds a Chroma index (ours, `QA_INDEX_DIR`, or any other)."""
    # os.path.isfile: False for a folder it may not look into (Path.is_file raises there)
    return any(
        os.path.isfile(folder / name) for name in ("chroma.sqlite3", "chroma/chroma.sqlite3")
    )


def iter_files(root: Path) -> Iterator[Path | LoadError]:
    """Supported files under a folder, sorted, not following symlinked folders (no loops).

    A symlinked file whose target is also under the folder is skipped: the target is indexed.
    """
    supported = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | FEED_SUFFIXES
    top = root.resolve()
    unreadable: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable.append, followlinks=False):
        while unreadable:
            exc = unreadable.pop(0)
            yield LoadError(
                path_text(exc.filename or root), f"cannot read folder ({exc.strerror or exc})"
            )
        linked = [d for d in dirnames if (Path(dirpath) / d).is_symlink()]
        for d in sorted(linked):
            yield Skipped(path_text(Path(dirpath) / d), "symbolic link to a folder (not followed)")
        indexes = [d for d in dirnames if is_index_folder(Path(dirpath) / d)]
        for d in sorted(indexes):
            yield Skipped(path_text(Path(dirpath) / d), "an index folder, not articles")
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and d not in linked and d not in indexes
        )
        for fname in sorted(filenames):
            p = Path(dirpath) / fname
            if fname.startswith("."):
                continue
            target = linked_within(p, top)
            if target:
                yield Skipped(
                    path_text(p), f"symbolic link to {path_text(target)}, indexed as itself"
                )
            elif suffix_of(p) in supported:
                yield p
            elif not p.is_symlink():
                kind = suffix_of(p) or "(none)"
                yield Skipped(path_text(p), f"not an article file ({path_text(kind)})")
    for exc in unreadable:
        yield LoadError(
            path_text(exc.filename or root), f"cannot read folder ({exc.strerror or exc})"
        )
