"""Citation marker parsing on arbitrary text (hypothesis): no crash, markers always 1..k."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from qa.citations import cited_sentences, marker_numbers, renumber_markers, without_reasoning

FRAGMENTS = [
    "[1]",
    "[2]",
    "[3, 1]",
    "[12]",
    "[1,2,3]",
    "[",
    "]",
    "[0]",
    "[999]",
    "1",
    ",",
    " ",
    ".",
]
# Text that looks like model output: words, punctuation and marker-like pieces, freely mixed.
fragments = st.sampled_from(FRAGMENTS)
# A marker inside a half marker: dropping the inner one must not make the outer one whole.
nested = st.tuples(
    st.sampled_from(["[1", "[2, ", "[", "[3,"]),
    st.sampled_from(["[999]", "[0]", "[7]", "[1]"]),
    st.sampled_from(["]", "3]", ", 4]"]),
).map("".join)
pieces = st.one_of(fragments, fragments, nested, st.text(max_size=6))
answers = st.lists(pieces, max_size=30).map("".join)
valid_sets = st.sets(st.integers(min_value=0, max_value=15), max_size=6)
FUZZ = settings(max_examples=200, deadline=None)


@FUZZ
@given(answers)
def test_marker_numbers_are_unique_ints_in_order_of_first_use(text: str) -> None:
    numbers = marker_numbers(text)
    assert len(numbers) == len(set(numbers))
    assert all(isinstance(n, int) and 0 <= n <= 999 for n in numbers)


@FUZZ
@given(answers, valid_sets)
@example("[1[9]]", set())  # dropping [9] must not leave a "[1]" no source backs
def test_renumbered_markers_are_exactly_1_to_k(text: str, valid: set[int]) -> None:
    cleaned, order = renumber_markers(text, valid)
    assert order == [n for n in marker_numbers(text) if n in valid]
    assert marker_numbers(cleaned) == list(range(1, len(order) + 1))
    # Renumbering is stable: doing it again changes nothing.
    assert renumber_markers(cleaned, set(range(1, len(order) + 1))) == (
        cleaned,
        list(range(1, len(order) + 1)),
    )


@FUZZ
@given(st.text(max_size=300))
def test_text_without_markers_keeps_every_visible_character(text: str) -> None:
    plain = text.replace("[", "(").replace("]", ")")
    cleaned, order = renumber_markers(plain, {1, 2})
    assert order == []
    assert "".join(cleaned.split()) == "".join(plain.split())


@FUZZ
@given(answers)
@example("Five were hurt [2[1]].")  # dropping "[1]" once left "[2]" in the sentence
def test_cited_sentences_never_crash_and_hold_no_markers(text: str) -> None:
    for sentence, numbers in cited_sentences(text):
        assert marker_numbers(sentence) == []
        assert len(numbers) == len(set(numbers))


# Streamed model output with reasoning tags cut anywhere, as chunks arrive.
thinking = st.lists(
    st.sampled_from(["<think>", "</think>", "<th", "ink>", "</", "<", "a", " ", ".", "[1]", "\n"]),
    max_size=25,
).map("".join)


@FUZZ
@given(thinking)
@example("<think>x</think>\n\nAn answer [1].")
@example("<th<think></think>ink>")
def test_the_streamed_draft_only_grows_and_never_shows_reasoning(text: str) -> None:
    # each chunk's draft extends the last one, so appending deltas shows exactly the draft
    drafts = [without_reasoning(text[:i], partial=True) for i in range(len(text) + 1)]
    for before, after in zip(drafts, drafts[1:], strict=False):
        assert after.startswith(before)
    assert "<think>" not in drafts[-1] and "<think>" not in without_reasoning(text)
