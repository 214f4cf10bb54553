"""A folder of bad files: the rest is ingested, each failure named with path, line and reason."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from index.article import Article
from index.load import load_paths
from qa.errors import LoadError

ROOT = Path(__file__).resolve().parents[2]
GOOD_JSONL = '{"id": "j1", "title": "Harvest", "text": "The grape harvest started early."}'

# Root reads chmod-000 files; without these capabilities it can't (setpriv drops them on exec).
DROP_ROOT_READ = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def make_bad_folder(root: Path) -> dict[str, str]:
    """Write good and bad files; return {file name[:line]: words its failure reason must hold}."""
    root.mkdir()
    (root / "good.txt").write_text("The council voted to rebuild the old pier next spring.")
    (root / "empty.txt").write_bytes(b"")
    (root / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    with (root / "huge.txt").open("wb") as f:  # 50 MB, over the default 20 MB cap
        f.write(b"All work and no play. " * (50_000_000 // 22 + 1))
    (root / "damaged.txt").write_bytes(b"Fishermen \x81\x8d caught a record tuna \xff offshore.")
    (root / "wide.txt").write_bytes("\ufeffWahlen in München: die Stadt zählt.".encode("utf-16-le"))
    (root / "broken.html").write_text(
        "<html><body><div><p>The ferry <b>returns to the island</p><p>Service starts in May."
        "</div><script>var x="
    )
    (root / "hollow.html").write_text("<<<>>><div></span><script>alert(1)</script>")
    (root / "open-title.html").write_text(
        "<title>Ferry news<title><p>The ferry returns in May.</p>"
    )
    lines = [
        GOOD_JSONL,
        "{broken",
        '{"id": "j3", "title": "no text"}',
        GOOD_JSONL,
        '{"id": "j1", "title": "Harvest", "text": "Other words under the same id."}',
    ]
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n")
    (root / "map.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # no article file: skipped
    (root / "alias.txt").symlink_to("good.txt")  # indexed once, as good.txt
    (root / "loop-a.txt").symlink_to("loop-b.txt")
    (root / "loop-b.txt").symlink_to("loop-a.txt")
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to("..", target_is_directory=True)
    (root / "secret.txt").write_text("Nobody may read this file.")
    (root / "secret.txt").chmod(0)
    (root / "locked").mkdir()  # a folder it may not look into: listed, the rest goes on
    (root / "locked" / "inner.txt").write_text("Nobody may list this folder.")
    (root / "locked").chmod(0)
    return {
        "empty.txt": "empty",
        "photo.txt": "binary",
        "huge.txt": "50.0 MB, over the 20 MB cap (QA_MAX_FILE_MB)",
        "hollow.html": "no readable article text",
        "open-title.html": "its <title> is never closed",
        "feed.jsonl:2": "invalid JSON",
        "feed.jsonl:3": '"text"',
        "feed.jsonl:5": "duplicate article id 'j1' (other text",
        "alias.txt": "symbolic link to good.txt, indexed as itself",
        "loop-a.txt": "symbolic links",
        "loop-b.txt": "symbolic links",
        "up": "symbolic link to a folder",
        "map.png": "not an article file (.png)",
        "secret.txt": "Permission denied",
        "locked": "cannot read folder (Permission denied)",
    }


def failure_key(path: str, line: int | None) -> str:
    return Path(path).name + (f":{line}" if line is not None else "")


def test_loaders_take_the_good_files_and_name_each_bad_one(tmp_path: Path) -> None:
    expected = make_bad_folder(tmp_path / "bad")
    items = list(load_paths([tmp_path / "bad"]))
    errors = {failure_key(e.path, e.line): e.reason for e in items if isinstance(e, LoadError)}
    loaded: dict[str, str] = {}
    for a in items:
        if isinstance(a, Article):
            loaded.setdefault(Path(a.path).name, a.text)
    if os.access(tmp_path / "bad" / "secret.txt", os.R_OK):  # root: see the CLI test below
        expected.pop("secret.txt")
        loaded.pop("secret.txt")
        expected.pop("locked")
        loaded.pop("inner.txt")
    # Duplicates are the ingest's business (it sees every file); the loader yields both copies.
    expected = {k: v for k, v in expected.items() if "duplicate" not in v}
    assert set(errors) == set(expected), errors
    for key, words in expected.items():
        assert words in errors[key], (key, errors[key])
    assert loaded["good.txt"].startswith("The council voted")
    assert loaded["damaged.txt"] == "Fishermen \ufffd\ufffd caught a record tuna \ufffd offshore."
    assert loaded["wide.txt"] == "Wahlen in München: die Stadt zählt."
    assert loaded["broken.html"] == "The ferry returns to the island\n\nService starts in May."
    assert loaded["feed.jsonl"] == "The grape harvest started early."


def test_oversized_file_is_refused_without_being_read(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.write(b"word " * 10_000_000)  # 50 MB
    tracemalloc.start()
    try:
        (err,) = load_paths([big], max_bytes=20_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(err, LoadError) and "over the 20 MB cap (QA_MAX_FILE_MB)" in err.reason
    assert peak < 1_000_000  # bytes allocated while refusing it: nothing of the file was read


def test_jsonl_is_streamed_and_an_oversized_line_is_skipped(tmp_path: Path) -> None:
    big = json.dumps({"id": "big", "text": "x " * 600_000})
    lines = [GOOD_JSONL, big, '{"id": "j2", "text": "Ok."}']
    (tmp_path / "feed.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    (tmp_path / "cut.jsonl.gz").write_bytes(gzip.compress(GOOD_JSONL.encode() * 50)[:60])
    items = list(load_paths([tmp_path], max_bytes=1_000_000))
    assert [a.id for a in items if isinstance(a, Article)] == ["j1", "j2"]
    errors = [(Path(e.path).name, e.line, e.reason) for e in items if isinstance(e, LoadError)]
    assert errors[0][:2] == ("cut.jsonl.gz", None) and "gzip" in errors[0][2]
    assert errors[1] == ("feed.jsonl.gz", 2, "line is over the 1 MB cap (QA_MAX_FILE_MB); skipped")
    assert len(errors) == 2


def run_ingest(folder: Path, index_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QA_INDEX_DIR": str(index_dir)}
    command = [sys.executable, "-m", "qa.cli", "ingest", str(folder), "--json"]
    if os.geteuid() == 0 and shutil.which("setpriv"):
        command = DROP_ROOT_READ + command
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, cwd=ROOT)


@pytest.mark.slow
def test_cli_ingests_the_rest_reports_every_failure_and_exits_by_the_rule(tmp_path: Path) -> None:
    expected = make_bad_folder(tmp_path / "bad")
    done = run_ingest(tmp_path / "bad", tmp_path / "index")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        expected.pop("secret.txt")  # root reads anything; nothing here can stop it
        expected.pop("locked")
    # a link is left out on purpose: skipped, not failed
    skips = {k: expected.pop(k) for k in ("alias.txt", "up", "map.png")}
    skipped = {failure_key(f["path"], f.get("line")): f["error"] for f in report["skipped"]}
    assert set(skipped) == set(skips) and all(skips[k] in skipped[k] for k in skips), skipped
    failed = {failure_key(f["path"], f.get("line")): f["error"] for f in report["failed"]}
    assert set(failed) == set(expected), failed
    for key, words in expected.items():
        assert words in failed[key], (key, failed[key])
    assert all(Path(f["path"]).is_absolute() for f in report["failed"])
    # a record repeated with its text loses nothing: a warning, not a failure
    repeated = [w for w in report["warnings"] if w.get("line") == 4]
    assert len(repeated) == 1 and "duplicate article id 'j1' (same text" in repeated[0]["error"]
    added = 5 + (0 if "secret.txt" in expected else 2)  # good, damaged, wide, broken.html, j1
    assert report["added"] == added and report["chunks"] >= added

    # Nothing ingestible at all: exit 1 (and still the full report).
    only_bad = tmp_path / "only-bad"
    only_bad.mkdir()
    shutil.copy(tmp_path / "bad" / "empty.txt", only_bad)
    shutil.copy(tmp_path / "bad" / "photo.txt", only_bad)
    none = run_ingest(only_bad, tmp_path / "index2")
    assert none.returncode == 1
    assert len(json.loads(none.stdout)["failed"]) == 2
