"""What the apps' API modules share, importing none of them: filters and
their input rules, errors raised by the models' own validation (or a race
the database caught) turned into 400 and 409 responses, the API's 404 and
its documentation pages. The router that imports the apps is
``config.api_urls``."""

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .validation import errors_by_field

MAX_ID = 2**63 - 1
# The methods of a resource that is written but never deleted: nothing the
# record rests on goes away through the API.
WRITABLE = ["get", "post", "put", "patch", "head", "options"]


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """A record's id: a whole number the database can hold."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


def without_nul(params):
    """Query parameters with each NUL character, which PostgreSQL refuses
    outright, replaced by U+FFFD: no name, slug or date here contains either,
    so the value still names nothing, rather than something else."""
    cleaned = params.copy()
    for key, values in params.lists():
        cleaned.setlist(key, [value.replace("\x00", "\ufffd") for value in values])
    return cleaned


class FilterBackend(DjangoFilterBackend):
    """django-filter, except that a filter given with an empty value is an
    error rather than no filter: `?stance=` is not a stance."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        return kwargs | {"data": without_nul(request.query_params)}

    def filter_queryset(self, request, queryset, view):
        # A list asked for without any of its filters needs no filter set:
        # building one costs a millisecond (django-filter copies its fields
        # for every request), a tenth of a short API read.
        filterset_class = self.get_filterset_class(view, queryset)
        names = filterset_class.base_filters if filterset_class else ()
        if not any(name in names for name in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            empty = {
                name: ["May not be empty; leave the parameter out instead."]
                for name, value in request.query_params.items()
                if name in filterset.filters and value == "" and _needs_a_value(filterset, name)
            }
            if empty:
                raise ValidationError(empty)
        return filterset


def _needs_a_value(filterset, name) -> bool:
    # Free text may be empty; dates, numbers and choices may not.
    return not isinstance(filterset.filters[name], filters.CharFilter) or isinstance(
        filterset.filters[name], filters.ChoiceFilter
    )


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(errors_by_field(exc))
    response = drf_exception_handler(exc, context)
    if response is None and isinstance(exc, IntegrityError):
        # Two writers raced past validation; the database refused the second.
        # A constraint of ours answers as its validation would have.
        if found := violated_constraint(exc):
            _, field, message = found
            return Response({field: [message]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {"detail": "This conflicts with a record saved meanwhile; reload and try again."},
            status=status.HTTP_409_CONFLICT,
        )
    return response


def violated_constraint(error: IntegrityError) -> tuple[type, str, str] | None:
    """The model, field and message of the model constraint ``error`` names, if any."""
    from django.apps import apps

    text = str(error)
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            fields = getattr(constraint, "fields", ())
            # PostgreSQL names the constraint; SQLite names a unique one's columns.
            columns = ", ".join(
                f"{model._meta.db_table}.{model._meta.get_field(f).column}" for f in fields
            )
            named = constraint.name in text or (columns and text.endswith(columns))
            if named and constraint.violation_error_message:
                field = fields[0] if len(fields) == 1 else "non_field_errors"
                return model, field, str(constraint.violation_error_message)
    return None


# Swagger UI and Redoc are served from our own static files, but both set
# inline styles (Redoc injects <style> elements, and its search runs in a blob
# worker): on these two pages only, the policy allows exactly that.
DOCS_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "worker-src": [CSP.SELF, "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}


@require_safe
@csp_override(DOCS_CSP)
def api_docs(request, template):
    return render(request, template)


def not_found(request, exception=None):
    """404s under /api/ are JSON like every other API error; pages get a page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)
