"""The API's JSON (written by orjson) is the document DRF's renderer writes,
byte for byte, for what the API's answers hold; and a read needs no model
permission while a write still does."""

import datetime as dt
import decimal
import json

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.test import APIRequestFactory

from config.permissions import ModelPermissionsOrAnonReadOnly
from config.renderers import JSONRenderer

DOCUMENT = {
    "id": 2**63 - 1,
    "text": '«Nous n\'enverrons pas» — Ζ ж 中 \U0001f600 "quoted" back\\slash \u2028 and \u2029',
    "none": None,
    "flags": [True, False],
    "nested": {"list": [1, 2.5, {"deep": []}], "empty": {}},
    "lazy": gettext_lazy("This field is required."),
    "at": dt.datetime(2025, 3, 1, 12, 30, 5, 123456, tzinfo=dt.UTC),
    "on": dt.date(2025, 3, 1),
    "amount": decimal.Decimal("1.50"),
    7: "a number as a key",
}


def test_the_same_bytes_as_drfs_renderer():
    ours = JSONRenderer().render(DOCUMENT)
    assert ours == renderers.JSONRenderer().render(DOCUMENT)
    assert b"\\u2028" in ours and b"\\u2029" in ours
    assert json.loads(ours)["at"] == "2025-03-01T12:30:05.123456Z"


@pytest.mark.parametrize(
    "document",
    [
        # Keys all strings (the quick path), with bytes of the separators'
        # endings in other letters (é is C3 A9) and without any.
        {"name": "Élysée, ©", "where": ["Genève"]},
        {"plain": "ASCII only", "n": [1, 2]},
        {"text": "a line\u2028and a paragraph\u2029end", "é": "é"},
    ],
)
def test_string_keyed_documents_are_drfs_bytes_too(document):
    assert JSONRenderer().render(document) == renderers.JSONRenderer().render(document)


def test_what_orjson_refuses_is_written_by_drf():
    past_64_bits = {"n": 2**70}
    assert JSONRenderer().render(past_64_bits) == renderers.JSONRenderer().render(past_64_bits)


def test_indented_when_asked():
    indented = JSONRenderer().render({"a": [1]}, "application/json; indent=2")
    assert indented == b'{\n  "a": [\n    1\n  ]\n}'


def test_nothing_is_no_body():
    assert JSONRenderer().render(None) == b""


class _Unbuildable:
    """A view whose queryset must not be built to answer a read."""

    def get_queryset(self):
        raise AssertionError("the queryset was built")


@pytest.mark.django_db
def test_a_read_needs_no_permission_and_a_write_still_does(django_user_model):
    permission = ModelPermissionsOrAnonReadOnly()
    factory = APIRequestFactory()
    for method in ("get", "head", "options"):
        request = getattr(factory, method)("/api/v1/positions/")
        assert permission.has_permission(request, _Unbuildable())

    class View:
        def get_queryset(self):
            from positions.models import Position

            return Position.objects.all()

    nobody = django_user_model.objects.create_user("nobody")
    for method in ("post", "put", "patch", "delete"):
        request = getattr(factory, method)("/api/v1/positions/")
        request.user = nobody
        assert not permission.has_permission(request, View())
