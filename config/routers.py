"""Anonymous reads from a streaming read replica; everything else from the
primary. Configured by DATABASE_REPLICA_URL; without it there is one
database and nothing here changes a thing.

Which database a request reads is decided once, by the ETag middleware
(positions.http), which has just read the record's version from the primary:
an anonymous GET reads the replica only when the replica has replayed that
version, so a page cached under version N is never rendered from data older
than N, and a write is visible to the next read. Editors, writes and every
request the middleware does not mark read the primary; so do the record's
version and the cells' upkeep. Raw SQL reads take their connection from
``reading()`` for the same reason the ORM asks the router."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections

PRIMARY, REPLICA = "default", "replica"

reading_from: ContextVar[str] = ContextVar("reading_from", default=PRIMARY)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return reading_from.get()

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, copied

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # the replica follows the primary's schema


def reading():
    """The connection this request reads with (for raw SQL)."""
    return connections[reading_from.get()]


def has_replica() -> bool:
    return REPLICA in settings.DATABASES


def replica_has(version: int) -> bool:
    """Whether the replica has replayed the write that made ``version``; a
    replica that cannot answer has not."""
    from positions.models import RecordVersion

    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(f"SELECT number FROM {RecordVersion._meta.db_table} WHERE id = 1")
            found = cursor.fetchone()
    except DatabaseError:
        return False
    return (found[0] if found else 0) >= version


@contextmanager
def anonymous_reads(version: int):
    """Inside: the ORM and ``reading()`` read the replica, if there is one
    and it has caught up with ``version``."""
    if not has_replica() or not replica_has(version):
        yield
        return
    token = reading_from.set(REPLICA)
    try:
        yield
    finally:
        reading_from.reset(token)
