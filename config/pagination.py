"""Pagination that refuses what it cannot honour: a page size that is not a
whole number in range is a 400, not silently the default."""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class StrictPageSize:
    page_size_query_param = "page_size"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError(
                {"page_size": [f"Give a whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] |= {"minimum": 1, "maximum": self.max_page_size}
            if parameter["name"] == getattr(self, "page_query_param", None):
                parameter["schema"] |= {"minimum": 1}
        return parameters


class PageNumberPagination(StrictPageSize, pagination.PageNumberPagination):
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        _check_page(self, request)
        return super().paginate_queryset(queryset, request, view)


class CursorPagination(StrictPageSize, pagination.CursorPagination):
    """Newest entered first; a cursor stays valid while records are added."""

    ordering = "-id"
    page_size = 100
    max_page_size = 500


def _check_page(paginator, request):
    raw = request.query_params.get(paginator.page_query_param)
    if raw is not None and not (raw.isascii() and raw.isdigit()):
        raise ValidationError({paginator.page_query_param: ["Give a page number from 1."]})
