"""The `qa` CLI as a user runs it: JSON shapes, exit codes, errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def qa(
    *args: str, index_dir: Path, stdin: str = "", **env_vars: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QA_INDEX_DIR": str(index_dir), **env_vars}
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=ROOT,
    )


@pytest.mark.slow
def test_ingest_ask_articles_json(tmp_path: Path, articles_dir: Path) -> None:
    index_dir = tmp_path / "idx"
    (articles_dir / "broken.jsonl").write_text(
        '{"id": "ok-1", "title": "Fine", "text": "A ferry service to the island resumes in June."}\nnot json\n'
    )
    done = qa("ingest", str(ROOT / "seeds"), str(articles_dir), "--json", index_dir=index_dir)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) == {
        "added",
        "updated",
        "unchanged",
        "removed",
        "chunks",
        "failed",
        "warnings",
        "skipped",
    }
    assert report["added"] == 7 and report["chunks"] >= 7
    assert report["failed"] == [
        {
            "path": str(articles_dir / "broken.jsonl"),
            "error": "invalid JSON (Expecting value at column 1)",
            "line": 2,
        }
    ]

    asked = qa("ask", "Where were the rockets fired from?", "--json", index_dir=index_dir)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["answered"] is True and "al-Amin al-Thaniyah" in answer["text"]
    keys = {"n", "article_id", "title", "url", "published", "passage", "start", "end", "score"}
    assert keys <= set(answer["citations"][0])
    early = qa("ask", "Where were the rockets fired from?", "--as-of", "2020-11-01", "--json",
               index_dir=index_dir)  # fmt: skip
    refused = json.loads(early.stdout)  # the seed article came out on Nov. 17: not yet written
    assert refused["answered"] is False and refused["citations"] == []

    # the date and source options reach the search: the rates story is Wire's, of 2024-03-20
    rates = "What rate did the central bank hold?"
    wire = qa("ask", rates, "--source", "wire", "--since", "2024-03-01", "--json",
              index_dir=index_dir)  # fmt: skip
    assert wire.returncode == 0, wire.stderr
    held = json.loads(wire.stdout)
    assert held["answered"] is True and "5.25 percent" in held["text"]
    assert {c["article_id"] for c in held["citations"]} == {"wire-001"}
    before = qa("ask", rates, "--until", "2024-03-19", "--source", "Wire", index_dir=index_dir)
    assert before.returncode == 0, before.stderr
    assert "5.25" not in before.stdout and "filters" in before.stdout

    listed = json.loads(qa("articles", "--json", index_dir=index_dir).stdout)
    assert {"id", "title", "published", "source", "chunks"} == set(listed[0])
    assert len(listed) == 7


@pytest.mark.slow
def test_chat_answers_follow_ups_until_new_forgets_them(seed_copy: Path) -> None:
    index_dir = seed_copy
    lines = ["How many civilians were wounded?", "When did it happen?", "", "/help", "/new"]
    after = ["When did it happen?", "/quit", "Never asked?"]
    chat = qa("chat", index_dir=index_dir, stdin="\n".join([*lines, *after]))
    assert chat.returncode == 0, chat.stderr
    turns = chat.stdout.split("> ")[1:]
    assert len(turns) == 3  # /help is no question, and nothing is asked after /quit
    assert "/quit (or Ctrl-D) leaves" in turns[1]
    assert "wounded five other civilians. [1]" in turns[0]
    assert "[1] Rockets fired at U.S. Embassy in Baghdad, 2020-11-17" in turns[0]
    assert "Tuesday night (local time), Nov. 17" in turns[1]  # "it" is the attack asked about
    assert "The articles don't say." in turns[2]  # after /new, "it" is nothing


@pytest.mark.slow
def test_delete_removes_articles_by_id_and_names_unknown_ones(
    seed_copy: Path,
) -> None:
    index_dir = seed_copy
    [seed] = json.loads(qa("articles", "--json", index_dir=index_dir).stdout)
    done = qa("delete", seed["id"], "no/such-id", "--json", index_dir=index_dir)
    assert done.returncode == 1, done.stderr  # one id was not there: said, and a failure
    assert json.loads(done.stdout) == {
        "deleted": [seed["id"]],
        "passages": seed["chunks"],
        "missing": ["no/such-id"],
    }
    assert json.loads(qa("articles", "--json", index_dir=index_dir).stdout) == []
    asked = qa("ask", "How many civilians were wounded?", "--json", index_dir=index_dir)
    assert asked.returncode == 1 and "No articles indexed yet" in asked.stderr
    # with --json, stdout holds the error as JSON too: a script reading it is told
    assert json.loads(asked.stdout)["error"] in asked.stderr
    again = qa("delete", seed["id"], index_dir=index_dir)
    assert again.returncode == 1 and f"not indexed: {seed['id']}" in again.stderr


@pytest.mark.slow
def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    asked = qa("ask", "Anything?", index_dir=tmp_path / "empty")
    assert asked.returncode == 1
    assert "qa ingest" in asked.stderr and "Traceback" not in asked.stderr
    missing = qa("ingest", str(tmp_path / "nope"), "--json", index_dir=tmp_path / "empty")
    assert missing.returncode == 1
    assert json.loads(missing.stdout)["failed"][0]["error"] == "no such file or folder"
    scheme = qa("ingest", "htp://example.com/a", "--json", index_dir=tmp_path / "empty")
    assert json.loads(scheme.stdout)["failed"][0]["error"] == (
        "no such file or folder; only http:// and https:// web addresses are fetched"
    )
    bad_date = qa("ask", "Anything?", "--since", "2020-13-01", index_dir=tmp_path / "empty")
    assert bad_date.returncode == 1 and "Traceback" not in bad_date.stderr
    assert "'2020-13-01' is no date (month must be in 1..12)" in bad_date.stderr
    bad_k = qa("ask", "Anything?", "--top-k", "0", index_dir=tmp_path / "empty")
    assert bad_k.returncode == 2 and "--top-k: must be a whole number" in bad_k.stderr
    (tmp_path / "a-file").write_text("not an index")
    for command in (["articles"], ["ask", "Anything?"], ["ingest", str(tmp_path / "a-file")]):
        on_file = qa(*command, index_dir=tmp_path / "a-file")
        assert on_file.returncode == 1 and "is a file, not a folder" in on_file.stderr
    too_many = qa("ask", "Anything?", "--top-k", "500", index_dir=tmp_path / "empty")
    assert too_many.returncode == 2 and "from 1 to 100, not '500'" in too_many.stderr
    blank = qa("ask", "  ", index_dir=tmp_path / "empty")
    assert blank.returncode == 2 and blank.stderr.startswith("error: ask a question, e.g.")
    # a mistyped index folder is named, and not made
    for command in (["ask", "Anything?"], ["articles"], ["chat"]):
        typo = qa(*command, index_dir=tmp_path / "indx")
        assert (
            typo.returncode == 1
            and f"No articles indexed yet in {tmp_path / 'indx'}" in typo.stderr
        )
        assert not (tmp_path / "indx").exists()


def test_a_bad_setting_names_its_variable_in_one_line(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pydantic import ValidationError

    from qa.settings import Settings, settings_error

    with pytest.raises(ValidationError) as info:
        Settings(top_k="abc", max_file_mb=0)  # type: ignore[arg-type]
    said = settings_error(info.value)
    assert "QA_TOP_K=abc: Input should be a valid integer" in said and "\n" not in said
    assert "QA_MAX_FILE_MB=0: Input should be greater than 0" in said
    for bad in ({"min_score": 7}, {"recency_half_life": 0}, {"stale_days": -5}):
        with pytest.raises(ValidationError):
            Settings(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as crossed:
        Settings(chunk_size=192, chunk_overlap=500)
    assert settings_error(crossed.value).startswith(
        "QA_CHUNK_OVERLAP (500) must be smaller than QA_CHUNK_SIZE (192)"
    )
    monkeypatch.setenv("QA_LLM", "gpt")
    bad = qa("ask", "Anything?", index_dir=tmp_path / "empty")
    assert bad.returncode == 1 and bad.stderr.startswith("error: QA_LLM=gpt: Input should be")
    assert len(bad.stderr.strip().splitlines()) == 1
    # a misspelt variable is named, not silently ignored
    monkeypatch.delenv("QA_LLM")
    monkeypatch.setenv("QA_TOPK", "3")
    typo = qa("articles", index_dir=tmp_path / "empty")
    assert "warning: QA_TOPK is not a setting of article-qa and is ignored" in typo.stderr


@pytest.mark.slow  # a `qa` process
def test_output_cut_short_by_a_pipe_is_no_error(seed_copy: Path) -> None:
    env = {**os.environ, "QA_INDEX_DIR": str(seed_copy)}
    with subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "ask", "Where were the rockets fired from?", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    ) as reader:
        assert reader.stdout is not None and reader.stderr is not None
        reader.stdout.close()  # `| head -c 0`: the reader is gone before the answer is printed
        err = reader.stderr.read().decode()
        assert reader.wait(timeout=300) == 0, err
    assert "error" not in err and "Traceback" not in err


def test_chat_commands_are_told_from_questions() -> None:
    from qa.cli_chat import chat_command

    assert [chat_command(w) for w in ("/new", "/QUIT", "exit", "/help", "/frobnicate")] == [
        "new",
        "quit",
        "quit",
        "help",
        "unknown",
    ]
    assert chat_command("Who left the party?") is None
    assert chat_command("/ what about this?") is None  # a question, however odd


def test_an_interrupted_command_says_so_in_one_line(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import index.ingest
    from qa.cli import main

    def stopped(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(index.ingest, "ingest_paths", stopped)
    assert main(["ingest", "seeds"]) == 130
    assert capsys.readouterr().err == "interrupted\n"  # what it kept: test_ingest.py


@pytest.mark.slow  # a `qa` process
def test_a_folder_named_index_where_python_runs_does_not_hide_the_package(tmp_path: Path) -> None:
    (tmp_path / "index" / "lexical").mkdir(parents=True)  # as QA_INDEX_DIR=index leaves it
    script = "from qa import ask; import index.lexical; print(index.lexical.__file__)"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == ROOT / "index" / "lexical.py"


@pytest.mark.slow  # a `qa` process
def test_a_folder_with_no_article_files_says_so(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = qa("ingest", str(tmp_path / "empty"), index_dir=tmp_path / "idx")
    said = f"No article files found in {tmp_path / 'empty'}: qa ingest reads .txt,"
    assert done.returncode == 1 and said in done.stderr
    assert "Traceback" not in done.stderr


def test_ctrl_c_at_the_chat_prompt_drops_the_line_and_the_chat_goes_on(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import qa.api
    import qa.cli
    import qa.cli_chat

    typed = iter([KeyboardInterrupt, "/help", "/quit"])

    def keyboard(_prompt: str = "") -> str:
        key = next(typed)
        if key is KeyboardInterrupt:
            raise KeyboardInterrupt
        return str(key)

    monkeypatch.setattr("builtins.input", keyboard)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(qa.cli_chat, "require_index", lambda: None)
    monkeypatch.setattr(qa.api, "default_engine", lambda: None)  # nothing is asked here
    assert qa.cli.main(["chat"]) == 0
    said = capsys.readouterr().out
    assert "(Ctrl-C: that line is dropped; /quit or Ctrl-D leaves)" in said
    assert said.count("/quit (or Ctrl-D) leaves") == 2  # the greeting, then /help after Ctrl-C


@pytest.mark.slow
def test_a_dead_llm_endpoint_is_said_once_with_the_extractive_answer(
    seed_copy: Path,
) -> None:
    index_dir = seed_copy
    dead = {"QA_LLM": "openai", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_API_KEY": "x"}
    done = qa("ask", "How many civilians were wounded?", index_dir=index_dir, **dead)
    assert done.returncode == 0, done.stderr
    assert "wounded five other civilians. [1]" in done.stdout
    notice = done.stdout.split("\n\n")[1]
    assert notice.startswith("(") and "unreachable" in notice
    assert "unreachable" not in done.stderr  # the notice is not logged a second time


@pytest.mark.slow
def test_a_mistyped_collection_is_named_and_not_made(seed_copy: Path) -> None:
    index_dir = seed_copy
    for command in (["ask", "Who fired the rockets?"], ["articles"]):
        typo = qa(*command, index_dir=index_dir, QA_COLLECTION="artcles")
        assert typo.returncode == 1 and "No collection 'artcles'" in typo.stderr
        assert "it holds 'articles': set QA_COLLECTION" in typo.stderr
    import chromadb

    client = chromadb.PersistentClient(path=str(index_dir / "chroma"))
    assert [c.name for c in client.list_collections()] == ["articles"]  # reading made none


def test_an_empty_path_is_refused_before_anything_is_read(capsys) -> None:  # type: ignore[no-untyped-def]
    from qa.cli_parser import build_parser

    with pytest.raises(SystemExit) as exited:  # `qa ingest "$DIR"` with DIR unset
        build_parser().parse_args(["ingest", "", "--prune"])
    assert exited.value.code == 2
    assert "an empty path (an unset variable?)" in capsys.readouterr().err


def test_a_refused_question_in_chat_is_said_and_the_chat_goes_on(
    seed_engine, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    import qa.api
    import qa.cli

    lines = iter(
        [
            "cocoa " * 900,  # 5,399 characters once stripped
            "\udcff\udcfe bad bytes",
            "Where were the rockets fired from?",
        ]
    )

    def typed(_prompt: str = "") -> str:
        line = next(lines, None)
        if line is None:
            raise EOFError
        return line

    monkeypatch.setattr("builtins.input", typed)
    monkeypatch.setenv("QA_INDEX_DIR", str(seed_engine.settings.index_dir))
    monkeypatch.setattr(qa.api, "default_engine", lambda: seed_engine)
    assert qa.cli.main(["chat"]) == 0
    said = capsys.readouterr()
    assert said.err.splitlines() == [
        "error: Questions are limited to 4,000 characters; this one has 5,399: ask about one "
        "thing at a time.",
        "error: The question is not valid UTF-8 text: set your terminal (or file) to UTF-8 and "
        "ask again.",
    ]
    assert "al-Amin al-Thaniyah" in said.out  # the question after them is answered


def test_a_question_that_is_not_utf8_is_said_to_be_so(seed_copy: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from qa.cli import main

    monkeypatch.setenv("QA_INDEX_DIR", str(seed_copy))
    assert main(["ask", "rockets \udce9t\udce9"]) == 1  # Latin-1 bytes, as argv holds them
    assert capsys.readouterr().err == (
        "error: The question is not valid UTF-8 text: set your terminal (or file) to UTF-8 and "
        "ask again.\n"
    )


def test_a_citation_preview_shows_what_the_answer_quotes() -> None:
    from qa.cli_chat import preview

    passage = (
        "Earlier paragraphs. " * 30 + "Two civilians were wounded, the police said. " + "x" * 400
    )
    at = passage.index("Two civilians")
    shown = preview(passage, [(at, at + 45)])
    assert "Two civilians were wounded, the police said." in shown
    assert shown.startswith("…") and shown.endswith("…") and len(shown) <= 302
    assert preview("A short passage.", []) == "A short passage."


def test_version_is_the_installed_one(capsys) -> None:  # type: ignore[no-untyped-def]
    from importlib.metadata import version

    from qa.cli import main

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"article-qa {version('article-qa')}"
