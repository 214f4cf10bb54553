"""Article dates: whatever a file or feed writes, stored as YYYY-MM-DD."""

from __future__ import annotations

from datetime import date, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache

from dateutil import parser

# two defaults that share no field: a part the text leaves out shows up as a difference
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))


DATE_FORM = "write dates as YYYY-MM-DD, e.g. 2024-03-05"


@lru_cache(maxsize=65536)  # a corpus repeats its dates, and answers read them per sentence
def normalize_published(value: str) -> tuple[str, str]:
    """(YYYY-MM-DD, '') for a date written any common way; ('', why not) for anything else.

    ISO dates and timestamps, RFC 2822 ("Fri, 05 Mar 2021 10:00:00 GMT"), "2022/06/17",
    "March 7, 2024", "Nov. 17, 2020" and "26-FEB-1987 15:01:01.79" are dates; a day without a
    year ("5th of March"), an impossible day ("2024-02-30") or a word ("yesterday") are not.
    Numeric day/month orders are read month first (03/04/2024 is March 4), as US news writes them.
    """
    text = (value or "").strip()
    if not text:
        return "", ""
    head = text[:10].replace("/", "-")
    try:
        return date.fromisoformat(head).isoformat(), ""
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date().isoformat(), ""
    except (TypeError, ValueError, IndexError):
        pass
    try:
        first, second = (parser.parse(text, default=d).date() for d in _DEFAULTS)
    except (ValueError, OverflowError):
        return "", f"published date {text!r} is not a date ({DATE_FORM})"
    if first != second:
        return "", f"published date {text!r} lacks a year, month or day ({DATE_FORM})"
    return first.isoformat(), ""
