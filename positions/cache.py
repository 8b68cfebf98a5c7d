"""Cached renderings of the record, never stale after an edit.

Every key carries the record's version: the number in the one
``RecordVersion`` row, which every write to an actor, role, source, quote,
topic, condition or position moves on inside its own transaction. An edit
does not hunt for the keys it touches: it makes all of them unreachable at
once, and they expire on their own.

The number lives in the database, not in the cache, so that it is right
for every process whatever cache each one has (a per-process memory cache
under gunicorn, or a shared Redis), and it moves exactly when the write
commits: a reader that started before the commit read the old number, and
could only have cached the old record under it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.functional import cached_property

TIMEOUT = 60 * 60  # an old version's entries drop out within the hour
APPS = {"actors", "sources", "positions"}


# The version a read request already asked for (positions.http): its cached
# renderings use it rather than ask again. Reads write nothing, so it holds
# for the whole request.
known_version: ContextVar[int | None] = ContextVar("known_version", default=None)

# Inside ``one_bump()``: writes leave the version alone and say so here; it
# moves once at the end.
_deferred: ContextVar[list | None] = ContextVar("bump_deferred", default=None)


def version() -> int:
    known = known_version.get()
    return known if known is not None else stamp()[0]


def stamp() -> tuple[int, dt.datetime | None]:
    """The record's version and when it last moved."""
    from .models import RecordVersion

    # Every request to a cached page asks this first: one row by key, in SQL
    # of its own (the ORM's building of the query was half a hit's time).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT number, changed_at FROM {RecordVersion._meta.db_table} WHERE id = 1"
        )
        found = cursor.fetchone()
    if not found:
        return 0, None
    changed = found[1]
    if isinstance(changed, str):  # SQLite without the ORM's converters
        changed = dt.datetime.fromisoformat(changed)
    if changed is not None and changed.tzinfo is None:
        changed = changed.replace(tzinfo=dt.UTC)
    return found[0], changed


def bump() -> None:
    """Make every cached rendering unreachable; also call it after a write that
    sends no signals (bulk inserts, raw SQL)."""
    from .models import RecordVersion

    moved = {"number": F("number") + 1, "changed_at": timezone.now()}
    if not RecordVersion.objects.filter(pk=1).update(**moved):
        RecordVersion.objects.get_or_create(pk=1, defaults={"number": 2})


@contextmanager
def one_bump():
    """Move the version once for a batch of writes (the seed loader's
    hundreds of saves) rather than once per save; it still moves inside the
    batch's transaction, as every write's does."""
    writes: list = []
    token = _deferred.set(writes)
    try:
        yield
    finally:
        _deferred.reset(token)
    if writes:
        bump()


def record_identity() -> str:
    """Which record the version counts: the primary database's address and
    name. Two databases may reach the same version number (a copy, a staging
    site, a test run) while sharing one Redis under one key prefix; without
    this, one would serve the other's pages."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    where = f"{database.get('HOST')}:{database.get('PORT')}/{database['NAME']}"
    return hashlib.sha256(where.encode()).hexdigest()[:12]


def cached[T](
    name: str, parts: tuple, compute: Callable[[], T], keep: Callable[[T], bool] | None = None
) -> T:
    """``compute()``, or what it returned for the same ``parts`` since the
    last write (unless ``keep`` turned it down). One query (the version) on a
    hit."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"{name}:{record_identity()}:v{version()}:{digest}"
    found = cache.get(key)
    if found is None:
        found = compute()
        if keep is None or keep(found):
            cache.set(key, found, timeout=TIMEOUT)
    return found


class CountedOncePerVersion(Paginator):
    """Pages of a list that may hold a million rows (the API's quotes and
    sources), whose count is asked of the database once per version of the
    record: counting the million quotes a reader may see takes 60-100 ms,
    and a tool paging through them counted them again for every page.
    ``kept`` gives the count where one is kept (None: count them)."""

    def __init__(self, *args, kept: Callable[[], int | None] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = kept

    @cached_property
    def count(self) -> int:
        query = self.object_list.query

        def count() -> int:
            found = self.kept() if self.kept else None
            return self.object_list.count() if found is None else found

        return cached("count", query.sql_with_params(), count)


def _written(sender, **kwargs):
    if sender._meta.app_label in APPS and sender._meta.model_name != "recordversion":
        if (writes := _deferred.get()) is not None:
            writes.append(sender)
            return
        bump()


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_written, dispatch_uid=f"cache-{signal!r}")
