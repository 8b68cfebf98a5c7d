"""Add the assistant's starting stance cues that are missing (after a
flush, or on a database made without migrations' data). Idempotent; an
editor's changes to a cue are kept."""

from django.core.management.base import BaseCommand
from django.db import transaction

from desk.defaults import STANCE_CUES
from desk.models import StanceCue


class Command(BaseCommand):
    help = "Add the desk assistant's default stance cues that are missing."

    @transaction.atomic
    def handle(self, *args, **options):
        added = 0
        for stance, phrases in STANCE_CUES.items():
            for phrase in phrases:
                _, created = StanceCue.objects.get_or_create(
                    phrase=phrase, defaults={"stance": stance}
                )
                added += created
        self.stdout.write(f"Stance cues: {added} added, {StanceCue.objects.count()} in all.")
