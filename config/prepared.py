"""Reads of one fixed shape, compiled once: some rows of a query, by id.

The API reads a page of positions by id through a join of some sixty
columns. Building and compiling that query took the ORM longer than the
database took to answer it: a third of the page's time, at any size of the
record. ``ByIds`` compiles a ``values_list`` query once per database and
number of ids, then runs the SQL with the ids as its parameters and turns
the driver's values into Python as the ORM would, with the converters the
compiler chose (dates SQLite keeps as text, datetimes made aware). What is
read stays written as a QuerySet; only the compiling is not repeated."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable
from typing import Any

from django.db.models import QuerySet

from .routers import reading


class ByIds:
    """``ByIds(make)(ids)``: the rows of ``make().filter(<field>__in=ids)``
    as tuples, in the database's order; ``make`` returns a ``values_list``
    query with no parameters of its own (it is called once per shape).
    With ``lookup="any_of"`` (``config.lookups``), PostgreSQL gets the ids
    as one array, and the query has one shape for any number of them.
    The columns at the positions in ``as_read`` are handed back as the
    driver reads them, unconverted: for a caller that only writes them out
    again and knows what each driver gives (SQLite's datetimes are naive)."""

    def __init__(
        self,
        make: Callable[[], QuerySet],
        field: str = "pk",
        shapes: int = 64,
        as_read: Collection[int] = (),
        lookup: str = "in",
    ):
        self.make = make
        self.field = field
        self.lookup = lookup
        self.as_read = frozenset(as_read)
        self._compiled = functools.lru_cache(maxsize=shapes)(self._compile)

    def _compile(self, alias: str, count: int) -> tuple[str, list[tuple[int, list, Any]], bool]:
        stand_ins = list(range(1, count + 1))
        queryset = self.make().filter(**{f"{self.field}__{self.lookup}": stand_ins})
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        # The ids must be the statement's only parameters, in the order given
        # (or one array of them): anything else would run with wrong values.
        as_array = list(params) == [stand_ins]
        if not as_array and list(params) != stand_ins:
            raise ValueError(f"{self.make.__name__}: a query of its own parameters")
        selected = [column for column, _, _ in compiler.select[: compiler.col_count]]
        converters = [
            (position, functions, expression)
            for position, (functions, expression) in compiler.get_converters(selected).items()
            if position not in self.as_read
        ]
        return sql, converters, as_array

    def __call__(self, ids: Iterable[int]) -> list[tuple]:
        ids = list(ids)
        if not ids:
            return []
        connection = reading()
        one_shape = self.lookup == "any_of" and connection.vendor == "postgresql"
        sql, converters, as_array = self._compiled(connection.alias, 1 if one_shape else len(ids))
        with connection.cursor() as cursor:
            cursor.execute(sql, [ids] if as_array else ids)
            rows = cursor.fetchall()
        if not converters:
            return rows
        # As SQLCompiler.apply_converters does, but with this thread's
        # connection: the compiler kept holds the one it was compiled with.
        converted = []
        for row in rows:
            row = list(row)
            for position, functions, expression in converters:
                value = row[position]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted
