"""The extraction benchmark's gold: real excerpts stored verbatim with their
address and publisher, every annotated quote in its text, and the scoring
that reads them."""

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location(
        "bench_extract", ROOT / "benchmarks" / "extract.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_gold_holds_real_annotated_excerpts(bench):
    cases = bench.gold_cases()  # raises when a gold quote is not in its text
    excerpts = [c for c in cases if not c.name.startswith("seed: ")]
    assert len(excerpts) >= 15
    assert {c.name for c in cases} >= {"seed: rferl", "seed: atlantic-council"}
    for case in excerpts:
        assert case.url.startswith("https://") and case.publisher, case.name
        assert case.statements, case.name
    for case in cases:
        for gold in case.statements:
            assert case.text[gold.start : gold.end].split() == gold.quote.split()
            assert gold.form in ("direct", "reported")
            assert gold.attribution in ("own", "speaking_for", "claim", "report")
            assert (gold.said_on is None) == (gold.precision is None)
    direct = sum(g.form == "direct" for c in cases for g in c.statements)
    assert direct >= 30


def test_scoring_matches_spans_one_to_one(bench):
    gold = [
        bench.Gold("abc def ghi", "direct", ["Ann Lee"], dt.date(2025, 1, 2), "day", "own", 0, 11),
        bench.Gold("xyz", "direct", ["Bo Yu"], None, None, "claim", 20, 23),
    ]
    case = bench.Case("t", "", "Wire", None, "", gold)
    predicted = [
        # overlaps the first by more than half of the shorter span: a match
        {"start": 4, "end": 11, "form": "direct", "speaker": "ann  LEE",
         "said_on": dt.date(2025, 1, 2), "precision": "day", "attribution": "speaking_for"},
        # the same span again is one proposal, not two
        {"start": 4, "end": 11, "form": "direct", "speaker": "x", "said_on": None,
         "precision": None, "attribution": "own"},
        # overlaps the second by a third: no match
        {"start": 22, "end": 30, "form": "direct", "speaker": "Bo Yu",
         "said_on": dt.date(2025, 1, 1), "precision": "day", "attribution": "claim"},
    ]  # fmt: skip
    metrics = bench.score([case], {"t": predicted})["metrics"]["direct"]
    assert (metrics["gold"], metrics["predicted"], metrics["matched"]) == (2, 2, 1)
    assert (metrics["speaker_precision"], metrics["speaker_recall"]) == (1.0, 0.5)
    assert (metrics["said_on"], metrics["attribution"], metrics["date_invented"]) == (1.0, 0.0, 0)
    assert bench.verdict(bench.score([case], {"t": predicted})["metrics"])["attribution"] is False
