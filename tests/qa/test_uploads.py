"""Uploaded files: safe names, stored by content, refused when too large or not articles."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from qa.errors import LoadError
from qa.uploads import prune_uploads, safe_filename, store_upload


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\My Notes (1).MD", "My_Notes_1.md"),
        ("<img src=x onerror=alert(1)>.html", "img_src_x_onerror_alert_1.html"),
        (".hidden.txt", "hidden.txt"),
        ("News Dump.JSONL.GZ", "News_Dump.jsonl.gz"),
        ("x" * 100 + ".jsonl.gz", "x" * 80 + ".jsonl.gz"),
        ("backup.tar.gz", "backup.tar.gz"),
        ("....txt", "upload.txt"),
    ],
)
def test_safe_filename(given: str, safe: str) -> None:
    assert safe_filename(given) == safe


def test_uploads_are_stored_by_content_and_pruned(tmp_path: Path) -> None:
    src = tmp_path / "in" / "note.txt"
    src.parent.mkdir()
    src.write_text("hello")
    uploads = tmp_path / "uploads"
    stored = store_upload(src, uploads, 100, "My note.txt")
    assert stored.read_text() == "hello" and stored.name == "My_note.txt"
    assert (
        stored.parent.parent == uploads and store_upload(src, uploads, 100, "My note.txt") == stored
    )
    with pytest.raises(LoadError, match="not an article file"):
        store_upload(src, uploads, 100, "run.exe")
    with pytest.raises(LoadError, match="over the"):
        store_upload(src, uploads, 3, "note.txt")
    prune_uploads(uploads, {str(stored)})
    assert stored.exists()
    prune_uploads(uploads, set())
    assert not any(uploads.iterdir())


def test_a_gzipped_jsonl_upload_is_stored_and_read(tmp_path: Path) -> None:
    from index.load import load_file

    src = tmp_path / "news.jsonl.gz"
    row = {"id": "a", "title": "Owls return", "text": "Barn owls nest in the old mill."}
    src.write_bytes(gzip.compress(json.dumps(row).encode()))
    stored = store_upload(src, tmp_path / "uploads", 10_000, "news.jsonl.gz")
    assert stored.name == "news.jsonl.gz"
    [article] = load_file(stored, f"uploads/{stored.name}", 10_000)
    assert article.title == "Owls return"  # type: ignore[union-attr]
    with pytest.raises(LoadError, match="not an article file"):
        store_upload(src, tmp_path / "uploads", 10_000, "backup.tar.gz")
