from django.core.exceptions import ValidationError


def errors_by_field(error: ValidationError) -> dict[str, list[str]]:
    """A model's ValidationError as a field -> messages mapping, the shape DRF
    uses, with errors of the whole object under ``non_field_errors``."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}
