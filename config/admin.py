"""The admin's base for every editable model: the edit-version check on
every change form and inline (``config.concurrency``), and history reverts
that run in one transaction and check the live version like any save."""

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.db import router, transaction
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from .api import MAX_ID
from .concurrency import ConcurrentEditForm

VERSION_FIELD = "opened_version"


def _with_version(fields):
    fields = list(fields)
    if VERSION_FIELD in flatten_fieldsets([(None, {"fields": fields})]):
        return fields
    return [*fields, VERSION_FIELD]


def _is_id(value) -> bool:
    return str(value).isdigit() and int(value) <= MAX_ID


class _KnownChoices:
    """An autocomplete widget that, redisplaying a form, looks up only values
    that can be ids: Django's passes whatever was posted to the database."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if _is_id(v)], attr)


class SafeAutocompleteSelect(_KnownChoices, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_KnownChoices, AutocompleteSelectMultiple):
    @property
    def media(self):
        # Select2's inline search box has no label: the script names it.
        return super().media + forms.Media(js=["js/select2-labels.js"])


class _SafeAutocompleteFields:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class VersionedInline(_SafeAutocompleteFields):
    """Inline mixin: each row carries the version it was opened at."""

    form = ConcurrentEditForm

    def get_fields(self, request, obj=None):
        return _with_version(super().get_fields(request, obj))


class VersionedAdmin(_SafeAutocompleteFields, SimpleHistoryAdmin):
    form = ConcurrentEditForm

    def get_fields(self, request, obj=None):
        return _with_version(super().get_fields(request, obj))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if VERSION_FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        *rest, (name, options) = fieldsets
        return [*rest, (name, {**options, "fields": [*options["fields"], VERSION_FIELD]})]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if getattr(request, "reverting", False):
            form = type(form.__name__, (form,), {"reverting": True})
        return form

    def history_view(self, request, object_id, extra_context=None):
        _whole_numbers(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _whole_numbers(object_id, version_id)
        # The package's view saves outside a transaction: the version check's
        # row lock (and PostgreSQL with it) needs one, and a refused revert
        # must leave nothing behind.
        request.reverting = True
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)


def _whole_numbers(*ids: str) -> None:
    # Our records' ids are whole numbers; the package passes the URL's text
    # to the database, which fails on anything else.
    if not all(_is_id(i) for i in ids):
        raise Http404("No such record.")
