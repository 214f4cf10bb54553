"""Check a generated answer against the passages it cites; keep only the citations that hold."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from qa.answer import refusal
from qa.answer_types import asks_yes_or_no
from qa.citations import Answer, Citation, Passage, cited_sentences, renumber_markers
from qa.instructions import reads_as_instruction
from qa.prompts import NO_ANSWER
from qa.sentences import sentence_spans
from qa.words import stems

EmbedTexts = Callable[[list[str]], list[list[float]]]

# A cited sentence is supported when most of its content words occur in the passage, it means
# about what some sentence of the passage means, and every number and name in it (and a "not", if
# it says one) occurs near that sentence: in it, a sentence beside it, or the title. Set on the
# seed with MiniLM: close paraphrases score 0.54-0.96 similarity and 0.8-1.0 overlap; a claim with
# one of three content words invented ("The rockets were fired from Iran") has overlap 0.67. The
# nearness catches a name moved onto another's deed ("The Celtics were first to 50 wins", where
# the passage says the Bucks were and names the Celtics paragraphs later) and an added "not"; a
# "not" the claim drops from the clause it restates, or a count moved onto another noun ("five
# children" of "one child and five other civilians"), is unsupported too.
MIN_OVERLAP = 0.7
MIN_SIMILARITY = 0.5
NEAR = 1  # sentences on either side of the closest one where its names may also be
# "not only ... but also" negates nothing
_NEGATION = re.compile(
    r"\b(?:not(?!\s+only\b)|no|never|neither|nor|none|nobody|nothing)\b|n['’]t\b", re.I
)

# where the clauses of a sentence meet ("..., but the attack killed ...")
_CLAUSE_BREAK = re.compile(r"[,;:]\s*|\s+(?:but|while|whereas|although|though)\s+", re.I)

_NO_ANSWER = re.compile(
    r"\b(passages?|articles?|context|sources?|texts?)\b[^.]{0,40}"
    r"\b(do(es)?\s*n[o’']t|do(es)? not|never)\s+"
    r"(contain|say|mention|provide|include|state|specify|answer)"
    r"|\bno (information|passage|mention)\b"
    r"|\b(cannot|can't|can’t|unable to) (answer|determine|find)\b|"
    + re.escape(NO_ANSWER.rstrip(".")),
    re.IGNORECASE,
)
# A no-answer sentence about the passages themselves ("The passages do not say [1]", "I cannot
# determine it") is never a claim; "Police were unable to find the suspect [1]" may be one.
_ABOUT_PASSAGES = re.compile(
    r"\b(?:passages?|articles?|context|texts?|documents?|provided)\b|\b(?:I|we)\b",
    re.IGNORECASE,
)
_PASSAGE_NAME = re.compile(r"\bpassages?\s+\[?\d{1,3}\]?", re.IGNORECASE)
# A terse model's one-word answer ("Baghdad [1].") is a claim; an injected "PWNED" is caught by
# its instruction sentence backing nothing (`trusted_text`), not by its length.
MIN_CLAIM_WORDS = 1
_NUMBER_NAMES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
)
_NUMBER_WORDS = {word: str(i) for i, word in enumerate(_NUMBER_NAMES.split())}
_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|[A-Za-z][A-Za-z'’\-]*")


@dataclass(frozen=True)
class Support:
    """How well one cited sentence is backed by one passage."""

    overlap: float
    similarity: float
    missing: tuple[str, ...]
    span: tuple[int, int]

    def holds(
        self, min_overlap: float = MIN_OVERLAP, min_similarity: float = MIN_SIMILARITY
    ) -> bool:
        """Whether the passage supports the sentence."""
        return (
            not self.missing and self.overlap >= min_overlap and self.similarity >= min_similarity
        )


def says_no_answer(text: str) -> bool:
    """Whether the text says the passages don't hold the answer."""
    return bool(_NO_ANSWER.search(text))


def trusted_text(text: str) -> str:
    """The text with each sentence that reads as an instruction blanked (offsets are kept)."""
    for start, end in sentence_spans(text):
        if reads_as_instruction(text[start:end]):
            text = text[:start] + " " * (end - start) + text[end:]
    return text


def too_short(claim: str, question: str) -> bool:
    """Whether a claim says too little to check: no content word, or only the question's.

    Repeating the question's words is an answer only to a yes/no question ("Yes, the embassy was
    hit" to "Was the embassy hit?").
    """
    own = stems(claim)
    if len(own) < MIN_CLAIM_WORDS:
        return True
    return not (own - stems(question)) and not asks_yes_or_no(question)


def _normal(token: str) -> str:
    token = re.sub(r"['’]s$", "", token.lower().replace(",", ""))
    return _NUMBER_WORDS.get(token, token)


def key_terms(sentence: str) -> set[str]:
    """Numbers and capitalised names (not the first word) of a sentence, normalised ("Five"=5)."""
    terms = set()
    sentence = _PASSAGE_NAME.sub("", sentence)  # "In passage 2, ...": no name of the article's
    for i, match in enumerate(_TOKEN.finditer(sentence)):
        token = match.group()
        normal = _normal(token)
        if normal[0].isdigit() or (i > 0 and token[0].isupper() and len(token) > 2):
            terms.add(normal)
    return terms


def lexical_support(
    sentence: str, passage_words: str, near: str | None = None, matched: str | None = None
) -> tuple[float, tuple[str, ...]]:
    """Share of the sentence's content stems found in the passage; its key terms missing `near`.

    `near` (default: the whole passage) is where its names and numbers, and its "not", must be.
    `matched` is the passage sentence it is closest to: a "not" there must be in the sentence
    too ("has been confirmed" is not backed by "has not yet been confirmed").
    """
    own = stems(_PASSAGE_NAME.sub("", sentence))
    overlap = len(own & stems(passage_words)) / len(own) if own else 0.0
    near = passage_words if near is None else near
    vocabulary = {_normal(t) for t in _TOKEN.findall(near)}
    missing = sorted(t for t in key_terms(sentence) if t not in vocabulary)
    missing += swapped_counts(sentence, near)
    if (_NEGATION.search(sentence) and not _NEGATION.search(near)) or (
        matched is not None and drops_negation(sentence, matched)
    ):
        missing.append("not")
    return overlap, tuple(missing)


def counts(text: str, reach: int = 3) -> set[tuple[str, str]]:
    """(number, stem) for each content word up to `reach` words after a number, before the next.

    "wounded five other civilians" -> {("5", "other"), ("5", "civilian")}.
    """
    tokens = [_normal(t) for t in _TOKEN.findall(text)]
    pairs = set()
    for i, number in enumerate(tokens):
        if number[0].isdigit():
            for word in itertools.takewhile(
                lambda w: not w[0].isdigit(), tokens[i + 1 : i + 1 + reach]
            ):
                pairs |= {(number, stem) for stem in stems(word)}
    return pairs


def swapped_counts(claim: str, near: str) -> list[str]:
    """The claim's "number word" pairs whose word the passage counts with another number only.

    "five children and one civilian" of "one child and five other civilians": ["1 civilian",
    "5 child"]; a word the passage counts nowhere ("four to seven projectiles") is not checked.
    """
    theirs = counts(near)
    counted = {word for _, word in theirs}
    return sorted(
        f"{number} {word}"
        for number, word in counts(claim, reach=1)
        if word in counted and (number, word) not in theirs
    )


def drops_negation(claim: str, matched: str) -> bool:
    """Whether a claim without a "not" restates a negated clause of the passage sentence.

    Only the clause counts: "The number has not yet been confirmed, but the attack killed a
    child" backs "The attack killed a child", not "The number has been confirmed".
    """
    if _NEGATION.search(claim):
        return False
    own = stems(claim)
    for clause in _CLAUSE_BREAK.split(matched):
        words = stems(clause)
        if words and _NEGATION.search(clause) and 2 * len(words & own) >= len(words):
            return True
    return False


def _only_says_no_answer(sentence: str, numbers: Sequence[int]) -> bool:
    """Whether a sentence says the answer is missing and is no claim a passage could back."""
    return says_no_answer(sentence) and (not numbers or bool(_ABOUT_PASSAGES.search(sentence)))


def _unit(vectors: Sequence[Sequence[float]]) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
    return matrix / (np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-9)


def _clean(sentence: str) -> str:
    return re.sub(r"\s+([.,;:!?])", r"\1", sentence).strip()


def check_citations(
    claims: Sequence[tuple[str, Sequence[int]]],
    passages: Sequence[Passage],
    embed_texts: EmbedTexts,
) -> list[dict[int, Support]]:
    """For each (sentence, cited passage numbers from 1), the Support of each cited passage."""
    cited = sorted({n for _, numbers in claims for n in numbers})
    texts = {n: trusted_text(passages[n - 1].text) for n in cited}
    titles = {
        n: "" if reads_as_instruction(t) else t for n in cited if (t := passages[n - 1].title)
    }
    units = {n: [(0, len(texts[n])), *sentence_spans(texts[n])] for n in cited}
    unit_texts = [texts[n][s:e] for n in cited for s, e in units[n]]
    vectors = (
        _unit(embed_texts([c for c, _ in claims] + unit_texts)) if claims else np.zeros((0, 1))
    )
    claim_vectors, unit_vectors = vectors[: len(claims)], vectors[len(claims) :]
    offsets, at = {}, 0
    for n in cited:
        offsets[n], at = at, at + len(units[n])
    results = []
    for (sentence, numbers), vector in zip(claims, claim_vectors, strict=True):
        supports = {}
        for n in numbers:
            sims = unit_vectors[offsets[n] : offsets[n] + len(units[n])] @ vector
            best = int(np.argmax(sims))
            # highlight the best sentence; the whole passage (unit 0) only when no sentence matches
            span_index = best if best > 0 or len(units[n]) == 1 else 1 + int(np.argmax(sims[1:]))
            around = units[n][max(span_index - NEAR, 1) : span_index + NEAR + 1] or units[n][:1]
            near = " ".join(texts[n][s:e] for s, e in around)
            title = titles.get(n, "")
            start, end = units[n][span_index]
            overlap, missing = lexical_support(
                sentence, f"{title}\n{texts[n]}", f"{title}\n{near}", texts[n][start:end]
            )
            supports[n] = Support(overlap, float(sims.max()), missing, units[n][span_index])
        results.append(supports)
    return results


def verify_answer(
    question: str,
    text: str,
    passages: Sequence[Passage],
    embed_texts: EmbedTexts,
    allow_unsupported: bool = False,
    min_overlap: float = MIN_OVERLAP,
    min_similarity: float = MIN_SIMILARITY,
) -> Answer:
    """Turn a model's raw answer into a verified Answer.

    Markers naming no given passage are dropped, each remaining citation is checked against its
    passage, sentences left without a supported citation are removed (kept, flagged, when
    `allow_unsupported`), and an answer with nothing supported is a refusal. A sentence saying
    the answer is missing is dropped unless a passage supports it as a claim.
    """
    valid = set(range(1, len(passages) + 1))
    sentences = [(_clean(s), [n for n in ns if n in valid]) for s, ns in cited_sentences(text)]
    sentences = [(s, ns) for s, ns in sentences if s and not _only_says_no_answer(s, ns)]
    if not sentences:
        return refusal(question)
    claims = [(s, ns) for s, ns in sentences if ns]
    supports = iter(check_citations(claims, passages, embed_texts))
    parts: list[str] = []
    unsupported = 0
    highlights: dict[int, set[tuple[int, int]]] = {}
    similarities: list[float] = []
    for sentence, numbers in sentences:
        held = {
            n: sup
            for n, sup in (next(supports) if numbers else {}).items()
            if sup.holds(min_overlap, min_similarity)
        }
        if too_short(sentence, question):
            held = {}
        if held:
            parts.append(f"{sentence} {''.join(f'[{n}]' for n in held)}")
            for n, sup in held.items():
                highlights.setdefault(n, set()).add(sup.span)
                similarities.append(sup.similarity)
        elif not says_no_answer(sentence):
            unsupported += 1
            if allow_unsupported:
                parts.append(sentence)
    if not highlights and not unsupported:  # the model said only that the answer is missing
        return refusal(question)
    if not highlights:
        if allow_unsupported:
            notice = (
                "Unsupported: no passage backs this answer; it may come from the model's memory."
            )
            return Answer(text=" ".join(parts), answered=True, question=question, notice=notice)
        return refusal(
            question,
            notice="The model's answer cited no passage that supports it.",
            reason="The model's answer is not backed by the passages it cites, so it is not shown.",
        )
    new_text, order = renumber_markers(" ".join(parts), valid)
    citations = [
        Citation.from_passage(i, passages[n - 1], tuple(sorted(highlights[n])))
        for i, n in enumerate(order, 1)
    ]
    notice = ""
    if unsupported and allow_unsupported:
        notice = (
            f"Unsupported: {unsupported} sentence(s) without [n] are not backed by the passages."
        )
    elif unsupported:
        notice = f"Removed {unsupported} sentence(s) that the cited passages do not support."
    confidence = float(np.mean(similarities))
    return Answer(
        new_text, True, citations, question=question, notice=notice, confidence=confidence
    )
