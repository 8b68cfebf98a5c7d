"""Where the sentences and the quotations of a text are, as character
offsets into the text itself, so that ``text[start:end]`` is what was read."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = frozenset(
    [
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "sen", "rep", "gov", "st", "jr",
    "sr", "prof", "no", "vs", "etc", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "u.s", "u.k", "e.g", "i.e", "a.m", "p.m",

])  # fmt: skip
_END = re.compile(r"[.!?]+[\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])|\n+")
_OPEN = {'"': '"', "“": "”", "‘": "’", "«": "»", "„": "“"}


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def sentences(text: str) -> list[Span]:
    """Sentence spans, split at end punctuation before a capital and at line
    breaks; not after common abbreviations ("U.S.", "Feb.", "Mr.")."""
    spans, start = [], 0
    for match in _END.finditer(text):
        if match.group().startswith("."):
            word = re.search(r"([\w.]+)\.$", text[max(0, match.start() - 12) : match.start() + 1])
            if word and (word.group(1).casefold() in _ABBREVIATIONS or len(word.group(1)) == 1):
                continue
        end = match.end() if not match.group().startswith("\n") else match.start()
        _add(spans, text, start, end)
        start = match.end()
    _add(spans, text, start, len(text))
    return spans


def _add(spans: list[Span], text: str, start: int, end: int):
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(Span(start, end))


@dataclass(frozen=True)
class Quoted:
    """A quotation: ``start``/``end`` delimit the words inside the marks;
    ``open``/``close`` the marks themselves."""

    open: int
    start: int
    end: int
    close: int


def _is_opening(text: str, i: int) -> bool:
    char = text[i]
    if char == "‘":
        return i == 0 or not text[i - 1].isalnum()
    return True


def _is_closing(text: str, i: int, mark: str) -> bool:
    if mark == "’":  # an apostrophe inside a word is not a closing mark
        return i + 1 >= len(text) or not text[i + 1].isalpha()
    return True


def quotations(text: str) -> list[Quoted]:
    """Every quotation, straight or typographic. A quotation that runs on
    into the next paragraph (the next paragraph opens with a mark and the
    first one is not closed) is one quotation across both."""
    found: list[Quoted] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in _OPEN and _is_opening(text, i):
            closing = _OPEN[char]
            j = i + 1
            while j < len(text):
                if text[j] == closing and _is_closing(text, j, closing):
                    break
                if text[j] == "\n":
                    # Runs on when the next paragraph opens with the same mark.
                    k = j
                    while k < len(text) and text[k].isspace():
                        k += 1
                    if k < len(text) and text[k] == char:
                        j = k + 1
                        continue
                    j = None
                    break
                j += 1
            if j is None or j >= len(text):
                i += 1
                continue
            start, end = i + 1, j
            while start < end and text[start].isspace():
                start += 1
            while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
                end -= 1
            if end > start:
                found.append(Quoted(i, start, end, j + 1))
            i = j + 1
            continue
        i += 1
    return found
