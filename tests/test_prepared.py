"""Rows read by id through a query compiled once (config.prepared) are the
rows the ORM reads: same values, same Python types (dates SQLite keeps as
text, aware datetimes), for any number of ids, from the database the request
reads."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.prepared import ByIds
from positions.models import Position
from positions.seeding import load_seed

pytestmark = pytest.mark.django_db

FIELDS = (
    "id",
    "as_of",
    "created_at",
    "quote__said_on",
    "quote__source__published_on",
    "actor__slug",
)


def _columns():
    return Position.objects.values_list(*FIELDS)


def test_rows_by_id_are_the_orms_rows_with_the_same_types():
    load_seed()
    read = ByIds(_columns)
    ids = list(Position.objects.order_by("-as_of").values_list("pk", flat=True))
    for chosen in (ids[:1], ids[:7], ids[3:50], ids, [ids[5], ids[5], ids[2]]):
        expected = sorted(_columns().filter(pk__in=chosen))
        with CaptureQueriesContext(connection) as queries:
            found = sorted(read(chosen))
        assert found == expected
        assert len(queries) == 1
    as_of, created = found[0][1], found[0][2]
    assert type(as_of) is dt.date
    assert isinstance(created, dt.datetime) and created.utcoffset() == dt.timedelta(0)


def test_columns_asked_as_read_are_the_drivers_values():
    load_seed()
    ids = list(Position.objects.order_by("-as_of").values_list("pk", flat=True)[:9])
    expected = {row[0]: row for row in _columns().filter(pk__in=ids)}
    for row in ByIds(_columns, as_read=[1, 2])(ids):
        as_of, created = expected[row[0]][1], expected[row[0]][2]
        assert row[1] == as_of
        if connection.vendor == "sqlite":  # naive, in UTC: the ORM makes it aware
            assert row[2].tzinfo is None and row[2] == created.replace(tzinfo=None)
        else:
            assert row[2] == created
        assert row[3:] == expected[row[0]][3:]  # the others converted


def test_no_ids_is_no_query():
    read = ByIds(_columns)
    with CaptureQueriesContext(connection) as queries:
        assert read([]) == []
    assert len(queries) == 0


def test_ids_of_nothing_read_nothing(make):
    assert ByIds(_columns)([10**9, 10**9 + 1]) == []


def test_a_query_with_parameters_of_its_own_is_refused():
    def published():
        return Position.objects.published().values_list("id")

    with pytest.raises(ValueError, match="parameters"):
        ByIds(published)([1, 2])


def test_another_field_than_the_key():
    load_seed()
    position = Position.objects.filter(conditions__isnull=False).first()

    def conditions():
        return position.conditions.through.objects.values_list("position_id", "condition_id")

    found = ByIds(conditions, field="position_id")([position.pk])
    assert sorted(found) == sorted(
        position.conditions.through.objects.filter(position=position).values_list(
            "position_id", "condition_id"
        )
    )
    assert found


def test_ids_as_one_array_read_the_same_rows_in_one_shape():
    """``lookup="any_of"``: on PostgreSQL the ids go as one array, so one
    compiled query serves any number of them; elsewhere it is ``__in``."""
    load_seed()
    read = ByIds(_columns, lookup="any_of")
    ids = list(Position.objects.order_by("-as_of").values_list("pk", flat=True))
    for chosen in (ids[:1], ids[:7], ids[3:50], ids, [ids[5], ids[5], ids[2]]):
        assert sorted(read(chosen)) == sorted(_columns().filter(pk__in=chosen))
    shapes = read._compiled.cache_info().currsize
    assert shapes == (1 if connection.vendor == "postgresql" else 5)
