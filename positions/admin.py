from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from config.admin import SafeAutocompleteSelectMultiple, VersionedAdmin, VersionedInline
from config.concurrency import ConcurrentEditForm, Seen

from . import services, workflow
from .attribution import implied_attribution
from .models import Attribution, Condition, Position, Revision, Status, Topic, TopicWording


class PositionForm(ConcurrentEditForm):
    # The admin refuses a many-to-many with an explicit through model as a
    # field; ours only exists to PROTECT conditions in use, so a plain
    # multi-select that sets the relation is safe.
    named_conditions = forms.ModelMultipleChoiceField(
        label="Conditions",
        queryset=Condition.objects.all(),
        required=False,
        widget=SafeAutocompleteSelectMultiple(Position._meta.get_field("conditions"), admin.site),
        help_text="The preconditions the actor names, e.g. a US backstop.",
    )

    class Meta:
        model = Position
        fields = services.EDITABLE  # what the write service may set

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
        if "attribution" in self.fields and not self.instance.pk:
            # Left empty, it follows from the quote's speaker (implied_attribution).
            field = self.fields["attribution"]
            field.required = False
            field.choices = [("", "— from the speaker —"), *Attribution.choices]
            self.initial.setdefault("attribution", "")
            field.help_text = (
                "Empty: the outlet's sentence is its report, an official's words speak for "
                "the state they serve, another actor's words are a claim."
            )

    # Set by the admin to the editor saving the form.
    user = None

    def clean(self):
        cleaned = super().clean()
        # The workflow is checked on the live row (which the version check in
        # super().clean() has locked), not on the form's instance: in a
        # history revert that instance is the old version.
        live = (
            Position.objects.filter(pk=self.instance.pk).values("status", "correction_note").first()
            if self.instance.pk
            else None
        )
        new = cleaned.get("status")
        if new:
            try:
                workflow.check_change(
                    old=live and live["status"],
                    new=new,
                    user=self.user,
                    old_note=live["correction_note"] if live else "",
                    new_note=cleaned.get("correction_note") or "",
                )
            except workflow.Refused as refused:
                self.add_error(refused.field, refused.message)
        quote = cleaned.get("quote") or self.instance._state.fields_cache.get("quote")
        if quote is None and self.instance.quote_id:
            quote = self.instance.quote
        if not cleaned.get("as_of") and quote is not None:
            cleaned["as_of"] = quote.said_on or quote.source.published_on
        if "attribution" in self.fields and not cleaned.get("attribution"):
            self._imply_attribution(cleaned, quote)
        return cleaned

    def _imply_attribution(self, cleaned, quote):
        actor = cleaned.get("actor")
        if quote is None or actor is None:
            self.add_error("attribution", "Choose the attribution.")
            return
        speaker = quote.speaker if quote.speaker_id else None
        implied = implied_attribution(speaker=speaker, actor=actor, on=cleaned.get("as_of"))
        cleaned["attribution"] = implied
        self.instance.attribution = implied
        if implied == Attribution.CLAIM and not cleaned.get("claimant"):
            cleaned["claimant"] = speaker
            self.instance.claimant = speaker

    def _save_m2m(self):
        # Conditions are written by the service with the rest of the change
        # (or held with it in a revision), never straight from the form.
        pass

    def write(self, position: Position, *, user) -> services.Outcome:
        """Save through the write service: what the form says, against the
        live row, as the version the editor opened."""
        values = {
            name: self.cleaned_data[name] for name in services.EDITABLE if name in self.fields
        }
        conditions = self.cleaned_data.get("named_conditions")
        if position.pk is None or position._state.adding:
            created = services.record_position(user=user, conditions=conditions or (), **values)
            return services.Outcome(created)
        return services.change_position(
            position_id=position.pk,
            user=user,
            values=values,
            conditions=conditions,
            seen=Seen(opened=self.cleaned_data["opened_version"]),
        )


def _report(request, model_admin, outcome: services.Outcome):
    if outcome.pending:
        request.held_for_review = True
        model_admin.message_user(
            request,
            "Your change to this published position awaits a senior editor's review "
            f"(revision {outcome.revision.pk}); the public record is unchanged until then.",
            level=messages.WARNING,
        )


def save_position_formset(request, model_admin, formset):
    """An inline of positions (on a quote's page) saves each row through the
    write service, as the position's own page does."""
    # What the admin's change message reads, as formset.save() would set it.
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.forms:
        if not form.has_changed() or form in formset.deleted_forms:
            continue
        adding = form.instance.pk is None
        if adding:
            form.instance.quote = formset.instance
            form.cleaned_data["quote"] = formset.instance
        outcome = form.write(form.instance, user=request.user)
        if adding:
            formset.new_objects.append(outcome.position)
        else:
            formset.changed_objects.append((outcome.position, form.changed_data))
        _report(request, model_admin, outcome)
    for form in formset.deleted_forms:
        if form.instance.pk is not None:
            formset.delete_existing(form.instance)
            formset.deleted_objects.append(form.instance)


class PositionInline(VersionedInline, admin.StackedInline):
    model = Position
    form = PositionForm
    fk_name = "quote"
    extra = 1
    autocomplete_fields = ["actor", "topic", "claimant", "responds_to"]
    fields = [
        ("actor", "topic", "stance"),
        ("attribution", "claimant"),
        ("responds_to", "response_kind"),
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
class PositionAdmin(VersionedAdmin):
    form = PositionForm
    list_display = ["actor", "topic", "stance", "as_of", "attribution", "claimant", "status"]
    list_filter = ["status", "stance", "attribution", "topic", "actor__kind", "conditions"]
    search_fields = ["actor__name", "claimant__name", "topic__short_name", "quote__text", "summary"]
    autocomplete_fields = ["actor", "topic", "quote", "claimant", "responds_to"]
    date_hierarchy = "as_of"
    list_select_related = ["actor", "topic", "claimant"]
    fields = [
        "quote",
        ("actor", "topic", "stance"),
        ("attribution", "claimant"),
        ("responds_to", "response_kind"),
        "named_conditions",
        "summary",
        ("as_of", "status"),
        "correction_note",
        "opened_version",
    ]
    actions = ["publish"]

    readonly_fields = ["pending_revisions"]

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "pending_revisions"]
        return [*fields, "pending_revisions"] if obj is not None else fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        try:
            outcome = form.write(obj, user=request.user)
        except services.Refused as error:
            # The form checked the same rules a moment ago, on the same
            # locked row: reaching this is a bug, not an editor's mistake.
            raise PermissionDenied(error.message) from error
        obj.pk, obj._state.adding = outcome.position.pk, False
        _report(request, self, outcome)

    def response_change(self, request, obj):
        if getattr(request, "held_for_review", False):
            # Not "changed successfully": the position is as it was.
            return redirect("admin:positions_position_change", obj.pk)
        return super().response_change(request, obj)

    @admin.display(description="Pending revisions")
    def pending_revisions(self, obj):
        pending = obj.revisions.filter(state=Revision.State.PENDING).select_related("proposed_by")
        if not pending:
            return "None"
        return format_html(
            '<ul class="pending-revisions">{}</ul>',
            format_html_join(
                "",
                '<li><a href="{}">Revision {}</a> by {}, {}</li>',
                (
                    (
                        reverse("admin:positions_revision_change", args=[r.pk]),
                        r.pk,
                        r.proposed_by,
                        f"{r.proposed_at:%Y-%m-%d %H:%M}",
                    )
                    for r in pending
                ),
            ),
        )

    def has_publish_permission(self, request):
        return workflow.may_publish(request.user)

    @admin.action(description="Publish the selected drafts", permissions=["publish"])
    def publish(self, request, queryset):
        ids = list(queryset.filter(status=Status.DRAFT).values_list("pk", flat=True))
        published, refused = services.publish_drafts(position_ids=ids, user=request.user)
        self.message_user(request, f"Published {published} position(s).")
        for reason in refused:
            self.message_user(request, f"Not published: {reason}", level=messages.ERROR)


class WordingInline(VersionedInline, admin.TabularInline):
    model = TopicWording
    extra = 1


@admin.register(Topic)
class TopicAdmin(VersionedAdmin):
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
class ConditionAdmin(VersionedAdmin):
    list_display = ["name", "description"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "created_at"
    list_filter = ["created_at"]


class ReviewForm(forms.ModelForm):
    """A senior editor's decision on a revision. The decision is taken in
    ``clean()``, through the write service, so that a refusal (the position
    moved meanwhile, a return without a note) is shown on the form."""

    decision = forms.ChoiceField(
        choices=[("publish", "Publish the change"), ("return", "Return it to its editor")],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Revision
        fields = ["review_note"]

    user = None  # set by the admin

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            services.review_revision(
                revision_id=self.instance.pk,
                user=self.user,
                publish=cleaned["decision"] == "publish",
                note=cleaned.get("review_note", ""),
            )
        except services.InvalidInput as error:
            raise ValidationError(error.errors) from error
        except services.Refused as error:
            raise ValidationError(error.message) from error
        self.instance.refresh_from_db()
        return cleaned


@admin.register(Revision)
class RevisionAdmin(SimpleHistoryAdmin):
    """The review queue: editors' changes to published positions."""

    form = ReviewForm
    list_display = ["__str__", "position", "proposed_by", "proposed_at", "state"]
    list_filter = ["state"]
    list_select_related = ["position__actor", "position__topic", "proposed_by"]
    readonly_fields = [
        "position_link",
        "difference",
        "proposed_by",
        "proposed_at",
        "state",
        "reviewed_by",
        "reviewed_at",
    ]

    def get_fields(self, request, obj=None):
        decided = obj is not None and obj.state != Revision.State.PENDING
        return [
            *self.readonly_fields,
            *(["review_note"] if decided else ["decision", "review_note"]),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state != Revision.State.PENDING:
            return [*self.readonly_fields, "review_note"]
        return self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def has_add_permission(self, request):
        return False  # revisions come from editing a published position

    def has_change_permission(self, request, obj=None):
        allowed = workflow.may_publish(request.user)
        return allowed and (obj is None or obj.state == Revision.State.PENDING)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # decided in ReviewForm.clean(), through the service

    @admin.display(description="Position")
    def position_link(self, obj):
        url = reverse("admin:positions_position_change", args=[obj.position_id])
        return format_html('<a href="{}">{}</a>', url, obj.position)

    @admin.display(description="Change")
    def difference(self, obj):
        rows = [
            (
                Position._meta.get_field(column.removesuffix("_id")).verbose_name,
                c["before"],
                c["after"],
            )
            for column, c in obj.changes.items()
        ]
        if obj.conditions:
            rows.append(("conditions", obj.conditions["before"], obj.conditions["after"]))
        return format_html(
            "<table><thead><tr><th>Field</th><th>Now</th><th>Proposed</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )


def _shown(column: str, value) -> str:
    """A revision's value as the reviewer reads it: a related record by name."""
    field = services.field_of(column)
    if value is None or value == "":
        return "—"
    if field.is_relation:
        found = field.related_model._default_manager.filter(pk=value).first()
        return str(found) if found is not None else f"#{value} (deleted)"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value
