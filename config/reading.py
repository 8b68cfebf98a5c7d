"""A flat model serializer's answer written from ``.values()`` rows: each
field still formats its own value (its ``to_representation``), but nothing is
built per object, which for a page of a hundred was most of the request. The
serializer stays the schema's word and the writes'; the API's tests compare
the two answers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rest_framework import serializers


@dataclass(frozen=True)
class Computed:
    """A field worked out from other columns (a ``SerializerMethodField``)."""

    columns: tuple[str, ...]
    value: Callable[[dict], Any]


@dataclass
class PlainRows:
    serializer_class: type[serializers.ModelSerializer]
    computed: dict[str, Computed] = field(default_factory=dict)

    def __post_init__(self):
        self.plan: list[tuple[str, str | None, Callable | None]] = []
        columns: set[str] = set()
        for name, one in self.serializer_class().fields.items():
            if one.write_only:
                continue
            if name in self.computed:
                self.plan.append((name, None, self.computed[name].value))
                columns.update(self.computed[name].columns)
            elif isinstance(one, serializers.SlugRelatedField):
                self.plan.append((name, f"{one.source}__{one.slug_field}", None))
            elif isinstance(one, serializers.PrimaryKeyRelatedField):
                self.plan.append((name, one.source, None))  # .values() gives the id
            elif isinstance(one, serializers.RelatedField | serializers.BaseSerializer):
                raise TypeError(f"{name}: only flat serializers are read from rows")
            else:
                self.plan.append((name, one.source, one.to_representation))
        columns.update(column for _, column, _ in self.plan if column)
        self.columns = sorted(columns)

    def __call__(self, rows: Iterable[dict]) -> list[dict]:
        answers = []
        for row in rows:
            answer = {}
            for name, column, convert in self.plan:
                if column is None:
                    answer[name] = convert(row)
                    continue
                value = row[column]
                # As a serializer does: None is written as null, unformatted.
                answer[name] = value if value is None or convert is None else convert(value)
            answers.append(answer)
        return answers
