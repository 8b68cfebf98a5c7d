import datetime as dt

from django.db import models


class PositionQuerySet(models.QuerySet):
    def published(self):
        """What analysts and anonymous API clients may see."""
        return self.filter(status="published")

    def on_or_before(self, on: dt.date):
        return self.filter(as_of__lte=on)

    def with_evidence(self):
        """Everything a page needs to show a position and its quote in one query."""
        return self.select_related(
            "actor", "topic", "claimant", "quote__source", "quote__speaker"
        ).prefetch_related("conditions")
