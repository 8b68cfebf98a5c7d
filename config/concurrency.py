"""Refuse the second of two concurrent edits instead of letting it silently
overwrite the first. A record's version is its ``updated_at``: the admin form
carries the version it was opened at, API clients send it back as If-Match."""

from __future__ import annotations

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


def lock(model, pk):
    """The row as it is now, locked until the transaction ends, so that no
    other write slips in between reading it and writing it. Outside a
    transaction a lock would end at once, so that is a bug, said as such."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock() needs a transaction: wrap the write in transaction.atomic().")
    return model._default_manager.select_for_update().filter(pk=pk).first()


def _saved_meanwhile(instance, opened_at: str):
    """The newer ``updated_at`` if the record was saved since ``opened_at``
    (its row stays locked until the transaction ends)."""
    live = lock(type(instance), instance.pk)
    if live is not None and version_of(live) != opened_at:
        return live.updated_at
    return None


class Stale(Exception):
    """The live record is not the version the writer read."""

    def __init__(self, saved_at=None):
        super().__init__(saved_at)
        self.saved_at = saved_at


class VersionRequired(Exception):
    """A change to the public record that does not say which version it read."""


class Seen:
    """The version a writer read: the admin form's ``opened_version``, or the
    API's ``If-Match`` ETags. ``matches`` compares it with the live row."""

    def __init__(self, *, opened: str | None = None, if_match: str | None = None):
        self.opened = opened
        self.if_match = if_match

    @classmethod
    def from_request(cls, request) -> Seen | None:
        header = request.headers.get("If-Match")
        if header is None:
            return None
        return cls(if_match=header)

    def matches(self, live) -> bool:
        if self.opened is not None:
            return version_of(live) == self.opened
        if self.if_match.strip() == "*":
            return True
        tags = {tag.strip().removeprefix("W/") for tag in self.if_match.split(",")}
        return etag_of(live) in tags


class ConcurrentEditForm(forms.ModelForm):
    """For the admin: carries the version the editor opened, and refuses the
    save if someone else saved the record in between. A form without its
    version is refused too: it cannot tell a stale copy from a fresh one."""

    opened_version = forms.CharField(widget=forms.HiddenInput, required=False)

    # Set by VersionedAdmin on a history revert, where the form's instance is
    # the old version: the editor must have seen the live one.
    reverting = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "opened_version" in self.fields:
            self.fields["opened_version"].initial = self._live_version()

    def _live_version(self) -> str:
        if not self.instance.pk:
            return ""
        if not self.reverting:
            return version_of(self.instance)
        current = (
            type(self.instance)
            ._default_manager.filter(pk=self.instance.pk)
            .values_list("updated_at", flat=True)
            .first()
        )
        return current.isoformat() if current else ""

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk or self.instance._state.adding:
            return cleaned
        opened = cleaned.get("opened_version")
        name = self.instance._meta.verbose_name
        if not opened:
            raise ValidationError(
                f"This form does not say which version of the {name} it was opened at, so "
                "saving it could undo someone else's change. Open it again and redo yours.",
                code="edit_version_missing",
            )
        if newer := _saved_meanwhile(self.instance, opened):
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


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = (
        "Changing a published or retracted position needs an If-Match header with the ETag "
        "of the version you read (GET it first), so that no one else's change is undone."
    )
    default_code = "precondition_required"


def check_if_match(request, instance):
    """For the API: an If-Match header, when sent, must name the live record's
    ETag. Locks the row until the transaction ends."""
    seen = Seen.from_request(request)
    if seen is None:
        return
    current = lock(type(instance), instance.pk)
    if current is None or not seen.matches(current):
        raise PreconditionFailed()


class VersionedUpdates:
    """ViewSet mixin: GET of one record carries its ETag; PUT and PATCH lock
    the live row before reading it, so the write starts from what is saved
    now and no concurrent change is overwritten; If-Match, when sent, must
    match (412 otherwise)."""

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
            instance.refresh_from_db(
                from_queryset=type(instance)._default_manager.select_for_update()
            )
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            # Bad input is a 400 whatever the version; only a valid change can be stale.
            serializer.is_valid(raise_exception=True)
            check_if_match(request, instance)
            self.perform_update(serializer)
        return self.updated_response(serializer)

    def updated_response(self, serializer):
        return Response(serializer.data, headers={"ETag": etag_of(serializer.instance)})
