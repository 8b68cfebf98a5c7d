from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from config.concurrency import ConcurrentEditForm

from .models import (
    PUBLISH_PERMISSION,
    Condition,
    Position,
    Status,
    Topic,
    TopicWording,
    publishes,
    status_move_error,
)


class PositionForm(ConcurrentEditForm):
    # The admin refuses a many-to-many with an explicit through model as a
    # field; ours only exists to PROTECT conditions in use, so a plain
    # multi-select that sets the relation is safe.
    named_conditions = forms.ModelMultipleChoiceField(
        label="Conditions",
        queryset=Condition.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(Position._meta.get_field("conditions"), admin.site),
        help_text="The preconditions the actor names, e.g. a US backstop.",
    )

    class Meta:
        model = Position
        fields = [
            "quote",
            "actor",
            "topic",
            "stance",
            "attribution",
            "claimant",
            "summary",
            "as_of",
            "status",
            "correction_note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Filled from the quote when left empty, which is nearly always right.
        # (Absent when the user may only view: the admin then shows no inputs.)
        if "as_of" in self.fields:
            self.fields["as_of"].required = False
            self.fields[
                "as_of"
            ].help_text = (
                "Leave empty to use the quote's date (or the source's, if the quote has none)."
            )
        if self.instance.pk and "named_conditions" in self.fields:
            self.initial["named_conditions"] = list(self.instance.conditions.all())

    # Set by the admin to the editor saving the form.
    user = None

    def clean(self):
        cleaned = super().clean()
        old = self.instance.status if self.instance.pk else None
        new = cleaned.get("status")
        if new:
            if error := status_move_error(old, new):
                self.add_error("status", error)
            elif publishes(old, new) and not (self.user and self.user.has_perm(PUBLISH_PERMISSION)):
                self.add_error(
                    "status",
                    "Only senior editors may publish or retract. Save it as a draft for review.",
                )
        quote = cleaned.get("quote") or getattr(self.instance, "quote", None)
        if not cleaned.get("as_of") and quote is not None:
            cleaned["as_of"] = quote.said_on or quote.source.published_on
        return cleaned

    def _save_m2m(self):
        super()._save_m2m()
        self.instance.conditions.set(self.cleaned_data["named_conditions"])


class PositionInline(admin.StackedInline):
    model = Position
    form = PositionForm
    fk_name = "quote"
    extra = 1
    autocomplete_fields = ["actor", "topic", "claimant"]
    fields = [
        ("actor", "topic", "stance"),
        ("attribution", "claimant"),
        "named_conditions",
        "summary",
        ("as_of", "status"),
        "correction_note",
        "opened_version",
    ]
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"user": request.user})
        return formset


@admin.register(Position)
class PositionAdmin(SimpleHistoryAdmin):
    form = PositionForm
    list_display = ["actor", "topic", "stance", "as_of", "attribution", "claimant", "status"]
    list_filter = ["status", "stance", "attribution", "topic", "actor__kind", "conditions"]
    search_fields = ["actor__name", "claimant__name", "topic__short_name", "quote__text", "summary"]
    autocomplete_fields = ["actor", "topic", "quote", "claimant"]
    date_hierarchy = "as_of"
    list_select_related = ["actor", "topic", "claimant"]
    fields = [
        "quote",
        ("actor", "topic", "stance"),
        ("attribution", "claimant"),
        "named_conditions",
        "summary",
        ("as_of", "status"),
        "correction_note",
        "opened_version",
    ]
    actions = ["publish"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    @admin.action(description="Publish the selected drafts", permissions=["publish"])
    def publish(self, request, queryset):
        # One save per position, so each is validated and gets its history entry.
        published, refused = 0, []
        for position in queryset.filter(status=Status.DRAFT):
            position.status = Status.PUBLISHED
            try:
                position.full_clean()
            except ValidationError as error:
                refused.append(f"{position}: {' '.join(error.messages)}")
                continue
            position.save()
            published += 1
        self.message_user(request, f"Published {published} position(s).")
        for reason in refused:
            self.message_user(request, f"Not published: {reason}", level=messages.ERROR)


class WordingInline(admin.TabularInline):
    model = TopicWording
    extra = 1


@admin.register(Topic)
class TopicAdmin(SimpleHistoryAdmin):
    list_display = ["short_name", "question", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["short_name", "question", "wordings__text"]
    prepopulated_fields = {"slug": ["short_name"]}
    date_hierarchy = "created_at"
    list_filter = ["created_at"]
    inlines = [WordingInline]

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(Condition)
class ConditionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "description"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "created_at"
    list_filter = ["created_at"]
