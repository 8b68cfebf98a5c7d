from django.db import models


class SourceQuerySet(models.QuerySet):
    def with_text(self):
        return self.exclude(text="")


class QuoteQuerySet(models.QuerySet):
    def with_source_and_speaker(self):
        return self.select_related("source", "speaker")
