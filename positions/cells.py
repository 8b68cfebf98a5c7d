"""Keeping ``CellStatement``, and each cell's latest (``CellLatest``), in
step with the record.

Each published position counts in the cell of the state or organisation it
is about (at rank 0, or its office's rank for a spokesperson's words, plus
the report penalty) and in the cell of every state or organisation an
official's office spoke for on its date. This module writes those rows in
SQL, for some positions (``refresh``) or all (``rebuild``), and with them
the latest own statement of every cell they touch (``settle``).

Why signals, against our rule of nothing hidden in ``save()`` or signals:
the table is an index, not a business rule, and it must follow every write
(admin, API, history revert, ``loaddata``), including ones no service of
ours sees. ``receivers`` below is the one place that listens; the tests
compare the table after edits through each path with a full rebuild.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Q

from actors.models import Actor, Role
from config.routers import reading
from sources.models import Quote

from .latest import CellLatest
from .models import Attribution, CellStatement, Position, RecordVersion, Status, Topic
from .rule import first_own, listed_cells

CHUNK = 500
OWN_RANK = 0
REPORT_PENALTY = 10  # an outlet's report ranks below any direct words


def _held(role: str, position: str) -> str:
    return (
        f"({role}.start_date IS NULL OR {role}.start_date <= {position}.as_of) "
        f"AND ({role}.end_date IS NULL OR {role}.end_date >= {position}.as_of)"
    )


def _speaking(role: str) -> str:
    return f"{role}.kind = 'office' AND {role}.speaks_for_rank IS NOT NULL"


def _rows_sql(where: str, *, published_only: bool = True) -> str:
    """SELECT of the rows ``positions`` matching ``where`` (on alias p) count in
    (or, with ``published_only`` off, would count in once published)."""
    status = f"p.status = '{Status.PUBLISHED}'" if published_only else "1 = 1"
    position = Position._meta.db_table
    actor = Actor._meta.db_table
    role = Role._meta.db_table
    quote = Quote._meta.db_table
    # A spokesperson's words on the state's own row count at the rank of their
    # best office on that date; a lone official's default is "other official".
    best_office = (
        f"SELECT {{}} FROM {role} r WHERE r.holder_id = q.speaker_id "
        f"AND r.organisation_id = p.actor_id AND {_speaking('r')} AND {_held('r', 'p')} "
        f"ORDER BY r.speaks_for_rank, r.id LIMIT 1"
    )
    own = (
        f"SELECT p.id, p.actor_id, p.topic_id, p.as_of, "
        f"CASE p.attribution "
        f"WHEN '{Attribution.SPEAKING_FOR}' "
        f"THEN COALESCE(({best_office.format('r.speaks_for_rank')}), {Role.Rank.OFFICIAL}) "
        f"WHEN '{Attribution.REPORT}' THEN {OWN_RANK + REPORT_PENALTY} ELSE {OWN_RANK} END, "
        f"p.attribution = '{Attribution.CLAIM}', p.claimant_id, "
        f"CASE WHEN p.attribution = '{Attribution.SPEAKING_FOR}' "
        f"THEN ({best_office.format('r.id')}) END, p.stance, p.responds_to_id "
        f"FROM {position} p JOIN {actor} a ON a.id = p.actor_id "
        f"JOIN {quote} q ON q.id = p.quote_id "
        f"WHERE {status} "
        f"AND a.kind IN ('{Actor.Kind.STATE}', '{Actor.Kind.ORGANISATION}') AND {where}"
    )
    # An official's words count once for each body an office spoke for on the
    # date, through the best of their offices there.
    spoken = (
        f"SELECT p.id, r.organisation_id, p.topic_id, p.as_of, "
        f"r.speaks_for_rank + CASE WHEN p.attribution = '{Attribution.REPORT}' "
        f"THEN {REPORT_PENALTY} ELSE 0 END, "
        f"p.attribution = '{Attribution.CLAIM}', p.claimant_id, r.id, p.stance, p.responds_to_id "
        f"FROM {position} p JOIN {role} r ON r.holder_id = p.actor_id "
        f"WHERE {status} AND {_speaking('r')} AND {_held('r', 'p')} "
        f"AND NOT EXISTS (SELECT 1 FROM {role} b WHERE b.holder_id = r.holder_id "
        f"AND b.organisation_id = r.organisation_id AND {_speaking('b')} AND {_held('b', 'p')} "
        f"AND (b.speaks_for_rank < r.speaks_for_rank "
        f"OR (b.speaks_for_rank = r.speaks_for_rank AND b.id < r.id))) AND {where}"
    )
    return f"{own} UNION ALL {spoken}"


# The columns of ``_rows_sql``, in its order.
INSERTED = (
    "position_id, subject_id, topic_id, as_of, rank, is_claim, claimant_id, role_id, stance, "
    "responds_to_id"
)


def _insert(where: str, params: list) -> None:
    table = CellStatement._meta.db_table
    with connection.cursor() as cursor:
        # Both halves of the UNION carry the same filter, so the parameters twice.
        cursor.execute(f"INSERT INTO {table} ({INSERTED}) {_rows_sql(where)}", params * 2)


def refresh(position_ids: Iterable[int]) -> None:
    """Rewrite the rows of these positions from the record as it is now, and
    the latest statement of every cell they were or are in."""
    ids = sorted(set(position_ids))
    with transaction.atomic():
        touched: set[tuple[int, int]] = set()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            touched |= cells_of(position_id__in=chunk)
            CellStatement.objects.filter(position_id__in=chunk)._raw_delete(connection.alias)
            _insert(f"p.id IN ({', '.join(['%s'] * len(chunk))})", chunk)
            touched |= cells_of(position_id__in=chunk)
        settle(touched)


def cells_of(**lookup) -> set[tuple[int, int]]:
    """The cells (``subject_id``, ``topic_id``) of the own statements that
    ``lookup`` finds in ``CellStatement``."""
    rows = CellStatement.objects.filter(is_claim=False, **lookup)
    return set(rows.values_list("subject_id", "topic_id").distinct())


def _latest_rows(cells: str) -> str:
    """SELECT of the ``CellLatest`` rows of ``cells`` (SQL with columns
    ``subject_id``, ``topic_id``): each one's first own statement in
    ``rule.WINNER_ORDER``, whatever its date."""
    return (
        f"SELECT w.subject_id, w.topic_id, w.position_id, w.as_of, w.rank, w.stance "
        f"FROM {CellStatement._meta.db_table} w "
        f"WHERE w.id IN (SELECT {first_own('s.id')} FROM ({cells}) c)"
    )


LATEST = "subject_id, topic_id, position_id, as_of, rank, stance"


def settle(cells: Collection[tuple[int, int]]) -> None:
    """Rewrite the ``CellLatest`` rows of ``cells`` from ``CellStatement``.

    Two writers to one cell must not each compute its latest without the
    other's rows and leave the one that committed last. Every write to the
    record already holds the ``RecordVersion`` row until it commits
    (``cache.bump``), so writers take turns on it: taken here first, the
    rows read below include every write committed before (PostgreSQL reads
    a new snapshot per statement; SQLite has one writer at a time)."""
    cells = sorted(set(cells))
    if not cells:
        return
    latest = CellLatest._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            version = RecordVersion._meta.db_table
            cursor.execute(f"SELECT id FROM {version} WHERE id = 1 FOR UPDATE")
        for start in range(0, len(cells), CHUNK):
            chunk = cells[start : start + CHUNK]
            params: list = []
            listed = listed_cells(chunk, params)
            cursor.execute(
                f"DELETE FROM {latest} WHERE EXISTS (SELECT 1 FROM ({listed}) c "
                f"WHERE c.subject_id = {latest}.subject_id AND c.topic_id = {latest}.topic_id)",
                params,
            )
            cursor.execute(f"INSERT INTO {latest} ({LATEST}) {_latest_rows(listed)}", params)


def refresh_for_actors(actor_ids: Iterable[int]) -> None:
    """After a change to these actors or their roles: every position they
    made, were the subject of, or spoke for a body in."""
    actor_ids = list(actor_ids)
    refresh(
        Position.objects.filter(
            Q(actor_id__in=actor_ids) | Q(quote__speaker_id__in=actor_ids)
        ).values_list("pk", flat=True)
    )


class Counted(NamedTuple):
    """A cell a position counts in: whose row and which column, and through
    which office when an official's words count for a state or body."""

    actor: str  # slug
    topic: str  # slug
    is_claim: bool
    office: str | None  # the office's title
    organisation: str | None  # the office's state or body (slug)


def counted_in(
    position_ids: Iterable[int], *, published: Collection[int] = ()
) -> dict[int, list[Counted]]:
    """Where each of these positions counts on its date, by the rule of the
    index above; drafts and retractions where they would count if published.
    Those the caller knows to be ``published`` are read from the index
    itself (a lookup by position, where working the rule out again was
    most of the time); the others are worked out. A query for each kind
    asked, none for none."""
    ids = sorted(set(position_ids))
    found: dict[int, list[Counted]] = {pk: [] for pk in ids}
    stored = [pk for pk in ids if pk in published]
    worked_out = [pk for pk in ids if pk not in published]
    table = CellStatement._meta.db_table
    columns = "position_id, subject_id, topic_id, rank, is_claim, role_id"
    with reading().cursor() as cursor:
        if stored:
            where = f"position_id IN ({', '.join(['%s'] * len(stored))})"
            cursor.execute(_counted_sql(f"SELECT {columns} FROM {table} WHERE {where}"), stored)
            _collect(cursor.fetchall(), found)
        if worked_out:
            rows = _rows_sql(
                f"p.id IN ({', '.join(['%s'] * len(worked_out))})", published_only=False
            )
            cursor.execute(
                f"WITH w ({INSERTED}) AS ({rows}) {_counted_sql(f'SELECT {columns} FROM w')}",
                worked_out * 2,
            )
            _collect(cursor.fetchall(), found)
    return found


def _counted_sql(cells: str) -> str:
    actor, topic, role = Actor._meta.db_table, Topic._meta.db_table, Role._meta.db_table
    return (
        f"SELECT c.position_id, a.slug, t.slug, c.is_claim, r.title, o.slug "
        f"FROM ({cells}) c JOIN {actor} a ON a.id = c.subject_id "
        f"JOIN {topic} t ON t.id = c.topic_id "
        f"LEFT JOIN {role} r ON r.id = c.role_id LEFT JOIN {actor} o ON o.id = r.organisation_id "
        f"ORDER BY c.position_id, c.rank, a.slug"
    )


def _collect(rows: list[tuple], found: dict[int, list[Counted]]) -> None:
    for position_id, *fields in rows:
        found[position_id].append(Counted(*fields[:2], bool(fields[2]), *fields[3:]))


def rebuild() -> int:
    """Every row from scratch, after a bulk load; returns how many."""
    from . import cache

    with transaction.atomic():
        count = write_all()
        cache.bump()
    return count


def write_all() -> int:
    """The rows alone, without moving the record's version."""
    write_statements()
    write_latest()
    return CellStatement.objects.count()


def write_statements() -> None:
    """Every ``CellStatement`` row from the record (for migrations)."""
    CellStatement.objects.all()._raw_delete(connection.alias)
    _insert("1 = 1", [])


def write_latest() -> None:
    """Every cell's ``CellLatest`` row from ``CellStatement`` (for migrations)."""
    CellLatest.objects.all()._raw_delete(connection.alias)
    table, latest = CellStatement._meta.db_table, CellLatest._meta.db_table
    cells = f"SELECT DISTINCT subject_id, topic_id FROM {table} WHERE is_claim = FALSE"
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {latest} ({LATEST}) {_latest_rows(cells)}")


# The receivers. ``raw`` saves come from loaddata, whose rows may arrive
# before the rows they refer to; import_data rebuilds the table afterwards.


def _position_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh([instance.pk])


def _quote_saved(sender, instance, raw=False, **kwargs):
    # The speaker decides a spokesperson's rank on the state's own row.
    if not raw:
        refresh(Position.objects.filter(quote=instance).values_list("pk", flat=True))


def _remember_cells(sender, instance, **kwargs):
    # Deleting a position or an office takes its rows with it before any
    # receiver after the deletion could see which cells they were in.
    lookup = "position" if sender is Position else "role"
    instance._cells_touched = cells_of(**{lookup: instance.pk})


def _settle_remembered(sender, instance, **kwargs):
    settle(getattr(instance, "_cells_touched", ()))


def _remember_previous(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    instance._cells_previous = sender.objects.filter(pk=instance.pk).values().first()


def _role_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    previous = getattr(instance, "_cells_previous", None) or {}
    refresh_for_actors({instance.holder_id, previous.get("holder_id", instance.holder_id)})


def _actor_saved(sender, instance, raw=False, created=False, **kwargs):
    # Only a state or organisation has a row; a change of kind moves its words.
    previous = getattr(instance, "_cells_previous", None) or {}
    if not raw and not created and previous.get("kind") != instance.kind:
        refresh_for_actors([instance.pk])


def connect() -> None:
    from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

    post_save.connect(_position_saved, sender=Position, dispatch_uid="cells-position")
    post_save.connect(_quote_saved, sender=Quote, dispatch_uid="cells-quote")
    pre_save.connect(_remember_previous, sender=Role, dispatch_uid="cells-role-pre")
    post_save.connect(_role_changed, sender=Role, dispatch_uid="cells-role")
    post_delete.connect(_role_changed, sender=Role, dispatch_uid="cells-role-delete")
    pre_save.connect(_remember_previous, sender=Actor, dispatch_uid="cells-actor-pre")
    post_save.connect(_actor_saved, sender=Actor, dispatch_uid="cells-actor")
    for model in (Position, Role):
        name = model._meta.model_name
        pre_delete.connect(_remember_cells, sender=model, dispatch_uid=f"cells-{name}-deleting")
        post_delete.connect(_settle_remembered, sender=model, dispatch_uid=f"cells-{name}-deleted")
