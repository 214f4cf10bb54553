"""An acronym the articles only spell out ("the EPA") is looked for, not refused (real index)."""

from __future__ import annotations

import json
from pathlib import Path

from qa.citations import Passage
from qa.question_checks import is_acronym, spelled_out

ARTICLES = [
    {
        "id": "penalty",
        "title": "MILLIPORE TO PAY CIVIL PENALTY",
        "published": "1987-03-27",
        "text": "Millipore Corp said it agreed to pay a 192,500 dlrs penalty to the U.S. "
        "Environmental Protection\nAgency for discharging pollutants without a permit.",
    },
    {
        "id": "harvest",
        "title": "Apple harvest",
        "published": "1987-03-20",
        "text": "Apple growers expect a record harvest after a wet spring, the growers said.",
    },
]


def test_acronyms_and_the_names_they_stand_for() -> None:
    assert is_acronym("EPA") and is_acronym("NTSB")
    assert not is_acronym("US") and not is_acronym("Spain") and not is_acronym("EPA2")
    text = "It paid the U.S. Environmental Protection\nAgency."  # a line break in the name
    passage = Passage("a::0", "a", "Title", "", "", "", text, 0, len(text), 1.0)
    assert spelled_out(["EPA"], [passage]) and not spelled_out(["NTSB"], [passage])


def test_an_acronym_spelled_out_in_the_articles_is_answered(
    tmp_path: Path, settings, embed_model
) -> None:  # type: ignore[no-untyped-def]
    from index.ingest import ingest_paths
    from qa import ask
    from qa.engine import Engine

    source = tmp_path / "news.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES))
    ingest_paths([str(source)], settings, embed_model=embed_model, progress=False)
    engine = Engine(settings, embed_model=embed_model)
    # "millipore" typed in lower case is no name: "EPA" is the only one the question gives
    paid = ask("how much did millipore agree to pay the EPA", engine=engine)
    assert paid.answered and "192,500 dlrs" in paid.text
    nobody = ask("What did the NTSB say about the crash?", engine=engine)
    assert nobody.text == "The articles don't say. No article mentions NTSB."
