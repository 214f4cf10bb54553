"""JSON and JSON Lines files: one `{id,title,url,source,published,text}` record per article."""

from __future__ import annotations

import io
import json
import math
import sys
from collections.abc import Iterator
from typing import Protocol

from index.article import Article
from index.encoding import decode_bytes
from index.text import strip_boilerplate, valid_text
from qa.errors import LoadError


def article_from_record(record: object, path: str, line: int | None, file_id: str = "") -> Article:
    """Build an article from one `{id,title,url,source,published,text}` JSON record."""
    if not isinstance(record, dict):
        raise LoadError(path, "expected a JSON object per article", line)
    text = record.get("text")
    if text is not None and not isinstance(text, str):
        raise LoadError(path, f'the record\'s "text" must be text, not {kind(text)}', line)
    if not text or not text.strip():
        raise LoadError(path, 'no article text (the record\'s "text" is missing or empty)', line)
    body = strip_boilerplate(valid_text(text))  # "\u0000" and "\ud83d" escapes: never stored
    if not body:
        raise LoadError(path, "the record's text is only boilerplate", line)
    rid = record.get("id")
    if rid is not None and (isinstance(rid, bool) or not isinstance(rid, str | int)):
        raise LoadError(
            path, f'the record\'s "id" must be text or a whole number, not {kind(rid)}', line
        )
    article_id = valid_text(str(rid)) if rid not in (None, "") else f"{file_id or path}#{line or 0}"

    def field_text(name: str) -> str:  # a field of another kind ({"a": 1} for a title): left out
        value = record.get(name)
        if isinstance(value, bool) or not isinstance(value, str | int | float) or value == "":
            return ""
        if isinstance(value, float) and not math.isfinite(value):  # NaN, Infinity: no title
            return ""
        return valid_text(str(value))

    return Article(
        id=article_id,
        text=body,
        title=field_text("title"),
        url=field_text("url"),
        source=field_text("source"),
        published=field_text("published"),
        path=path,
        line=line,
    )


def kind(value: object) -> str:
    """A JSON value's kind, as users know it."""
    kinds = {
        dict: "an object",
        list: "a list",
        bool: "true/false",
        int: "a number",
        float: "a number with a decimal point",
    }
    return kinds.get(type(value), "null" if value is None else "text")


def json_problem(exc: json.JSONDecodeError, line: bool = True) -> str:
    """What the JSON parser found wrong, and where ("Expecting value at line 2, column 9")."""
    where = f"line {exc.lineno}, column {exc.colno}" if line else f"column {exc.colno}"
    return f"{exc.msg.removesuffix(' at').strip()} at {where}"


def number_too_long() -> str:
    """Why a record with a number of thousands of digits is refused, and what to write instead."""
    return (
        f"a number in it has over {sys.get_int_max_str_digits():,} digits: "
        'write it as text, in quotes ("id": "123…")'
    )


def iter_json_file(data: bytes, path: str, file_id: str = "") -> Iterator[Article | LoadError]:
    """Articles of a .json file (an object or a list of them); bad records become errors."""
    try:
        records = json.loads(decode_bytes(data, path))
    except LoadError as err:
        yield err
        return
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and exc.lineno > 1 and exc.colno == 1:  # JSON Lines in a .json
            yield from iter_jsonl(io.BytesIO(data), path, len(data), file_id)
            return
        yield LoadError(path, f"invalid JSON ({json_problem(exc)})")
        return
    except RecursionError:
        yield LoadError(path, "invalid JSON (nested too deeply)")
        return
    except ValueError:  # not JSONDecodeError: a number too long for Python to read
        yield LoadError(path, number_too_long())
        return
    for i, rec in enumerate(records if isinstance(records, list) else [records], 1):
        try:
            yield article_from_record(rec, path, i if isinstance(records, list) else None, file_id)
        except LoadError as err:
            yield err


class ByteLines(Protocol):
    """A binary stream read by lines: an open file or a GzipFile."""

    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...


def json_line(raw: bytes, path: str, lineno: int, file_id: str) -> Article | LoadError | None:
    """The article of one .jsonl line, an error saying why not, or None for a blank line."""
    if not raw.strip():
        return None
    try:
        return article_from_record(json.loads(decode_bytes(raw, path)), path, lineno, file_id)
    except json.JSONDecodeError as exc:
        return LoadError(path, f"invalid JSON ({json_problem(exc, line=False)})", lineno)
    except RecursionError:
        return LoadError(path, "invalid JSON (nested too deeply)", lineno)
    except ValueError:  # not JSONDecodeError: a number too long for Python to read
        return LoadError(path, number_too_long(), lineno)
    except LoadError as err:
        return err if err.line is not None else LoadError(path, err.reason, lineno)


def iter_jsonl(
    stream: ByteLines, path: str, max_bytes: int, file_id: str = ""
) -> Iterator[Article | LoadError]:
    """Articles of a .jsonl stream, a line at a time; a line over `max_bytes` is refused unread."""
    peek = getattr(stream, "peek", None)
    head = peek(2)[:2] if peek is not None else b""
    if head in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 lines can't be split on b"\n": decode whole
        data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            yield LoadError(path, f"UTF-16 file over the {cap(max_bytes)}; re-save it as UTF-8")
            return
        try:
            lines = decode_bytes(data, path).splitlines()
        except LoadError as err:
            yield err
            return
        for lineno, text in enumerate(lines, 1):
            item = json_line(text.encode(), path, lineno, file_id)
            if item is not None:
                yield item
        return
    lineno = 0
    unread: list[LoadError] | None = []  # the first lines, while none of them is JSON
    while raw := stream.readline(max_bytes + 1):
        lineno += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            yield LoadError(path, f"line is over the {cap(max_bytes)}; skipped", lineno)
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(1 << 20)
            continue
        item = json_line(raw, path, lineno, file_id)
        if unread is not None and isinstance(item, LoadError) and item.reason.startswith(_NOT_JSON):
            unread.append(item)
            if len(unread) == NOT_JSONL_AFTER:  # a JSON document, or no JSON at all
                yield not_json_lines(path, unread, f"its first {NOT_JSONL_AFTER} lines fail")
                return
            continue
        if item is not None:
            yield from unread or ()
            unread = None
            yield item
    if unread and len(unread) > 1:  # a short file, no line of it JSON: one failure, not each
        yield not_json_lines(path, unread, f"none of its {len(unread)} lines is JSON")
    else:
        yield from unread or ()


def not_json_lines(path: str, failed: list[LoadError], why: str) -> LoadError:
    """A .jsonl file whose first lines all fail, said once, with what it may be instead."""
    first = failed[0].reason
    hint = (
        "; one JSON document (an array, or an object over several lines) belongs in a .json file"
        if first.startswith("invalid JSON")
        else ""
    )
    return LoadError(path, f"not JSON Lines: {why} ({first}){hint}")


NOT_JSONL_AFTER = 5  # a .jsonl file whose first lines are all invalid JSON is no JSON Lines
_NOT_JSON = ("invalid JSON", "looks like a binary", "not UTF-8")  # a line's, not a record's


def cap(max_bytes: int) -> str:
    """The size cap as users set it."""
    return f"{max_bytes / 1e6:g} MB cap (QA_MAX_FILE_MB)"
