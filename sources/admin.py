from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import Count

from actors.models import Actor
from config.admin import SafeAutocompleteSelectMultiple, VersionedAdmin, VersionedInline
from config.concurrency import ConcurrentEditForm
from positions import services
from positions.admin import PositionInline, save_position_formset
from positions.attribution import implied_attribution
from positions.models import Attribution, Condition, Position, Stance, Status, Topic

from .models import Quote, Source

UNVERIFIED = (
    "This source has no stored text, so its quotes are unverified: paste the article's text "
    "under “Stored text” and each quote is checked against it."
)


class QuoteWithPositionForm(ConcurrentEditForm):
    """A quote on its source's page, with one new position drawn from it,
    so an article's quotes and positions go in on one page. The position is
    checked with the quote (new or not) and written through the service."""

    position_actor = forms.ModelChoiceField(
        Actor.objects.all(),
        required=False,
        label="New position: whose stance",
        widget=AutocompleteSelect(Position._meta.get_field("actor"), admin.site),
    )
    position_topic = forms.ModelChoiceField(Topic.objects.all(), required=False, label="topic")
    position_stance = forms.ChoiceField(
        choices=[("", "---------"), *Stance.choices], required=False, label="stance"
    )
    position_attribution = forms.ChoiceField(
        choices=[("", "— from the speaker —"), *Attribution.choices],
        required=False,
        label="attribution",
        help_text="Empty: an outlet's sentence is its report, an official's words speak for "
        "their state, another actor's words are a claim by the speaker.",
    )
    position_conditions = forms.ModelMultipleChoiceField(
        Condition.objects.all(),
        required=False,
        label="conditions",
        widget=SafeAutocompleteSelectMultiple(Position._meta.get_field("conditions"), admin.site),
    )
    position_summary = forms.CharField(required=False, max_length=500, label="summary")

    POSITION_FIELDS = ("position_actor", "position_topic", "position_stance")

    def _post_clean(self):
        super()._post_clean()
        self.new_position = None
        data = self.cleaned_data
        given = [name for name in self.POSITION_FIELDS if data.get(name)]
        if not given:
            return
        for name in set(self.POSITION_FIELDS) - set(given):
            self.add_error(name, "A new position needs whose stance, the topic and the stance.")
        if self.errors:
            return
        quote = self.instance
        speaker = quote.speaker if quote.speaker_id else None
        source = quote.source
        as_of = quote.said_on or source.published_on
        attribution = data.get("position_attribution") or implied_attribution(
            speaker=speaker, actor=data["position_actor"], on=as_of
        )
        position = Position(
            actor=data["position_actor"],
            topic=data["position_topic"],
            quote=quote,
            stance=data["position_stance"],
            attribution=attribution,
            claimant=speaker if attribution == Attribution.CLAIM else None,
            as_of=as_of,
            status=Status.DRAFT,
            summary=data.get("position_summary", ""),
        )
        try:
            position.clean_fields(exclude=["quote", "claimant"])
            position.clean()
            if quote.pk:
                position.validate_constraints()
        except ValidationError as error:
            for field, errors in error.update_error_dict({}).items():
                target = f"position_{field}" if f"position_{field}" in self.fields else None
                self.add_error(target, errors)
            return
        self.new_position = position


class QuoteInline(VersionedInline, admin.StackedInline):
    model = Quote
    form = QuoteWithPositionForm
    extra = 1
    autocomplete_fields = ["speaker"]
    fields = [
        "text",
        ("speaker", "speaker_label"),
        ("said_on", "said_on_precision", "language"),
        ("original_language", "translated_by"),
        ("position_actor", "position_topic", "position_stance"),
        ("position_attribution", "position_conditions"),
        "position_summary",
        "opened_version",
    ]
    show_change_link = True  # a quote's own page lists and edits its positions


@admin.register(Source)
class SourceAdmin(VersionedAdmin):
    list_display = ["title", "publisher", "published_on", "author", "quote_count"]
    list_filter = ["publisher", "language"]
    search_fields = ["title", "publisher", "author", "url", "text"]
    date_hierarchy = "published_on"
    readonly_fields = ["text_sha256", "readers", "created_at", "updated_at"]
    inlines = [QuoteInline]

    def get_fieldsets(self, request, obj=None):
        # The stored text opens unfolded while there is none: without it no quote is verified.
        stored = ["collapse"] if obj is not None and obj.text else []
        return [
            (None, {"fields": ["title", "publisher", "author", "url", "published_on"]}),
            ("Provenance", {"fields": ["accessed_on", "archive_url", "language", "editor_note"]}),
            (
                "Stored text",
                {"fields": ["text", "text_sha256"], "classes": stored, "description": UNVERIFIED},
            ),
            ("Entered", {"fields": ["readers", "created_at", "updated_at", "opened_version"]}),
        ]

    @admin.display(description="Seen by readers")
    def readers(self, obj):
        # Why a source is missing from the public pages (positions.visibility).
        if obj.pk is None or obj.is_public:
            return "Yes" if obj.pk else "Once saved"
        return "Not yet: only drafts rest on its quotes. It opens when one is published."

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(quote_total=Count("quotes"))

    @admin.display(description="Quotes", ordering="quote_total")
    def quote_count(self, obj):
        return obj.quote_total

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is not Quote:
            return
        added = 0
        for quote_form in formset.forms:
            position = getattr(quote_form, "new_position", None)
            if position is None or quote_form in formset.deleted_forms:
                continue
            services.record_position(
                user=request.user,
                actor=position.actor,
                topic=position.topic,
                stance=position.stance,
                quote=quote_form.instance,
                attribution=position.attribution,
                claimant=position.claimant,
                summary=position.summary,
                conditions=quote_form.cleaned_data.get("position_conditions") or (),
            )
            added += 1
        if added:
            self.message_user(
                request, f"{added} new position{'s' if added > 1 else ''} saved as draft."
            )
        if not form.instance.text and form.instance.quotes.exists():
            self.message_user(request, UNVERIFIED, level=messages.WARNING)


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
        ("said_on", "said_on_precision", "language"),
        ("original_language", "translated_by"),
        "original_text",
        "opened_version",
    ]
    inlines = [PositionInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not obj.source.text:
            self.message_user(request, UNVERIFIED, level=messages.WARNING)

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
