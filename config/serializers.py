"""Serializer behaviour shared by the apps' API modules."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .validation import DATE_PATTERN, errors_by_field, validate_date_in_range


class _StrictText:
    """Only a JSON string is text: DRF would quietly turn 5 or 1.5 into "5"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            # A lone surrogate from a JSON escape is no text a database can store.
            data.encode("utf-8")
        except UnicodeEncodeError:
            self.fail("invalid")
        # The schema's maxLength counts what was sent, so check before
        # trimming: 200 characters and a tab is too long, as the schema says.
        max_length = getattr(self, "max_length", None)
        if max_length is not None and len(data) > max_length:
            self.fail("max_length", max_length=max_length)
        return super().to_internal_value(data)


class CharField(_StrictText, serializers.CharField):
    pass


class URLField(_StrictText, serializers.URLField):
    pass


class SlugField(_StrictText, serializers.SlugField):
    pass


@extend_schema_field({"type": "string", "format": "date", "pattern": DATE_PATTERN})
class DateField(serializers.DateField):
    """An ISO date within the range the record can hold and draw."""

    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", []), validate_date_in_range]
        super().__init__(**kwargs)


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """Only a JSON integer is an id: DRF would accept "5" and even true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class SlugRelatedField(serializers.SlugRelatedField):
    """A slug naming a record; "" is not a slug (DRF would read it as null)."""

    def run_validation(self, data=serializers.empty):
        if data == "":
            raise serializers.ValidationError("Give a slug, or null.", code="blank")
        if isinstance(data, str) and "\x00" in data:
            # PostgreSQL refuses NUL in a query outright; no slug contains one.
            self.fail("invalid")
        return super().run_validation(data)


class RejectUnknownFields:
    """A write naming a field the serializer does not have is refused with a
    400 that names it: a typo like ``said_date`` would otherwise return 201
    and lose the date. Read-only fields sent back from a read are ignored."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                known = ", ".join(name for name, f in self.fields.items() if not f.read_only)
                raise serializers.ValidationError(
                    {name: [f"Unknown field. The fields are: {known}."] for name in unknown}
                )
        return super().to_internal_value(data)


class StrictSerializer(RejectUnknownFields, serializers.Serializer):
    pass


STRICT_FIELD_MAPPING = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.CharField: CharField,
    models.TextField: CharField,
    models.URLField: URLField,
    models.SlugField: SlugField,
    models.DateField: DateField,
}


class StrictModelSerializer(RejectUnknownFields, serializers.ModelSerializer):
    serializer_field_mapping = STRICT_FIELD_MAPPING
    serializer_related_field = PrimaryKeyRelatedField


class CleanModelSerializer(StrictModelSerializer):
    """Validated by the model itself (``full_clean``: fields, ``clean()`` and
    the database constraints), so the API accepts exactly what the admin does
    and reports it per field. Many-to-many values are left to the caller."""

    class Meta:
        validators = []

    def validate(self, attrs):
        instance = self.instance or self.Meta.model()
        for name, value in attrs.items():
            field = instance._meta.get_field(name)
            if not field.many_to_many:
                setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(errors_by_field(error)) from error
        self.cleaned_instance = instance
        return attrs

    def create(self, validated_data):
        self.cleaned_instance.save()
        return self.cleaned_instance

    def update(self, instance, validated_data):
        self.cleaned_instance.save()
        return self.cleaned_instance
