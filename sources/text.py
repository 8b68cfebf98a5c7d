"""Normalisation of URLs and of quoted text, so equal things compare equal."""

import functools
import hashlib
import re
import unicodedata
from urllib.parse import quote_plus, unquote_plus, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the document.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "ocid", "cmpid", "smid", "ito",
        "guccounter", "guce_referrer", "guce_referrer_sig", "ref_src", "ref_url",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_")
DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_url(url: str) -> str:
    """Canonical form of a web address, used as the source's identity.

    Lower-cases scheme and host, drops default ports, fragments, tracking
    parameters and a trailing slash, and sorts what is left of the query, so
    that one article shared through different links is stored once.
    """
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = re.sub(r"/{2,}", "/", parts.path) or "/"
    if path != "/":
        path = path.rstrip("/")
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))


def _clean_query(query: str) -> str:
    """The query without tracking parameters, sorted; a parameter given
    without "=" (``?open``) stays so, since some servers read the two apart."""
    kept = []
    for part in query.split("&"):
        if not part:
            continue
        bare = "=" not in part
        key, _, value = part.partition("=")
        key, value = unquote_plus(key), unquote_plus(value)
        if key.lower() in TRACKING_PARAMS or key.lower().startswith(TRACKING_PREFIXES):
            continue
        kept.append((key, value, bare))
    return "&".join(
        quote_plus(key) if bare else f"{quote_plus(key)}={quote_plus(value)}"
        for key, value, bare in sorted(kept)
    )


_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u2026": "...",
    }
)  # fmt: skip


def normalize_for_matching(text: str) -> str:
    """Text with typography and whitespace flattened, for "does the quote occur"."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHIC)
    return re.sub(r"\s+", " ", text).strip()


# Stored texts this long or shorter are flattened once and kept (a few dozen
# at a time): a page checks many quotes against few sources, and flattening
# a whole article per quote was a fifth of the API's positions list.
_KEPT_TEXT = 200_000


@functools.lru_cache(maxsize=32)
def _flattened(text: str) -> str:
    return normalize_for_matching(text)


def occurs_in(quote: str, text: str) -> bool:
    needle = normalize_for_matching(quote)
    if not needle:
        return False
    haystack = _flattened(text) if len(text) <= _KEPT_TEXT else normalize_for_matching(text)
    return needle in haystack


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text else ""


_STRAIGHT_QUOTES = re.compile(r'"([^"]*)"')


def quoted(words: str) -> str:
    """``words`` in double quotation marks, their own double marks made
    single, so that a quote ending in a quotation closes once: “… would be
    ‘legitimate targets.’” rather than “… ”legitimate targets.””."""
    inner = _STRAIGHT_QUOTES.sub(r"‘\1’", words).replace("“", "‘").replace("”", "’")
    return f"“{inner}”"
