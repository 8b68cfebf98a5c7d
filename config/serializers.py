"""Serializer behaviour shared by the apps' API modules."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .validation import errors_by_field


class CleanModelSerializer(serializers.ModelSerializer):
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
