import datetime as dt

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


# The dates the record can hold and draw: a timeline pads its window by
# weeks and reaches two years back, which near year 1 or 9999 leaves the
# calendar (OverflowError). Far wider than any statement about this war.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
DATE_RANGE_MESSAGE = f"Dates run from {FIRST_DAY:%Y-%m-%d} to {LAST_DAY:%Y-%m-%d}."
# The same range for the OpenAPI schema, which can only say it of the text.
DATE_PATTERN = r"^(19\d\d|2\d\d\d)-\d\d-\d\d$"


def validate_date_in_range(value: dt.date) -> None:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_range")
