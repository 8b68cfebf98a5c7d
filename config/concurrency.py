"""Refuse the second of two concurrent edits instead of letting it silently
overwrite the first. A record's version is its ``updated_at``: the admin form
carries the version it was opened at, API clients send it back as If-Match."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response


def version_of(instance) -> str:
    return instance.updated_at.isoformat() if instance.pk else ""


def etag_of(instance) -> str:
    return f'"{instance.pk}-{instance.updated_at.timestamp():.6f}"'


def _locked_version(instance):
    """The record's ``updated_at`` as saved now, with its row locked until the
    transaction ends, so that no other save slips in before ours."""
    return (
        type(instance)
        ._default_manager.select_for_update()
        .filter(pk=instance.pk)
        .values_list("updated_at", flat=True)
        .first()
    )


def _saved_meanwhile(instance, opened_at: str):
    """The newer ``updated_at`` if the record was saved since ``opened_at``."""
    current = _locked_version(instance)
    if current is not None and current.isoformat() != opened_at:
        return current
    return None


class ConcurrentEditForm(forms.ModelForm):
    """For the admin: carries the version the editor opened, and refuses the
    save if someone else saved the record in between."""

    opened_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened_version"].initial = version_of(self.instance)

    def clean(self):
        cleaned = super().clean()
        opened = cleaned.get("opened_version")
        if self.instance.pk and opened and (newer := _saved_meanwhile(self.instance, opened)):
            name = self.instance._meta.verbose_name
            raise ValidationError(
                f"Someone else saved this {name} at "
                f"{timezone.localtime(newer):%H:%M:%S} while you were editing it, so your "
                "changes were not saved. Open it again to see theirs, then redo yours.",
                code="edit_conflict",
            )
        return cleaned


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "This record was changed since you read it (its ETag no longer matches If-Match). "
        "Read it again and reapply your change."
    )
    default_code = "precondition_failed"


def check_if_match(request, instance):
    """For the API: an If-Match header must name the record's current ETag."""
    expected = request.headers.get("If-Match")
    if expected is None or expected.strip() == "*":
        return
    current = _locked_version(instance)
    tag = f'"{instance.pk}-{current.timestamp():.6f}"' if current else ""
    if tag not in {t.strip().removeprefix("W/") for t in expected.split(",")}:
        raise PreconditionFailed()


class VersionedUpdates:
    """ViewSet mixin: GET of one record carries its ETag; PUT and PATCH honour
    If-Match (412 when the record changed since it was read)."""

    versioned = True

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_of(instance)
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            instance = self.get_object()
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            # Bad input is a 400 whatever the version; only a valid change can be stale.
            serializer.is_valid(raise_exception=True)
            check_if_match(request, instance)
            self.perform_update(serializer)
        return self.updated_response(serializer)

    def updated_response(self, serializer):
        return Response(serializer.data, headers={"ETag": etag_of(serializer.instance)})
