"""The analysts' query-string controls. Invalid values become form errors,
which the views turn into a 400 page that says what was wrong."""

import datetime as dt

from django import forms
from django.utils import timezone

from actors.models import Actor
from config.validation import validate_date_in_range

# One unambiguous format: 02/03/2025 means different days to different readers.
ISO_DATE = ["%Y-%m-%d"]


class DateInput(forms.DateInput):
    """A date typed as YYYY-MM-DD. Not the browser's date picker: it shows
    the reader's locale (03/04/2025) while the pages print "3 Apr 2025", and
    it reports a change on every valid-looking value while one is typing."""

    input_type = "text"

    def __init__(self, **kwargs):
        attrs = {
            "placeholder": "YYYY-MM-DD",
            "pattern": r"\d{4}-\d{2}-\d{2}",
            "inputmode": "numeric",
            "size": 10,
            "autocomplete": "off",
            **kwargs.pop("attrs", {}),
        }
        super().__init__(format="%Y-%m-%d", attrs=attrs, **kwargs)


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label="As of",
        required=False,
        input_formats=ISO_DATE,
        validators=[validate_date_in_range],
        widget=DateInput(),
        error_messages={"invalid": "“As of” must be a date written YYYY-MM-DD."},
    )

    def clean_as_of(self) -> dt.date:
        return self.cleaned_data["as_of"] or timezone.localdate()


class PageNumberField(forms.IntegerField):
    """``?<name>=N``: which page of a list, a whole number from 1; 1 when
    absent."""

    def __init__(self, name: str):
        super().__init__(
            required=False,
            min_value=1,
            max_value=100_000,
            error_messages={"invalid": f"“{name}” must be a whole number, 1 or more."},
        )

    def clean(self, value) -> int:
        return super().clean(value) or 1


class PageForm(forms.Form):
    """``?page=…`` of a long list."""

    page = PageNumberField("page")


class AsOfPageForm(PageForm, AsOfForm):
    """``?as_of=…&page=…``: a page of a long list, as of a date."""


class RecordViewForm(AsOfForm):
    """What the matrix and the map share: ``?as_of=…&since=…&group=…``. The
    choices come from rows the view has already loaded, so validating and
    rendering the form costs no queries of its own."""

    since = forms.DateField(
        label="Compare with",
        required=False,
        input_formats=ISO_DATE,
        validators=[validate_date_in_range],
        widget=DateInput(),
        help_text="Highlight the cells that changed since this date.",
        error_messages={"invalid": "“Compare with” must be a date written YYYY-MM-DD."},
    )
    group = forms.ChoiceField(label="Group", required=False)

    def __init__(self, data=None, *, groups, topics):
        super().__init__(data)
        self.groups = {group.slug: group for group in groups}
        self.all_topics = list(topics)
        self.fields["group"].choices = [("", "All"), *((g.slug, g.name) for g in groups)]

    def clean(self):
        cleaned = super().clean()
        since, on = cleaned.get("since"), cleaned.get("as_of")
        if since and on and since >= on:
            self.add_error("since", "“Compare with” must be a date before “As of”.")
        return cleaned

    @property
    def selected_group(self) -> Actor | None:
        return self.groups.get(self.cleaned_data.get("group") or "")


class MatrixForm(PageForm, RecordViewForm):
    """``?as_of=…&since=…&group=…&kind=…&topics=…&page=…`` — every view can be
    bookmarked. ``page`` is not a control on the form: changing the date or a
    filter starts again at page 1."""

    kind = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[
            ("", "Countries and organisations"),
            (Actor.Kind.STATE, "Countries only"),
            (Actor.Kind.ORGANISATION, "Organisations only"),
        ],
    )
    topics = forms.MultipleChoiceField(
        label="Topics", required=False, widget=forms.CheckboxSelectMultiple
    )
    everyone = forms.BooleanField(
        label="Include those with no statement",
        required=False,
        help_text="Every country and organisation of the record (or of the group), "
        "with “No statement” where it has said nothing on these topics.",
    )

    # Like page, not a control: which page of the changes listed under the
    # matrix (older pages load on demand).
    changes = PageNumberField("changes")

    def __init__(self, data=None, *, groups, topics):
        super().__init__(data, groups=groups, topics=topics)
        self.fields["topics"].choices = [(t.slug, t.short_name) for t in self.all_topics]

    @property
    def selected_topics(self) -> list:
        chosen = set(self.cleaned_data.get("topics") or ())
        return [t for t in self.all_topics if t.slug in chosen] or self.all_topics


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        strip=True,
        widget=forms.SearchInput(attrs={"placeholder": "A name, a phrase from a quote, a topic"}),
        error_messages={"max_length": "Search for at most 200 characters."},
    )


class FeedForm(forms.Form):
    topic = forms.SlugField(required=False)
    actor = forms.SlugField(required=False)


WINDOW_DAYS = 730


def window(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """A timeline's window: up to today and over the two years before, unless
    asked otherwise. Pages and API alike."""
    end = end or timezone.localdate()
    return start or end - dt.timedelta(days=WINDOW_DAYS), end


class WindowForm(PageForm):
    """``?start=…&end=…&page=…&record=…``: the stretch of time a timeline
    shows (the last two years by default), which page of its lanes, and which
    page of the statements listed under it."""

    start = forms.DateField(
        label="From",
        required=False,
        input_formats=ISO_DATE,
        validators=[validate_date_in_range],
        widget=DateInput(),
        error_messages={"invalid": "“From” must be a date written YYYY-MM-DD."},
    )
    end = forms.DateField(
        label="To",
        required=False,
        input_formats=ISO_DATE,
        validators=[validate_date_in_range],
        widget=DateInput(),
        error_messages={"invalid": "“To” must be a date written YYYY-MM-DD."},
    )

    record = PageNumberField("record")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        start, end = window(cleaned.get("start"), cleaned.get("end"))
        if start >= end:
            self.add_error("start", "“From” must be a date before “To”.")
        cleaned |= {"start": start, "end": end}
        return cleaned


class ActorWindowForm(WindowForm):
    """An actor page's window, and ``?quotes=…``: which page of the quotes
    said in it."""

    quotes = PageNumberField("quotes")


class ConditionsForm(AsOfPageForm):
    """``?as_of=…&condition=…&page=…``: who depends on which condition (on
    one, when named) as of a date, a page of stances at a time."""

    condition = forms.ChoiceField(
        label="Condition",
        required=False,
        error_messages={"invalid_choice": "There is no condition “%(value)s”."},
    )

    def __init__(self, data=None, *, conditions):
        super().__init__(data)
        # Choices from rows the view has loaded: no query of the form's own.
        self.conditions = {condition.slug: condition for condition in conditions}
        self.fields["condition"].choices = [
            ("", "All conditions"),
            *((c.slug, c.name) for c in conditions),
        ]

    @property
    def selected_condition(self):
        return self.conditions.get(self.cleaned_data.get("condition") or "")


class MapForm(RecordViewForm):
    """``?as_of=…&since=…&group=…&topic=…&view=…``: the stance map's state,
    all in its address. One topic at a time."""

    topic = forms.ChoiceField(label="Topic", required=False)
    view = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Europe"), ("world", "The world")],
    )

    def __init__(self, data=None, *, groups, topics):
        super().__init__(data, groups=groups, topics=topics)
        self.fields["topic"].choices = [(t.slug, t.short_name) for t in self.all_topics]

    @property
    def selected_topic(self):
        chosen = self.cleaned_data.get("topic")
        return next((t for t in self.all_topics if t.slug == chosen), None) or (
            self.all_topics[0] if self.all_topics else None
        )


class CoverageForm(AsOfForm):
    """``?as_of=…&group=…&sort=…``: the coverage table's state. The choices
    come from the groups and topics the view has loaded."""

    group = forms.ChoiceField(label="Group", required=False)
    sort = forms.ChoiceField(label="Order", required=False)

    def __init__(self, data=None, *, groups, topics, sorts):
        super().__init__(data)
        self.groups = {group.slug: group for group in groups}
        self.fields["group"].choices = [("", "Every state"), *((g.slug, g.name) for g in groups)]
        self.fields["sort"].choices = [
            *sorts.items(),
            *((t.slug, f"Longest silent on {t.short_name}") for t in topics),
        ]

    @property
    def selected_group(self) -> Actor | None:
        return self.groups.get(self.cleaned_data.get("group") or "")
