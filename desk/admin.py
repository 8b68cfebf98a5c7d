from django.contrib import admin

from config.admin import VersionedAdmin

from .models import StanceCue


@admin.register(StanceCue)
class StanceCueAdmin(VersionedAdmin):
    """The desk assistant's stance lexicon: a phrase found in a statement
    proposes its stance (the longest phrase found wins)."""

    list_display = ["phrase", "stance", "topic", "updated_at"]
    list_filter = ["stance", "topic"]
    search_fields = ["phrase"]
    fields = ["phrase", "stance", "topic"]
