"""The extraction assistant's benchmark: precision and recall of the quote
span, the speaker, the said date and the attribution on annotated real news
(the two founding articles, gold = the seed's own quotes, and the excerpts
under tests/data/extract/), and its speed on a 2,000-word article with 1,000
more people in the record. Writes benchmarks/EXTRACT.md and prints the
figures as JSON.

    python benchmarks/extract.py            # or: make bench-extract

It makes its own SQLite database in a temporary folder (migrations, the
seed, the stance lexicon and 1,000 synthetic people with offices), so it
needs nothing running."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import statistics
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "extract"
SEED = ROOT / "positions" / "seed"
TARGETS = {"speaker_precision": 0.9, "speaker_recall": 0.9, "said_on": 0.85, "attribution": 0.85}
SPEED_TARGET_MS = 300
FORMS = ("direct", "reported")


@dataclass
class Gold:
    quote: str
    form: str
    speakers: list[str]
    said_on: dt.date | None
    precision: str | None
    attribution: str
    start: int = 0
    end: int = 0


@dataclass
class Case:
    name: str
    text: str
    publisher: str
    published_on: dt.date | None
    url: str
    statements: list[Gold] = field(default_factory=list)


def _locate(text: str, quote: str) -> tuple[int, int]:
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    # The seed's quotes are checked with whitespace flattened; find them the same way.
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    found = re.search(pattern, text)
    if not found:
        raise ValueError(f"gold quote not in its text: {quote[:60]!r}")
    return found.start(), found.end()


def gold_cases() -> list[Case]:
    """The annotated excerpts, then the two founding articles."""
    cases = []
    for path in sorted(GOLD.glob("*.toml")):
        meta = tomllib.loads(path.read_text(encoding="utf-8"))
        text = path.with_suffix(".txt").read_text(encoding="utf-8")
        case = Case(path.stem, text, meta["publisher"], meta.get("published_on"), meta["url"])
        for item in meta["statements"]:
            said = item.get("said_on")
            gold = Gold(
                item["quote"],
                item["form"],
                item["speaker"],
                said,
                item.get("precision", "day") if said else None,
                item["attribution"],
            )
            gold.start, gold.end = _locate(text, gold.quote)
            case.statements.append(gold)
        cases.append(case)
    return cases + seed_cases()


def seed_cases() -> list[Case]:
    """Gold for the founding articles: the seed's quotes, each with the
    attribution of its first position; a quote the seed gives an outlet's
    label is the outlet's reported sentence."""
    seed = tomllib.loads((SEED / "seed.toml").read_text(encoding="utf-8"))
    names = {a["slug"]: a["name"] for a in seed["actors"]}
    attribution = {}
    for position in seed["positions"]:
        attribution.setdefault(position["quote"], position["attribution"])
    cases = []
    for source in seed["sources"]:
        text = (SEED / "articles" / source["text_file"]).read_text(encoding="utf-8")
        case = Case(
            f"seed: {source['key']}",
            text,
            source["publisher"],
            source["published_on"],
            source.get("url", ""),
        )
        for quote in seed["quotes"]:
            if quote["source"] != source["key"]:
                continue
            speaker = quote.get("speaker")
            said = quote.get("said_on")
            gold = Gold(
                quote["text"],
                "direct" if speaker else "reported",
                [names[speaker]] if speaker else [source["publisher"]],
                said,
                quote.get("precision", "day") if said else None,
                attribution.get(quote["key"], "report"),
            )
            gold.start, gold.end = _locate(text, gold.quote)
            case.statements.append(gold)
        cases.append(case)
    return cases


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return max(0, shared) / max(1, min(a[1] - a[0], b[1] - b[0]))


def pairs(predicted: list[dict], gold: list[Gold]) -> list[tuple[dict, Gold]]:
    """One-to-one, best overlap first: a candidate matches a gold statement
    when they share at least half of the shorter span."""
    scored = sorted(
        (
            (overlap((p["start"], p["end"]), (g.start, g.end)), i, j)
            for i, p in enumerate(predicted)
            for j, g in enumerate(gold)
        ),
        reverse=True,
    )
    used_p, used_g, found = set(), set(), []
    for score, i, j in scored:
        if score < 0.5 or i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        found.append((predicted[i], gold[j]))
    return found


def name_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def score(cases: list[Case], predictions: dict[str, list[dict]]) -> dict:
    """The metrics per form of statement, summed over the cases."""
    totals = {form: {"gold": 0, "predicted": 0, "matched": 0, "speaker_named": 0,
                     "speaker_right": 0, "date_right": 0, "date_invented": 0,
                     "attribution_right": 0} for form in FORMS}  # fmt: skip
    per_case = []
    for case in cases:
        row = {"case": case.name}
        for form in FORMS:
            gold = [g for g in case.statements if g.form == form]
            # One proposal per span: a sentence proposed for two actors is one quote.
            spans: dict[tuple, dict] = {}
            for p in predictions[case.name]:
                if p["form"] == form:
                    spans.setdefault((p["start"], p["end"]), p)
            predicted = list(spans.values())
            matched = pairs(predicted, gold)
            t = totals[form]
            t["gold"] += len(gold)
            t["predicted"] += len(predicted)
            t["matched"] += len(matched)
            for p, g in matched:
                if os.environ.get("EXTRACT_DEBUG") and form == os.environ["EXTRACT_DEBUG"]:
                    print(case.name, "|", g.quote[:50], "| speaker", p["speaker"], g.speakers,
                          "| date", p["said_on"], g.said_on, "| attr", p["attribution"],
                          g.attribution, file=sys.stderr)  # fmt: skip
                if p["speaker"]:
                    t["speaker_named"] += 1
                    if name_key(p["speaker"]) in {name_key(s) for s in g.speakers}:
                        t["speaker_right"] += 1
                if (p["said_on"], p["precision"]) == (g.said_on, g.precision):
                    t["date_right"] += 1
                elif g.said_on is None and p["said_on"] is not None:
                    t["date_invented"] += 1
                t["attribution_right"] += p["attribution"] == g.attribution
            if os.environ.get("EXTRACT_DEBUG") == f"extra-{form}":
                used = {id(p) for p, _ in matched}
                for p in predicted:
                    if id(p) not in used:
                        print(case.name, "| EXTRA", case.text[p["start"] : p["end"]][:110],
                              file=sys.stderr)  # fmt: skip
            row[form] = f"{len(matched)}/{len(gold)} found, {len(predicted)} proposed"
        per_case.append(row)
    metrics = {}
    for form, t in totals.items():
        matched = t["matched"] or 1
        metrics[form] = {
            **t,
            "span_precision": t["matched"] / (t["predicted"] or 1),
            "span_recall": t["matched"] / (t["gold"] or 1),
            "speaker_precision": t["speaker_right"] / (t["speaker_named"] or 1),
            "speaker_recall": t["speaker_right"] / (t["gold"] or 1),
            "said_on": t["date_right"] / matched,
            "attribution": t["attribution_right"] / matched,
        }
    return {"metrics": metrics, "cases": per_case}


def verdict(metrics: dict) -> dict[str, bool]:
    direct = metrics["direct"]
    return {name: direct[name] >= target for name, target in TARGETS.items()} | {
        "no date invented": direct["date_invented"] == 0
    }


# ------------------------------------------------------------------ running


def _setup():
    folder = tempfile.mkdtemp(prefix="extract-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/extract.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_seed", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("load_lexicon", stdout=open(os.devnull, "w"))  # noqa: SIM115
    _people(1_000)


FIRST = [
    "Anna", "Bruno", "Clara", "Dario", "Elin", "Fabian", "Greta", "Hanno", "Ines", "Jonas",
    "Karin", "Lukas", "Marta", "Nils", "Olga", "Pavel", "Rita", "Sven", "Tomas", "Una", "Vera",
    "Wim", "Xenia", "Yannick", "Zofia",
]  # fmt: skip
LAST = [
    "Aaltonen", "Brandt", "Castell", "Dobrev", "Eriksen", "Falk", "Gashi", "Horvath", "Ilves",
    "Jansen", "Kovacs", "Lindqvist", "Moretti", "Novak", "Ozols", "Petrov", "Quist",
    "Rasmussen", "Santos", "Tamm", "Urban", "Varga", "Weber", "Zielinski", "Ambrus", "Bakker",
    "Cerny", "Duarte", "Engel", "Ferrari", "Grabowski", "Haas", "Ivanova", "Juhasz", "Kask",
    "Lenz", "Mikkelsen", "Nowak", "Orban", "Pires",
]  # fmt: skip


def _people(count: int):
    """Synthetic officials, each with an office in a synthetic state: the
    size of record the speed target names."""
    from actors.models import Actor, Role
    from positions import cache

    states = [
        Actor(name=f"Synthetic State {n}", slug=f"syn-extract-state-{n}", kind="state",
              iso_code=f"Q{chr(65 + n)}")
        for n in range(20)
    ]  # fmt: skip
    Actor.objects.bulk_create(states)
    states = list(Actor.objects.filter(slug__startswith="syn-extract-state-"))
    people = [
        Actor(name=f"{FIRST[n % len(FIRST)]} {LAST[n // len(FIRST) % len(LAST)]}",
              slug=f"syn-extract-person-{n}", kind="official")
        for n in range(count)
    ]  # fmt: skip
    Actor.objects.bulk_create(people)
    people = Actor.objects.filter(slug__startswith="syn-extract-person-").order_by("pk")
    Role.objects.bulk_create(
        Role(holder=p, organisation=states[i % len(states)], kind="office",
             title="Minister", speaks_for_rank=2, start_date=dt.date(2020, 1, 1))
        for i, p in enumerate(people)
    )  # fmt: skip
    cache.bump()


def predict(case: Case) -> tuple[list[dict], float]:
    from desk.assistant import current_lexicon, extract

    started = time.perf_counter()
    candidates = extract(case.text, lexicon=current_lexicon(), published_on=case.published_on)
    elapsed = time.perf_counter() - started
    return [
        {
            "start": c.start,
            "end": c.end,
            "form": c.form,
            "speaker": c.speaker.name if c.speaker else case.publisher,
            "said_on": c.said_on,
            "precision": c.said_on_precision,
            "attribution": str(c.attribution),
        }
        for c in candidates
    ], elapsed


def speed(cases: list[Case]) -> dict:
    from desk.assistant import current_lexicon, extract
    from desk.assistant.lexicon import build_lexicon

    text = ""
    for case in cases[::-1]:  # the founding articles first
        text += case.text + "\n"
        if len(text.split()) >= 2_000:
            break
    words = len(text.split())
    started = time.perf_counter()
    build_lexicon()
    build_ms = (time.perf_counter() - started) * 1000
    lexicon = current_lexicon()
    times = []
    for _ in range(15):
        started = time.perf_counter()
        extract(text, lexicon=lexicon, published_on=dt.date(2025, 2, 25))
        times.append((time.perf_counter() - started) * 1000)
    return {"words": words, "median_ms": statistics.median(times), "max_ms": max(times),
            "lexicon_build_ms": build_ms}  # fmt: skip


def render(result: dict) -> str:
    m = result["metrics"]
    lines = [
        "# The extraction assistant: benchmark",
        "",
        f"Run {result['run_at']} on {result['machine']} by `make bench-extract` "
        f"(benchmarks/extract.py). {result['cases']} annotated texts: the two founding "
        "articles (gold = the seed's quotes, each with its first position's attribution) "
        f"and {result['cases'] - 2} real news excerpts annotated by hand "
        "(tests/data/extract/, each with its address, publisher and notes). The record: "
        f"the seed plus 1,000 synthetic people with offices ({result['actors']} actors).",
        "",
        "A candidate matches a gold statement when they share at least half of the shorter "
        "span (one to one, best overlap first). Speaker precision: right speakers among "
        "matched candidates that name one; speaker recall: right speakers among all gold "
        "statements of the form. Said date and attribution: right among matched candidates "
        "(a date is right when both date and precision are, or both are absent).",
        "",
        "The same texts were read while the assistant's rules were written, so these figures "
        "say what it does on text it was tuned against; unseen articles will score lower. "
        "Annotations follow the texts alone: a said date only where the text dates the words "
        "(a page's date line does not), an office only as the text or the record gives it.",
        "",
        "| | direct quotes | reported speech and claims | target (direct) |",
        "| --- | --- | --- | --- |",
    ]
    rows = [
        ("gold statements", "gold", None, "{:d}"),
        ("candidates proposed", "predicted", None, "{:d}"),
        ("quote span precision", "span_precision", None, "{:.2f}"),
        ("quote span recall", "span_recall", None, "{:.2f}"),
        ("speaker precision", "speaker_precision", "speaker_precision", "{:.2f}"),
        ("speaker recall", "speaker_recall", "speaker_recall", "{:.2f}"),
        ("said date right", "said_on", "said_on", "{:.2f}"),
        ("said dates invented", "date_invented", None, "{:d}"),
        ("attribution kind right", "attribution", "attribution", "{:.2f}"),
    ]
    for label, key, target, fmt in rows:
        goal = f"≥ {TARGETS[target]}" if target else ("0" if key == "date_invented" else "")
        values = [fmt.format(m[form][key]) for form in FORMS]
        lines.append(f"| {label} | {values[0]} | {values[1]} | {goal} |")
    s = result["speed"]
    met = ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in result["verdict"].items())
    lines += [
        "",
        f"**Targets on direct quotes:** {met}.",
        "",
        f"**Speed:** a {s['words']:,}-word article (the founding articles and excerpts joined) "
        f"in {s['median_ms']:.0f} ms at the median of 15 runs (slowest {s['max_ms']:.0f} ms; "
        f"target ≤ {SPEED_TARGET_MS} ms), with the lexicon built once per record version "
        f"in {s['lexicon_build_ms']:.0f} ms.",
        "",
        "## Per text",
        "",
        "| text | direct | reported |",
        "| --- | --- | --- |",
        *(f"| {c['case']} | {c['direct']} | {c['reported']} |" for c in result["per_case"]),
        "",
    ]
    return "\n".join(lines)


def main():
    import platform

    _setup()
    from actors.models import Actor

    cases = gold_cases()
    predictions = {}
    for case in cases:
        predictions[case.name], _ = predict(case)
    scored = score(cases, predictions)
    result = {
        "run_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "cases": len(cases),
        "actors": Actor.objects.count(),
        "metrics": scored["metrics"],
        "per_case": scored["cases"],
        "verdict": verdict(scored["metrics"]),
        "speed": speed(cases),
    }
    (ROOT / "benchmarks" / "EXTRACT.md").write_text(render(result), encoding="utf-8")
    print(render(result))
    print(json.dumps({k: v for k, v in result.items() if k != "per_case"}, default=str))


if __name__ == "__main__":
    main()
