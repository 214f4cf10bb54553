"""Uploaded article files: kept under the index by content hash, with safe names; pruned."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from qa.errors import LoadError

UPLOAD_SUFFIXES = (
    ".txt",
    ".md",
    ".markdown",
    ".html",
    ".htm",
    ".json",
    ".jsonl",
    ".json.gz",
    ".jsonl.gz",
    ".rss",
    ".atom",
    ".xml",
)


def safe_filename(name: str) -> str:
    """A file name safe to store: letters, digits, `._-`, no leading dot, at most ~80 characters."""
    base = Path(name.replace("\\", "/")).name
    kinds = [k for k in UPLOAD_SUFFIXES if base.lower().endswith(k)]  # `.jsonl.gz` whole
    suffix = max(kinds, key=len) if kinds else Path(base).suffix.lower()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", base[: len(base) - len(suffix)]).strip("._")[:80]
    return f"{stem or 'upload'}{re.sub(r'[^a-z0-9.]', '', suffix)}"


def store_upload(path: Path, upload_dir: Path, max_bytes: int, display_name: str) -> Path:
    """Copy an uploaded file under `upload_dir/<content hash>/<safe name>`; LoadError if refused."""
    name = safe_filename(display_name)
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise LoadError(display_name, f"not an article file: upload {', '.join(UPLOAD_SUFFIXES)}")
    size = path.stat().st_size
    if size > max_bytes:
        raise LoadError(
            display_name,
            f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB cap (QA_MAX_FILE_MB)",
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    target = upload_dir / digest / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    return target


def prune_uploads(upload_dir: Path, kept_paths: set[str]) -> None:
    """Delete stored uploads that no indexed article comes from any more."""
    if not upload_dir.is_dir():
        return
    kept = {str(Path(p).resolve()) for p in kept_paths if p}
    for folder in upload_dir.iterdir():
        for f in folder.iterdir() if folder.is_dir() else []:
            if str(f.resolve()) not in kept:
                f.unlink()
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
