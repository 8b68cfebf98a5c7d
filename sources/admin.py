from django.contrib import admin
from django.db.models import Count

from config.admin import VersionedAdmin, VersionedInline
from positions.admin import PositionInline, save_position_formset

from .models import Quote, Source


class QuoteInline(VersionedInline, admin.StackedInline):
    model = Quote
    extra = 1
    autocomplete_fields = ["speaker"]
    fields = [
        "text",
        ("speaker", "speaker_label"),
        ("said_on", "said_on_precision", "original_language"),
        "opened_version",
    ]
    show_change_link = True  # positions are added from the quote's own page


@admin.register(Source)
class SourceAdmin(VersionedAdmin):
    list_display = ["title", "publisher", "published_on", "author", "quote_count"]
    list_filter = ["publisher", "language"]
    search_fields = ["title", "publisher", "author", "url", "text"]
    date_hierarchy = "published_on"
    readonly_fields = ["text_sha256", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "publisher", "author", "url", "published_on"]}),
        ("Provenance", {"fields": ["accessed_on", "archive_url", "language", "editor_note"]}),
        ("Stored text", {"fields": ["text", "text_sha256"], "classes": ["collapse"]}),
        ("Entered", {"fields": ["created_at", "updated_at", "opened_version"]}),
    ]
    inlines = [QuoteInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(quote_total=Count("quotes"))

    @admin.display(description="Quotes", ordering="quote_total")
    def quote_count(self, obj):
        return obj.quote_total


@admin.register(Quote)
class QuoteAdmin(VersionedAdmin):
    list_display = ["short_text", "speaker_name", "said_on", "source", "is_verified"]
    list_filter = ["said_on_precision", "source__publisher", "speaker__kind"]
    search_fields = ["text", "speaker__name", "speaker_label", "source__title"]
    autocomplete_fields = ["source", "speaker"]
    date_hierarchy = "said_on"
    list_select_related = ["source", "speaker"]
    fields = [
        "source",
        "text",
        ("speaker", "speaker_label"),
        ("said_on", "said_on_precision", "original_language"),
        "opened_version",
    ]
    inlines = [PositionInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is PositionInline.model:
            save_position_formset(request, self, formset)
        else:
            super().save_formset(request, form, formset, change)

    @admin.display(description="Quote")
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 100 else f"{obj.text[:99]}…"

    @admin.display(description="Speaker")
    def speaker_name(self, obj):
        return obj.speaker_name

    @admin.display(description="In stored text", boolean=True)
    def is_verified(self, obj):
        return obj.is_verified
