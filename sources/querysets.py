from django.db import models

from .text import occurs_in

# Quotes re-checked per round: their sources' texts are read once a round.
_VERIFY_BATCH = 2000


class SourceQuerySet(models.QuerySet):
    def with_text(self):
        return self.exclude(text="")


class QuoteQuerySet(models.QuerySet):
    def with_source_and_speaker(self):
        return self.select_related("source", "speaker")

    def reverify(self) -> int:
        """Store, for each of these quotes, whether its words occur in its
        source's stored text (``Quote.is_verified``): after a source's text
        changes, and after a bulk load. Only the flags that change are
        written; returns how many did."""
        sources = self.model._meta.get_field("source").related_model.objects
        changed = 0
        rows = self.order_by("pk").values_list("pk", "source_id", "text", "is_verified")
        batch = list(rows[:_VERIFY_BATCH])
        while batch:
            texts = dict(sources.filter(pk__in={row[1] for row in batch}).values_list("pk", "text"))
            flips = {True: [], False: []}
            for pk, source_id, text, stored in batch:
                verified = occurs_in(text, texts[source_id])
                if verified != stored:
                    flips[verified].append(pk)
            for verified, pks in flips.items():
                if pks:
                    changed += self.model.objects.filter(pk__in=pks).update(is_verified=verified)
            batch = list(rows.filter(pk__gt=batch[-1][0])[:_VERIFY_BATCH])
        return changed
