"""HTTP caching of what every anonymous reader sees alike: pages and API
reads are the same for everyone until the next write to the record, and the
record's version (``positions.cache``) moves with every write. So an
anonymous GET carries an ETag made of that version and the request, and
the Last-Modified of the last write; a conditional request that still
matches is answered 304 before any view runs (one query: the version).
Anonymous answers may be kept by browsers and shared caches (a CDN, the
proxy in front) for a minute and served stale while they revalidate;
signed-in editors' answers are never stored anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.http import HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from config.middleware import retrying_a_dropped_connection
from config.routers import anonymous_reads

from . import cache

MAX_AGE = 60  # seconds a shared cache may serve an answer without asking
STALE_WHILE_REVALIDATE = 300
# What is not the record: the admin, static files (whitenoise's own headers),
# the schema and its docs pages (they change with a deploy, not a write).
SKIPPED = ("/admin/", "/static/", "/api/schema/", "/api/docs/", "/api/redoc/")
# Request headers that change the answer: the fragment htmx asks for, and
# the representation the API negotiates.
VARIES = ("HX-Request", "HX-History-Restore-Request", "Accept")
# And who asks: a signed-in editor's answer is theirs alone.
VARY = ("Cookie", "Authorization", *VARIES)


def _anonymous(request) -> bool:
    # A token is read by the API's views, not by Django's middleware: its
    # header alone marks the request as someone's.
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    return not request.user.is_authenticated


def etag_for(request, version: int) -> str:
    """The answer's identity: the record's version, the address as asked,
    the headers it varies on and, for pages that default to today, the day."""
    parts = [
        str(version),
        request.path,
        "&".join(sorted(request.META.get("QUERY_STRING", "").split("&"))),
        *(request.headers.get(name, "") for name in VARIES),
        timezone.localdate().isoformat(),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]
    return f'W/"{version}-{digest}"'


class ConditionalRecordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or request.path.startswith(SKIPPED):
            return self.get_response(request)
        if not _anonymous(request):
            response = self.get_response(request)
            patch_cache_control(response, private=True, no_store=True)
            patch_vary_headers(response, VARY)
            return response
        # The first query of an anonymous read: where a connection that
        # dropped while idle shows.
        version, changed = retrying_a_dropped_connection(cache.stamp)
        etag = etag_for(request, version)
        if _still_fresh(request, etag, changed):
            response = HttpResponseNotModified()
            self._headers(response, etag, changed)
            return response
        known = cache.known_version.set(version)
        try:
            # From the read replica, when there is one and it has this version.
            with anonymous_reads(version):
                response = self.get_response(request)
        finally:
            cache.known_version.reset(known)
        if response.status_code == 200 and not response.has_header("ETag"):
            self._headers(response, etag, changed)
        return response

    @staticmethod
    def _headers(response, etag: str, changed):
        response["ETag"] = etag
        if changed is not None:
            response["Last-Modified"] = http_date(changed.timestamp())
        patch_cache_control(
            response,
            public=True,
            max_age=MAX_AGE,
            stale_while_revalidate=STALE_WHILE_REVALIDATE,
        )
        patch_vary_headers(response, VARY)


def _still_fresh(request, etag: str, changed) -> bool:
    """RFC 9110: If-None-Match decides when sent; else If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        sent = {tag.strip() for tag in if_none_match.split(",")}
        # Weak comparison: W/"x" and "x" name the same answer.
        strip = {tag.removeprefix("W/") for tag in sent}
        return "*" in sent or etag.removeprefix("W/") in strip
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    # The day is part of the answer: a date from before today is stale.
    today = timezone.localdate()
    return (
        since is not None
        and changed is not None
        and int(changed.timestamp()) <= since
        and timezone.localtime(dt.datetime.fromtimestamp(since, tz=dt.UTC)).date() == today
    )
