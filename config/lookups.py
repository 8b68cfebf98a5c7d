"""``field__any_of=ids``: ``field__in=ids`` for long lists of values.

On PostgreSQL a list becomes one array parameter (``field = ANY(%s)``) rather
than a parameter per value: the client binds and the server plans a query
whose text no longer grows with the list. A timeline's evidence reads 1,500
statements by id; writing out 1,500 parameters was a fifth of the API
timeline's time at 1M positions. Elsewhere, and for a subquery, it is
``__in``."""

from django.db.models import Field
from django.db.models.fields.related import ForeignObject
from django.db.models.lookups import In


class AnyOf(In):
    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(dict.fromkeys(v for v in self.rhs if v is not None))
        array_type = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{array_type}[])", (*lhs_params, values)


def register() -> None:
    Field.register_lookup(AnyOf)
    ForeignObject.register_lookup(AnyOf)
