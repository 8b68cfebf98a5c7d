"""What every page's text may say about how the record is read."""

from django.conf import settings


def reading(request) -> dict:
    return {"stale_months": settings.STALE_AFTER_MONTHS}
