"""An article as the desk reads it: its main text (boilerplate, scripts and
markup removed) and what the page says about itself (title, publisher,
publication date, canonical address), from a paste, an uploaded file or a
fetched page. Nothing here is trusted as markup: the text is plain text."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import trafilatura

from config.validation import validate_date_in_range
from sources.text import normalize_url

# About forty pages of news copy: longer is not one article.
MAX_TEXT_CHARS = 200_000
MAX_FILE_BYTES = 2_000_000
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)
_HTML = re.compile(r"^\s*(?:<!doctype html|<html|<head|<body|<article|<p[\s>]|<div)", re.I)


class Unreadable(Exception):
    """Why an input gives no article, in words for the editor."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Article:
    text: str
    title: str = ""
    publisher: str = ""
    published_on: dt.date | None = None
    url: str = ""
    author: str = ""
    language: str = "en"


def looks_like_html(text: str) -> bool:
    return bool(_HTML.match(text[:2000]))


def from_text(text: str) -> Article:
    """Pasted text; pasted HTML is read as a page."""
    if looks_like_html(text):
        return from_html(text)
    return Article(text=_checked(_plain(text)))


def from_html(html: str, *, url: str = "") -> Article:
    if len(html) > MAX_FILE_BYTES * 2:
        raise Unreadable("This page is too large to be one article.")
    try:
        found = trafilatura.bare_extraction(
            html,
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            favor_precision=True,
        )
    except Exception as error:  # the parser's own failures, whatever they are
        raise Unreadable(
            f"This page could not be read as HTML ({type(error).__name__})."
        ) from error
    data = found.as_dict() if found is not None else {}
    text = data.get("text") or ""
    if not text.strip():
        raise Unreadable("No article text was found in this page.")
    title = (data.get("title") or "").strip()
    # The page's own heading often opens the extracted text; it is the title, not copy.
    lines = text.split("\n")
    if title and lines and lines[0].strip() == title:
        text = "\n".join(lines[1:])
    return Article(
        text=_checked(_plain(text)),
        title=title[:500],
        publisher=(data.get("sitename") or "").strip()[:200],
        published_on=_date(data.get("date")),
        url=_url(data.get("url") or url),
        author=(data.get("author") or "").strip()[:300],
        language=(data.get("language") or "en")[:8],
    )


def from_bytes(data: bytes, *, name: str = "", url: str = "") -> Article:
    """An uploaded or fetched file: UTF-8 (or the charset an HTML page
    declares) text or HTML; anything else is refused."""
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(f"The file is over {MAX_FILE_BYTES // 1_000_000} MB: not one article.")
    if b"\x00" in data[:4096]:
        raise Unreadable(
            "This is a binary file, not a saved page or text: save it as .html or .txt."
        )
    text = _decode(data)
    if name.lower().endswith((".html", ".htm", ".xhtml")) or looks_like_html(text):
        return from_html(text, url=url)
    return from_text(text)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    raise Unreadable(
        "This file is not UTF-8 text and declares no charset it is written in: "
        "save it again as UTF-8."
    )


def _plain(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _checked(text: str) -> str:
    if not text:
        raise Unreadable("There is no text to read.")
    if len(text) > MAX_TEXT_CHARS:
        raise Unreadable(
            f"The text is {len(text):,} characters long; one article is at most "
            f"{MAX_TEXT_CHARS:,}. Paste the article alone."
        )
    return text


def _date(value: str | None) -> dt.date | None:
    try:
        date = dt.date.fromisoformat((value or "")[:10])
        validate_date_in_range(date)
    except Exception:  # no date, or one outside the record's range: none proposed
        return None
    return date


def _url(value: str) -> str:
    try:
        return normalize_url(value)[:2000]
    except ValueError:
        return ""
