"""The extraction assistant's stance lexicon, which editors extend in the
admin. The rest of what the assistant knows is the record itself: names,
aliases, offices, topic wordings and the conditions' keywords."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from positions.models import Stance, Topic


class StanceCue(models.Model):
    """A phrase that, in a statement, suggests a stance ("ruled out" → opposes)."""

    phrase = models.CharField(
        max_length=200,
        unique=True,
        help_text='Matched as whole words, case-insensitively, e.g. "ruled out".',
    )
    stance = models.CharField(max_length=20, choices=Stance)
    topic = models.ForeignKey(
        Topic,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only for this topic; empty for every topic.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["phrase"]
        constraints = [
            models.CheckConstraint(condition=~Q(phrase=""), name="stancecue_phrase_not_empty"),
            models.CheckConstraint(
                condition=Q(stance__in=Stance.values),
                name="stancecue_stance_valid",
                violation_error_message="Unknown stance.",
            ),
        ]

    def __str__(self):
        return f"“{self.phrase}” → {self.get_stance_display()}"
