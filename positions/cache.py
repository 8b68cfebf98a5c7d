"""Cached renderings of the record, never stale after an edit.

Every key carries the record's version, a number that any committed write to
an actor, role, source, quote, topic, condition or position moves on. An edit
does not hunt for the keys it touches: it makes all of them unreachable at
once, and they expire on their own. The version moves after the commit, so a
reader that started before it can only have cached the old record under the
old version. It also moves at once, inside the transaction, so that the
same connection (a test, a management command) never reads its own write's
old rendering; a reader that caches old data under that version in between
is overtaken by the second move.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "record-version"
TIMEOUT = 60 * 60  # an unused version's entries drop out within the hour
APPS = {"actors", "sources", "positions"}


def version() -> int:
    current = cache.get(VERSION_KEY)
    if current is None:
        # add, not set: of two first readers, both must end up with one number.
        cache.add(VERSION_KEY, 1, timeout=None)
        current = cache.get(VERSION_KEY, 1)
    return current


def bump() -> None:
    """Make every cached rendering unreachable; call after a bulk write."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or evicted): any new one differs
        cache.set(VERSION_KEY, version() + 1, timeout=None)


def key(name: str, *parts: Any) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"{name}:v{version()}:{digest}"


def cached[T](name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned for the same ``parts`` since the
    last write."""
    entry = key(name, *parts)
    found = cache.get(entry)
    if found is None:
        found = compute()
        cache.set(entry, found, timeout=TIMEOUT)
    return found


def _written(sender, raw=False, **kwargs):
    if sender._meta.app_label in APPS:
        bump()
        transaction.on_commit(bump)


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_written, dispatch_uid=f"cache-{signal!r}")
