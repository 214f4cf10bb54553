"""The extractive answerer: the best sentences of the retrieved passages, each cited, or a refusal."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from index.chunk import published_day
from index.lexical import tokenize
from qa.citations import REFUSED, Answer, Citation, Passage
from qa.places import team_names
from qa.refusal_model import FEATURES as REFUSAL_FEATURES
from qa.refusal_model import (
    OFF_TOPIC_BIAS,
    OFF_TOPIC_WEIGHTS,
    answer_probability,
    question_features,
)
from qa.rerank import TermWeights
from qa.sentence_model import Sentence, features, order_scores, question_context
from qa.sentences import (
    acronyms,
    asks_for_person,
    asks_this_week,
    content_words,
    counted_noun,
    counts,
    full_names,
    has_type,
    is_fresh_report,
    names,
    names_new_person,
    question_type,
    quotable,
    sentence_spans,
    with_acronyms,
    with_full_names,
)
from qa.vectors import cosine

TIME_SENSITIVE = re.compile(
    r"\b(latest|current|currently|now|recent|recently|today|this (week|month|year)|still|new)\b",
    re.IGNORECASE,
)

# Weights of the sentence score: dense similarity + lexical coverage + answer-type match.
COVERAGE_WEIGHT = 0.5
TYPE_WEIGHT = 0.1
QUESTION_PENALTY = 0.3
FRAGMENT_PENALTY = 0.2
ECHO_PENALTY = 0.3
# A question after a preamble ("X happened this week. What year ...?"): sentence similarity is
# this much to the asked part alone, the rest to the whole (news-dev, 500 q: answer recall
# 0.432 -> 0.438; squad2 and multihop unchanged).
ASKED_WEIGHT = 0.5
# Headlines of the first HEADLINES articles compete with the passages' sentences: a news
# headline often states the answer whole (0 = off).
HEADLINES = 3
# ... but a headline names the main event, not the detail asked: it must beat sentences by this.
HEADLINE_PENALTY = 0.1
# A question about "this week" wants the report of the week's event, which names its day
# ("on Wednesday"), over a later look back ("in June, when ..."): such sentences gain this much.
# It orders sentences only: naming the day is no evidence that a sentence answers, so the
# confidence leaves it out. (news-dev, 500 q: answer recall 0.448 -> 0.456 / 0.458 / 0.454 at
# 0.05 / 0.1 / 0.2; squad2-dev and multihop-dev unchanged.)
FRESH_WEIGHT = 0.1
# "How many soldiers ...?" wants a number that counts soldiers ("2,500 U.S. soldiers"), not
# another number of the sentence ("2,000 feet"): such sentences gain this much, in ordering only
# (news-dev 0.456 -> 0.458, squad2-dev 0.921 -> 0.929 at 0.1 and 0.2; 22 and 15 such questions).
COUNT_WEIGHT = 0.1
# Write "[Mikhail] Gorbachev" where a quoted sentence names by last name alone someone its
# article's passages or headline name in full (news-dev 0.462 -> 0.474, multihop 0.237 -> 0.274).
FULL_NAMES = True
# Write "SBF [Sam Bankman-Fried]" where a quoted sentence or headline uses an acronym of
# three or more letters that the retrieved passages spell out as one name.
ACRONYMS = True
# Sentences embedded per question (those sharing most words with it), besides the headlines.
SHORTLIST = 8
# Order sentences by the fitted sentence model (qa.sentence_model) rather than by the score;
# the score still decides whether to answer. A runner-up joins the best sentence when its logit
# is at most KEEP_GAP below, and the newer of sentences within NEWER_MARGIN comes first.
# (qa eval answer recall: news-dev 0.474 -> 0.498, squad2-dev 0.929 -> 0.944, multihop-dev
# 0.274 -> 0.306; before the word-pair feature, KEEP_GAP 0.5 / 1.0 / 1.5 / 2.5 gave news
# 0.448 / 0.478 / 0.502 / 0.504 at 34 / 39 / 42 / 44 words.)
SENTENCE_MODEL = True
KEEP_GAP = 1.5
NEWER_MARGIN = 0.1
# " - CNN", " | CNN Politics", " | The Week UK": a site's name after a headline.
_SITE_SUFFIX = re.compile(r"\s+[|\-–—]\s+(?:[A-Z][\w.&']*\s?){1,3}$")


@dataclass(frozen=True)
class Candidate:
    """A sentence of a passage, with where it sits in the passage."""

    passage: int
    start: int
    end: int
    text: str
    headline: bool = False


@dataclass(frozen=True)
class Scored:
    """A candidate and the parts of its score."""

    candidate: Candidate
    score: float
    similarity: float
    coverage: float
    # the part of `score` that only orders sentences, not evidence that they answer
    rank_bonus: float = 0.0
    # the sentence model's logit (qa.sentence_model), which orders sentences when set
    order: float | None = None

    @property
    def key(self) -> float:
        """What sentences are ordered by: the model's logit, else the score."""
        return self.score if self.order is None else self.order


# plurals the Snowball stemmer leaves apart from their singular ("children" / "child")
_IRREGULAR = {
    "children": "child",
    "people": "person",
    "men": "man",
    "women": "woman",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
    "geese": "goose",
    "wives": "wife",
    "lives": "life",
    "knives": "knife",
    "wolves": "wolf",
    "halves": "half",
    "thieves": "thief",
    # words news uses for one thing: a question's "hurt" is an article's "wounded"
    "hurt": "injured",
    "wounded": "injured",
    "injuries": "injured",
    "injury": "injured",
    "injuring": "injured",
    "killed": "died",
    "dead": "died",
    "deaths": "died",
    "death": "died",
    "fatalities": "died",
    "detained": "arrested",
}


@lru_cache(maxsize=1)
def _stem() -> Callable[[str], str]:
    import Stemmer

    stem = Stemmer.Stemmer("english").stemWord

    def stem_word(word: str) -> str:
        return stem(_IRREGULAR.get(word.lower(), word))  # type: ignore[no-any-return]

    return stem_word


def stems(text: str) -> set[str]:
    """Stemmed content words of a text."""
    stem = _stem()
    return {stem(w) for w in content_words(text)}


def asked_part(question: str) -> str:
    """The question's last sentence when it follows a statement ("X happened. What year ...?")."""
    spans = sentence_spans(question)
    if len(spans) < 2:
        return question
    start, end = spans[-1]
    return question[start:end]


_CUT_SHORT = re.compile(r"\s*(\.\.\.|…)\s*$")


def clean_headline(title: str) -> str:
    """A headline without the site name after it or a trailing ellipsis."""
    text = _SITE_SUFFIX.sub("", _CUT_SHORT.sub("", title.strip())).strip()
    return _CUT_SHORT.sub("", text)


def cut_short(title: str) -> bool:
    """Whether a headline ends in an ellipsis, before or after the site name ("... | CNN")."""
    text = title.strip()
    return bool(_CUT_SHORT.search(text) or _CUT_SHORT.search(_SITE_SUFFIX.sub("", text).strip()))


def quotable_spans(text: str) -> list[tuple[int, int]]:
    """The spans of the sentences of `text` worth quoting, photo credits trimmed (`quotable`)."""
    out = []
    for s, e in sentence_spans(text):
        kept = quotable(text[s:e])
        if kept is not None:
            out.append((s + kept[0], s + kept[1]))
    return out


def candidates(passages: Sequence[Passage], headlines: int = 0) -> list[Candidate]:
    """Every sentence of every passage, and the headlines of the first `headlines` articles.

    Overlapping passages share sentences; the copies stay (measured: keeping one of each lost
    a news-dev answer and cost a few ms), and `choose` never quotes a sentence twice.
    """
    out = [
        Candidate(i, s, e, p.text[s:e])
        for i, p in enumerate(passages)
        for s, e in quotable_spans(p.text)
        if e - s > 15 and not asks(p.text[s:e])
    ]
    seen: set[str] = set()
    for i, p in enumerate(passages) if headlines else ():
        headline = clean_headline(p.title)
        if p.article_id in seen or len(seen) >= headlines:
            continue
        seen.add(p.article_id)
        if asks(headline):  # "Where is the 2023 World Cup being played?" answers nothing
            continue
        if is_headline(headline, [q.text for q in passages if q.article_id == p.article_id]):
            out.append(Candidate(i, 0, 0, headline, headline=True))
    return out


def asks(sentence: str) -> bool:
    """Whether a sentence is a question (an article's questions are not answers)."""
    return sentence.rstrip("\"'”’) ").endswith("?")


def is_headline(title: str, texts: Sequence[str]) -> bool:
    """Whether a title reads as a headline worth quoting, not already a line of its passages.

    A plain-text file without a title gets its file name ("2020 11 17 rockets fired"): no
    capital letter; a markdown file's title is its first line, already a candidate sentence.
    """
    if len(title) <= 15 or title == title.lower():
        return False
    flat = " ".join(title.lower().split())
    return not any(flat in " ".join(t.lower().split()) for t in texts)


def echo_penalty(sentence: str, question_stems: set[str]) -> float:
    """Penalty for sentences that cannot answer: questions, headline fragments, echoes of the question."""
    penalty = 0.0
    if asks(sentence):
        penalty += QUESTION_PENALTY
    if len(sentence.split()) < 6:
        penalty += FRAGMENT_PENALTY
    if not stems(sentence) - question_stems:
        penalty += ECHO_PENALTY
    return penalty


def score_sentences(
    question: str,
    cands: Sequence[Candidate],
    similarities: Sequence[float],
    titles: Sequence[str] = (),
) -> list[Scored]:
    """Score candidates: similarity + coverage of the question's content words + answer-type match."""
    qstems = stems(question)
    qtype = question_type(question)
    fresh = FRESH_WEIGHT if asks_this_week(question) else 0.0
    noun = counted_noun(question) if COUNT_WEIGHT else ""
    title_stems = [stems(t) for t in titles]
    scored = []
    for cand, sim in zip(cands, similarities, strict=True):
        words = stems(cand.text)
        if cand.passage < len(title_stems):
            words |= title_stems[cand.passage]
        coverage = len(qstems & words) / len(qstems) if qstems else 0.0
        typed = qtype != "other" and has_type(cand.text, qtype, question)
        rank_bonus = fresh if fresh and is_fresh_report(cand.text) else 0.0
        if noun and counts(cand.text, noun, _stem()):
            rank_bonus += COUNT_WEIGHT
        score = (
            float(sim)
            + COVERAGE_WEIGHT * coverage
            + (TYPE_WEIGHT if typed else 0.0)
            - echo_penalty(cand.text, qstems)
            - (HEADLINE_PENALTY if cand.headline else 0.0)
            + rank_bonus
        )
        scored.append(Scored(cand, score, float(sim), coverage, rank_bonus))
    return sorted(scored, key=lambda s: -s.score)


def prefer_newer(
    scored: Sequence[Scored], days: Sequence[int], margin: float = 0.03
) -> list[Scored]:
    """Among sentences whose key is within `margin` of the best, put the newest article's first."""
    if not scored:
        return []
    top = scored[0].key
    close = [s for s in scored if top - s.key <= margin]
    rest = [s for s in scored if top - s.key > margin]
    close.sort(key=lambda s: -days[s.candidate.passage] if s.candidate.passage < len(days) else 0)
    return close + rest


def date_phrase(published: str) -> str:
    """'Nov. 17, 2020' for a published date, '' when unknown."""
    day = published_day(published)
    if not day:
        return ""
    months = [
        "Jan.",
        "Feb.",
        "March",
        "April",
        "May",
        "June",
        "July",
        "Aug.",
        "Sept.",
        "Oct.",
        "Nov.",
        "Dec.",
    ]
    return f"{months[day // 100 % 100 - 1]} {day % 100}, {day // 10000}"


def datelines(dates: Sequence[str], time_sensitive: bool) -> list[str]:
    """The date to write before each sentence ('' for none), given each sentence's article date.

    Time-sensitive questions, and answers drawn from articles of different dates, say when:
    each sentence whose date differs from the one said before it gets its own dateline
    ("Nov. 17, 2020: Five were hurt. [1] Nov. 18, 2020: Six were hurt. [2]"), so no sentence
    reads as if from another day's report.
    """
    known = [d for d in dates if d]
    if not known or not (time_sensitive or len(set(known)) > 1):
        return ["" for _ in dates]
    out, said = [], ""
    for d in dates:
        out.append(d if d and d != said else "")
        said = d or said
    return out


def choose(
    scored: Sequence[Scored],
    max_sentences: int = 2,
    keep_ratio: float = 0.85,
    max_words: int = 60,
    keep_gap: float | None = None,
    question: str = "",
    titles: Sequence[str] = (),
    named_in: str = "",
) -> list[Scored]:
    """The best sentence, plus close runners-up while the answer stays within `max_words`.

    A runner-up is close when its score is `keep_ratio` of the best's or, for sentences the
    model ordered, when its logit is at most `keep_gap` below the best's. A headline without
    the date or number that `question` asks for ("When ...?", "How many ...?") adds nothing:
    it is passed over, and when it came first, the first close sentence that is not such a
    headline leads instead. With the passages' `titles`, a runner-up that names none of the
    question's names, in itself or its headline, is passed over when the best one does: "Who
    is Mack Rutherford trying to beat?" gains nothing from a sentence on Aaron Judge. The names
    are `named_in`'s when given: a follow-up's, rewritten with the names it refers to.
    """
    if not scored:
        return []
    qtype = question_type(question) if question else "other"

    def typeless_headline(s: Scored) -> bool:
        return (
            s.candidate.headline
            and qtype in ("date", "number")
            and not has_type(s.candidate.text, qtype, question)
        )

    def far(best: Scored, s: Scored) -> bool:
        if keep_gap is not None and s.order is not None and best.order is not None:
            return best.key - s.key > keep_gap
        return s.score < keep_ratio * best.score

    wanted = (
        {w.lower() for n in names(named_in or question) for w in n.split()} if titles else set()
    )

    def named(s: Scored) -> bool:
        """Whether the sentence, or its headline, holds a word of the question's names."""
        said = f"{s.candidate.text} {titles[s.candidate.passage]}".lower()
        return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", said) for w in wanted)

    best = scored[0]
    if typeless_headline(best):
        rest = [s for s in scored[1:] if not typeless_headline(s)]
        if rest and not far(best, rest[0]):
            best = rest[0]
    chosen = [best]
    words = len(best.candidate.text.split())
    for s in scored[1:]:
        if s is best:
            continue
        if len(chosen) >= max_sentences or far(best, s):
            break
        if typeless_headline(s) or (wanted and named(best) and not named(s)):
            continue  # ... nor a sentence about other things than the question names
        size = len(s.candidate.text.split())
        if words + size <= max_words and s.candidate.text not in {c.candidate.text for c in chosen}:
            chosen.append(s)
            words += size
    if len(chosen) == 1 and best.candidate.headline and titles:
        chosen += with_the_story(best, scored, titles, max_words - words)
    return with_person(chosen, scored, question, max_words)


def with_the_story(
    headline: Scored, scored: Sequence[Scored], titles: Sequence[str], room: int
) -> list[Scored]:
    """For a headline the source cut short ("…stay in power 'until…"), its story's best sentence.

    A cut headline alone leaves the answer in mid-phrase; the sentence the model ranks
    highest under the same headline says the rest.
    """
    title = titles[headline.candidate.passage]
    if not cut_short(title):
        return []
    story = [
        s
        for s in scored
        if not s.candidate.headline
        and titles[s.candidate.passage] == title
        and len(s.candidate.text.split()) <= room
    ]
    return story[:1]


PERSON_GAP = 3.0  # how far below the best a sentence naming the person asked for may be


def with_person(
    chosen: list[Scored], scored: Sequence[Scored], question: str, max_words: int
) -> list[Scored]:
    """For "Who ...?", a sentence naming someone new as the second when the chosen name no one.

    It takes the place of a headline naming no one new (which mostly restates the story), not of
    a sentence.
    """
    if not question or not asks_for_person(question) or chosen[0].order is None:
        return chosen
    second = chosen[1].candidate if len(chosen) > 1 else None
    if second and (not second.headline or has_type(second.text, "person", question)):
        return chosen
    if any(names_new_person(c.candidate.text, question) for c in chosen):
        return chosen
    best = chosen[0]
    for s in scored:
        if s.order is None or best.key - s.key > PERSON_GAP:
            break
        if s is best or s.candidate.headline or not names_new_person(s.candidate.text, question):
            continue
        if len(best.candidate.text.split()) + len(s.candidate.text.split()) <= max_words:
            return [best, s]
    return chosen


def overview_answer(question: str, lede: Passage, max_words: int = 60) -> Answer:
    """The gist of an article: its headline and first sentences (within `max_words`), cited."""
    spans = [(s, e) for s, e in quotable_spans(lede.text) if e - s > 15]
    chosen: list[tuple[int, int]] = []
    words = 0
    for s, e in spans:
        size = len(lede.text[s:e].split())
        if chosen and words + size > max_words:
            break
        chosen.append((s, e))
        words += size
    parts = [c for c in candidates([lede], headlines=1) if c.headline]
    parts += [Candidate(0, s, e, lede.text[s:e]) for s, e in chosen]
    if not parts:
        return refusal(question)
    return compose(question, [lede], [Scored(c, 1.0, 1.0, 1.0) for c in parts], confidence=1.0)


def more_answer(
    question: str, article: Sequence[Passage], said: str, max_words: int = 60
) -> Answer:
    """More of one article ("Tell me more"): its headline and sentences the chat has not quoted yet."""
    flat = " ".join(re.sub(r"\[[^\]\d][^\]]*\]", "", said).split())  # "[Sam] Bankman-Fried"
    parts: list[Candidate] = []
    if article and clean_headline(article[0].title) not in flat:
        parts += [c for c in candidates(article[:1], headlines=1) if c.headline]
    seen: set[str] = set()
    words = 0
    for i, p in enumerate(article):
        for s, e in quotable_spans(p.text):
            text = " ".join(p.text[s:e].split())
            if e - s <= 15 or text in seen or text in flat:
                continue
            seen.add(text)
            size = len(text.split())
            if words and words + size > max_words:
                break
            parts.append(Candidate(i, s, e, p.text[s:e]))
            words += size
        if words >= max_words:
            break
    if not any(not c.headline for c in parts):  # all of it was quoted: say so, quote its opening
        whole = overview_answer(question, article[0], max_words)
        return replace(whole, notice="That is the whole article: it says nothing more.")
    return compose(question, article, [Scored(c, 1.0, 1.0, 1.0) for c in parts], confidence=1.0)


def digest_answer(question: str, ledes: Sequence[Passage], opening: int = 12) -> Answer:
    """The newest articles at a glance, dated and cited: headlines, and the newest one's opening."""
    parts: list[Candidate] = []
    for i, lede in enumerate(ledes):
        headline = clean_headline(lede.title)
        titled = is_headline(headline, [lede.text])
        if titled:
            parts.append(Candidate(i, 0, 0, headline, headline=True))
        if titled and i:
            continue
        words = 0
        for s, e in quotable_spans(lede.text):
            if e - s <= 15:  # a dateline or a heading's stub
                continue
            parts.append(Candidate(i, s, e, lede.text[s:e]))
            words += len(lede.text[s:e].split())
            if titled or words >= opening:
                break
    if not parts:
        return refusal(question)
    scored = [Scored(c, 1.0, 1.0, 1.0) for c in parts]
    return compose(question, ledes, scored, confidence=1.0, lines=True)


def quoted_texts(answer: Answer) -> list[str]:
    """The sentences and headlines an answer quotes from its sources."""
    texts = [c.title for c in answer.citations if c.headline]
    return texts + [c.passage[s:e] for c in answer.citations for s, e in c.highlights]


def shortened(question: str, most: int = 200) -> str:
    """A question as an answer quotes it back: cut at a word near `most` characters, with "…"."""
    if len(question) <= most:
        return question
    return question[:most].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def refusal(question: str, notice: str = "", confidence: float = 0.0, reason: str = "") -> Answer:
    """The answer when the articles do not hold one (`reason` says why, if known)."""
    q = question.strip()
    text = f"{REFUSED} No passage answers “{shortened(q)}”" if q else REFUSED
    text = f"{REFUSED} {reason}" if reason else text
    return Answer(
        text=text, answered=False, question=question, notice=notice, confidence=confidence
    )


def article_names(passages: Sequence[Passage]) -> dict[str, dict[str, str]]:
    """Per article, the first names (and teams' places) its passages and headline give to names."""
    texts: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for p in passages:
        texts.setdefault(p.article_id, []).append(p.text)
        titles[p.article_id] = p.title
    every = [p.text for p in passages]
    return {
        article: {
            **team_names([titles[article], *t], every),
            **full_names(t, [titles[article]], every),
        }
        for article, t in texts.items()
    }


_YEAR = re.compile(r"\b(1[89]|20)\d\d\b")


def says_when(question: str, quoted: Sequence[str]) -> bool:
    """Whether to date the quotes: a time-sensitive question, or a "when" one they give no year."""
    if TIME_SENSITIVE.search(question):
        return True
    return question_type(question) == "date" and not any(_YEAR.search(q) for q in quoted)


def compose(
    question: str,
    passages: Sequence[Passage],
    chosen: Sequence[Scored],
    confidence: float = 0.0,
    lines: bool = False,
) -> Answer:
    """Answer text with a `[n]` after each sentence, and the matching citations."""
    numbers: dict[int, int] = {}
    highlights: dict[int, list[tuple[int, int]]] = {}
    quoted: set[int] = set()  # passages whose article's headline the answer quotes
    parts: list[str] = []
    dates = [date_phrase(passages[s.candidate.passage].published) for s in chosen]
    dated = datelines(dates, says_when(question, [s.candidate.text for s in chosen]))
    known = article_names(passages) if FULL_NAMES else {}
    spelled = acronyms([t for p in passages for t in (p.title, p.text)]) if ACRONYMS else {}
    for s, dateline in zip(chosen, dated, strict=True):
        p = s.candidate.passage
        if lines and parts and p not in numbers:  # one line per article
            parts.append("\n")
        numbers.setdefault(p, len(numbers) + 1)
        highlights.setdefault(p, [])
        if dateline:
            parts.append(f"{dateline}:")
        if s.candidate.headline:
            quoted.add(p)
            cut = "…" if cut_short(passages[p].title) else ""  # the source's own ellipsis
            parts.append(f"“{with_acronyms(s.candidate.text, spelled)}{cut}” [{numbers[p]}]")
        else:
            highlights[p].append((s.candidate.start, s.candidate.end))
            text = with_full_names(s.candidate.text, known.get(passages[p].article_id, {}))
            text = with_acronyms(text, spelled)
            parts.append(f"{text} [{numbers[p]}]")
    citations = [
        Citation.from_passage(n, passages[p], tuple(sorted(highlights[p])), p in quoted)
        for p, n in sorted(numbers.items(), key=lambda kv: kv[1])
    ]
    return Answer(
        text=" ".join(parts).replace(" \n ", "\n"),
        answered=True,
        citations=citations,
        question=question,
        confidence=confidence,
    )


def shortlist(
    question: str, cands: Sequence[Candidate], titles: Sequence[str], size: int
) -> list[Candidate]:
    """The candidates sharing most words with the question (earlier passages first on ties).

    Embedding every sentence of every passage costs most of a query's time; the sentences
    that share no words with the question rarely win, so only a shortlist is embedded.
    """
    if len(cands) <= size:
        return list(cands)
    qstems = stems(question)
    title_stems = [stems(t) for t in titles]

    def overlap(c: Candidate) -> float:
        words = stems(c.text) | (title_stems[c.passage] if c.passage < len(title_stems) else set())
        return len(qstems & words)

    ranked = sorted(range(len(cands)), key=lambda i: (-overlap(cands[i]), cands[i].passage, i))
    return [cands[i] for i in sorted(ranked[:size])]


def model_order(
    question: str,
    scored: Sequence[Scored],
    passages: Sequence[Passage],
    term_weights: TermWeights | None,
) -> list[Scored]:
    """The scored sentences with the sentence model's logits, best first."""
    if not scored:
        return []
    return with_logits(
        scored, order_scores(model_features(question, scored, passages, term_weights))
    )


def with_logits(scored: Sequence[Scored], logits: np.ndarray) -> list[Scored]:
    """The scored sentences carrying their logits, best logit first."""
    out = [replace(s, order=float(z)) for s, z in zip(scored, logits, strict=True)]
    return sorted(out, key=lambda s: -s.key)


def model_features(
    question: str,
    scored: Sequence[Scored],
    passages: Sequence[Passage],
    term_weights: TermWeights | None,
) -> np.ndarray:
    """The sentence model's features (qa.sentence_model.FEATURES) of each scored sentence."""
    texts = [s.candidate.text for s in scored]
    tokens = tokenize([question] + [p.title for p in passages] + texts)
    title_terms, sentence_terms = tokens[1 : 1 + len(passages)], tokens[1 + len(passages) :]
    title_stems = [stems(p.title) for p in passages]
    top = passages[0].score or 1.0
    share: dict[str, int] = {}
    for p in passages:
        share[p.article_id] = share.get(p.article_id, 0) + 1
    sentences = []
    for s, terms in zip(scored, sentence_terms, strict=True):
        c, p = s.candidate, passages[s.candidate.passage]
        sentences.append(
            Sentence(
                text=c.text,
                similarity=s.similarity,
                stems=stems(c.text),
                title_stems=title_stems[c.passage],
                terms=set(terms) | set(title_terms[c.passage]),
                passage_rank=c.passage,
                passage_score=p.score / top,
                article_share=share[p.article_id] / len(passages),
                position=0 if c.headline else p.start + c.start,
                headline=c.headline,
            )
        )
    counted = counted_noun(question) if COUNT_WEIGHT else ""
    ctx = question_context(question, asked_part(question), stems, set(tokens[0]), counted)
    idf = term_weights.idf if term_weights is not None else (lambda _: 1.0)
    return features(ctx, sentences, idf, _stem())


def unmentioned(question_names: Sequence[str], known: Callable[[str], bool]) -> list[str]:
    """The question's names when the articles mention none of them (`known`: a name is indexed).

    "What is the capital of Spain?" over articles that never say "Spain" cannot be answered
    from them, however close "the country's capital" is; one name they do mention is enough
    to look (the others may be spelled differently there).
    """
    if not question_names or any(known(n) for n in question_names):
        return []
    return list(question_names)


def said_list(items: Sequence[str]) -> str:
    """'Spain', 'Spain or France', 'Spain, France or Italy'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def unrelated(scored: Sequence[Scored], min_similarity: float) -> bool:
    """Whether no sentence is near the question in meaning (MiniLM) nor holds all its words.

    In a small index a word such as "president" weighs like a name, so coverage alone can
    mislead ("Who is the president of France?" against a sentence on President Trump); an
    acronym MiniLM does not know ("What is C-RAM?") has a low similarity but full coverage.
    """
    return bool(scored) and all(s.similarity < min_similarity and s.coverage < 1.0 for s in scored)


def scored_candidates(
    question: str,
    passages: Sequence[Passage],
    query_vector: Sequence[float],
    embed_texts: Callable[[list[str]], list[list[float]]],
    shortlist_size: int,
) -> list[Scored]:
    """The shortlisted sentences and the headlines of the passages, embedded and scored, best first."""
    titles = [p.title for p in passages]
    every = candidates(passages, HEADLINES)
    cands = shortlist(question, [c for c in every if not c.headline], titles, shortlist_size)
    cands += [c for c in every if c.headline]  # a headline's words are in every sentence's count
    if not cands:
        return []
    asked = asked_part(question)
    extra = [asked] if ASKED_WEIGHT and asked != question else []
    embedded = np.asarray(embed_texts([c.text for c in cands] + extra), dtype=np.float32)
    vectors = embedded[: len(cands)]
    sims = cosine(vectors, query_vector)
    if extra:
        sims = (1 - ASKED_WEIGHT) * sims + ASKED_WEIGHT * cosine(vectors, embedded[-1])
    return score_sentences(question, cands, sims.tolist(), titles)


@dataclass(frozen=True)
class Judged:
    """A question's candidate sentences, scored and ordered, and what decides whether to answer."""

    scored: list[Scored]  # by the hand-weighted score (newer first on near ties)
    ordered: list[Scored]  # by the sentence model's logit
    rule_score: float  # the hand-weighted rule: best sentence score + support
    signals: np.ndarray  # the refusal model's features (qa.refusal_model.FEATURES)


def judge(
    question: str,
    passages: Sequence[Passage],
    query_vector: Sequence[float],
    embed_texts: Callable[[list[str]], list[list[float]]],
    shortlist_size: int | None = None,
    support: float = 0.0,
    term_weights: TermWeights | None = None,
    asked: str = "",
    top_cosine: float = 0.0,
) -> Judged | None:
    """Score and order the passages' candidate sentences, and compute the refusal signals."""
    scored = scored_candidates(
        question, passages, query_vector, embed_texts, shortlist_size or SHORTLIST
    )
    if not scored:
        return None
    days = [published_day(p.published) for p in passages]
    scored = prefer_newer(scored, days)
    rule_score = scored[0].score - scored[0].rank_bonus + support
    x = model_features(asked or question, scored, passages, term_weights)
    logits = order_scores(x)
    ordered = prefer_newer(with_logits(scored, logits), days, NEWER_MARGIN)
    if asked and asked != question:
        # whether the passages answer is judged on the whole question: a follow-up's own words
        # ("When did it happen?") say too little, the words it carries say what "it" is
        x = model_features(question, scored, passages, term_weights)
        logits = order_scores(x)
    qstems = stems(question)
    found = stems(" ".join(f"{p.title} {p.text}" for p in passages))
    signals = question_features(
        rule_score,
        support,
        x,
        logits,
        len(qstems & found) / len(qstems) if qstems else 0.0,
        top_cosine,
        len(question.split()),
    )
    return Judged(scored, ordered, rule_score, signals)


_COVERED = REFUSAL_FEATURES.index("best_sentence_coverage")


def off_topic(judged: Judged, min_on_topic: float) -> bool:
    """Whether the off-topic model scores the question below `min_on_topic`.

    Not when some candidate sentence holds every word of the question: an acronym MiniLM
    does not know ("What is C-RAM?") reads as off-topic by meaning alone.
    """
    if min_on_topic <= 0 or judged.signals[_COVERED] >= 1.0:
        return False
    return answer_probability(judged.signals, OFF_TOPIC_WEIGHTS, OFF_TOPIC_BIAS) < min_on_topic


def extractive_answer(
    question: str,
    passages: Sequence[Passage],
    query_vector: Sequence[float],
    embed_texts: Callable[[list[str]], list[list[float]]],
    min_score: float,
    shortlist_size: int | None = None,
    support: float = 0.0,
    min_similarity: float = 0.0,
    term_weights: TermWeights | None = None,
    asked: str = "",
    top_cosine: float = 0.0,
    min_on_topic: float = 0.0,
) -> Answer:
    """Answer from the passages' best sentences, or refuse when the refusal model's 0-1 score is below `min_score`.

    A question asked afresh is also refused when it reads as off-topic (`off_topic`); a
    follow-up is about what the conversation already found, so it is not.

    `asked` is what the user typed when `question` is a follow-up rewritten with words carried
    from before: those words found the passages, but the sentence model orders sentences by
    what is asked now ("And where were they fired from?" wants a place, not the embassy again).

    `support` (the idf-weighted coverage of the question by the best passage sentence) and
    `top_cosine` (the best passage's MiniLM cosine) are retrieval's signals to the refusal model.
    """
    judged = judge(
        question,
        passages,
        query_vector,
        embed_texts,
        shortlist_size,
        support,
        term_weights,
        asked,
        top_cosine,
    )
    if judged is None:
        return refusal(question)
    confidence = answer_probability(judged.signals)
    follow_up = bool(asked) and asked != question
    if (
        confidence < min_score
        or unrelated(judged.scored, min_similarity)
        or (not follow_up and off_topic(judged, min_on_topic))
    ):
        return refusal(question, confidence=confidence)
    chosen = (
        choose(
            judged.ordered,
            keep_gap=KEEP_GAP,
            question=asked or question,
            titles=[p.title for p in passages],
            named_in=question,
        )
        if SENTENCE_MODEL
        else choose(judged.scored, question=asked or question)
    )
    return compose(question, passages, chosen, confidence=confidence)
