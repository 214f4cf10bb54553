"""Article dates written any common way become YYYY-MM-DD; others say why not."""

from __future__ import annotations

import pytest

from index.dates import normalize_published


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2020-11-17", "2020-11-17"),
        ("2024-11-05T10:00:00Z", "2024-11-05"),
        ("2023-10-22T23:30:00-04:00", "2023-10-22"),  # the day as written, not as in UTC
        ("2022/06/17", "2022-06-17"),
        ("Fri, 05 Mar 2021 10:00:00 GMT", "2021-03-05"),
        ("March 7, 2024", "2024-03-07"),
        ("Nov. 17, 2020", "2020-11-17"),
        ("26-FEB-1987 15:01:01.79", "1987-02-26"),  # Reuters
        ("", ""),
    ],
)
def test_common_ways_of_writing_a_date(written: str, day: str) -> None:
    assert normalize_published(written) == (day, "")


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("5th of March", "lacks a year, month or day"),
        ("20 Nov", "lacks a year, month or day"),
        ("2020", "lacks a year, month or day"),
        ("2024-02-30", "is not a date"),
        ("yesterday", "is not a date"),
    ],
)
def test_what_is_not_a_whole_date_says_so(written: str, why: str) -> None:
    day, problem = normalize_published(written)
    assert day == "" and why in problem and "2024-03-05" in problem
