import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Replace, Trim
from django.db.models.lookups import Exact, GreaterThan
from django.utils.translation import get_language_info
from simple_history.models import HistoricalRecords

from actors.models import Actor
from config.validation import validate_date_in_range

from .querysets import QuoteQuerySet, SourceQuerySet
from .text import normalize_url, occurs_in, quoted, sha256_hex

DUPLICATE_URL = "A source with this URL is already recorded."


def language_name(code: str) -> str:
    """ "Polish" for "pl"; the tag itself when Django does not know it."""
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code


def _without_breaks(field: str):
    expression = models.F(field)
    for char in ("\n", "\r", "\t"):
        expression = Replace(expression, models.Value(char))
    return expression


class Source(models.Model):
    """A publication item: an article, a transcript, a communiqué."""

    publisher = models.CharField(max_length=200, help_text="e.g. RFE/RL, Atlantic Council.")
    title = models.CharField(max_length=500)
    url = models.URLField(
        "URL",
        max_length=2000,
        blank=True,
        help_text="Stored normalised: tracking parameters, fragments and trailing slashes go.",
    )
    published_on = models.DateField(
        "published",
        null=True,
        blank=True,
        validators=[validate_date_in_range],
        help_text="Empty when the page gives no date: each quote then needs its said date.",
    )
    author = models.CharField(max_length=300, blank=True)
    accessed_on = models.DateField(
        "accessed", null=True, blank=True, validators=[validate_date_in_range]
    )
    archive_url = models.URLField("archive URL", max_length=2000, blank=True)
    language = models.CharField(max_length=8, default="en", help_text="BCP 47 tag.")
    text = models.TextField(
        "stored full text",
        blank=True,
        help_text="The text as read; quotes from this source are checked against it.",
    )
    text_sha256 = models.CharField("SHA-256 of the text", max_length=64, blank=True)
    editor_note = models.TextField(blank=True, help_text="How this source was recorded.")
    # Whether anonymous readers may see it, as positions.visibility defines
    # it; kept by that module on every write, not edited. Stored because the
    # definition turns on every quote's positions: counting the visible
    # sources for the list's pager took 0.5 s at 1M positions.
    is_public = models.BooleanField(default=True, editable=False)
    created_at = models.DateTimeField("entered", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The flag is derived, not an editor's: a revert must not bring an old one back.
    history = HistoricalRecords(excluded_fields=["is_public"])
    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]
        # Search reads the newest sources first through "source_newest", made by
        # migration 0006 (its order is written differently on each database).
        indexes = [models.Index(fields=["published_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="source_url_unique",
                violation_error_message=DUPLICATE_URL,
            ),
            models.CheckConstraint(
                condition=~Q(title="") & ~Q(publisher=""),
                name="source_has_title_and_publisher",
                violation_error_message="A source needs a title and a publisher.",
            ),
            models.CheckConstraint(
                condition=(Q(text="") & Q(text_sha256=""))
                | (~Q(text="") & Q(Exact(Length("text_sha256"), 64))),
                name="source_text_has_hash",
                violation_error_message="Stored text must carry its SHA-256 hash.",
            ),
            models.CheckConstraint(
                condition=Q(accessed_on__isnull=True)
                | Q(published_on__isnull=True)
                | Q(accessed_on__gte=models.F("published_on")),
                name="source_accessed_after_published",
                violation_error_message="A source cannot be accessed before it was published.",
            ),
        ]

    def __str__(self):
        published = f"{self.published_on:%Y-%m-%d}" if self.published_on else "undated"
        return f"{self.publisher}: {self.title} ({published})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Its quotes are checked against the text as it now stands.
        self.quotes.reverify()

    def clean(self):
        try:
            self.url = normalize_url(self.url)
        except ValueError as error:  # urllib's own words, e.g. a port over 65535
            raise ValidationError(
                {"url": f"This address does not parse ({str(error).lower()}); check it."}
            ) from error
        self.text_sha256 = sha256_hex(self.text)

    def validate_constraints(self, exclude=None):
        # The URL is unique only when given, so Django reports a duplicate for
        # the whole record; say it of the URL field, where the editor typed it.
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict({})
            general = errors.get(NON_FIELD_ERRORS, [])
            duplicate = [e for e in general if DUPLICATE_URL in e.messages]
            if duplicate:
                errors["url"] = [*errors.get("url", []), *duplicate]
                errors[NON_FIELD_ERRORS] = [e for e in general if e not in duplicate]
                if not errors[NON_FIELD_ERRORS]:
                    del errors[NON_FIELD_ERRORS]
            raise ValidationError(errors) from error


class Quote(models.Model):
    """Verbatim words in a source, and who said them when."""

    class Precision(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"
        YEAR = "year", "Year"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="quotes")
    text = models.TextField(help_text="The exact words, as in the source.")
    speaker = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        help_text="Who spoke, when identified.",
    )
    speaker_label = models.CharField(
        max_length=300,
        blank=True,
        help_text='When unidentified or an outlet, e.g. "a senior EU diplomat", "RFE/RL".',
    )
    said_on = models.DateField(
        "said",
        null=True,
        blank=True,
        help_text="Empty when the source does not say.",
        validators=[validate_date_in_range],
    )
    said_on_precision = models.CharField(max_length=5, choices=Precision, default=Precision.DAY)
    language = models.CharField(
        max_length=8,
        blank=True,
        help_text="BCP 47 tag of the words as stored; empty when the source's language.",
    )
    original_language = models.CharField(
        max_length=8, blank=True, help_text="BCP 47 tag, when these words are a translation."
    )
    original_text = models.TextField(
        "original words",
        blank=True,
        help_text="The words as said, in the original language, where known.",
    )
    translated_by = models.CharField(
        max_length=200,
        blank=True,
        help_text='Who translated: the outlet ("Reuters") or "the editors".',
    )
    # Whether the source's stored text contains these words (never when it
    # has none: nothing occurs in an empty text). Worked out on every save of
    # the quote or its source, not edited: checking on every read flattened
    # each quote again, and the API read each source's whole text with it.
    is_verified = models.BooleanField("in stored text", default=False, editable=False)
    # Whether anonymous readers may see it, as positions.visibility defines
    # it and keeps it, as the source's: counting the visible quotes for the
    # API's pager through the definition took 2 s at 1M positions.
    is_public = models.BooleanField(default=True, editable=False)
    created_at = models.DateTimeField("entered", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Derived, as the source's visibility is: a revert re-derives it.
    history = HistoricalRecords(excluded_fields=["is_verified", "is_public"])
    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["source", "id"]
        # The list's order among the quotes a reader may see: its pager
        # counts them through this index alone.
        indexes = [
            models.Index(
                fields=["source", "id"], condition=Q(is_public=True), name="quote_public_list"
            )
        ]
        constraints = [
            models.CheckConstraint(
                # SQL's TRIM only strips spaces, so line breaks and tabs go first.
                condition=Q(GreaterThan(Length(Trim(_without_breaks("text"))), 0)),
                name="quote_text_not_blank",
                violation_error_message="A quote needs its words.",
            ),
            models.CheckConstraint(
                condition=Q(speaker__isnull=False) | ~Q(speaker_label=""),
                name="quote_has_speaker",
                violation_error_message="Name the speaker or describe them in the label.",
            ),
            models.CheckConstraint(
                condition=~Q(original_language="") | (Q(original_text="") & Q(translated_by="")),
                name="quote_translation_names_language",
                violation_error_message=(
                    "Give the original language of a translation before its original "
                    "words or its translator."
                ),
            ),
            models.UniqueConstraint(
                fields=["source", "text"],
                name="quote_unique_per_source",
                violation_error_message="This quote is already recorded for this source.",
            ),
        ]

    def __str__(self):
        words = self.text if len(self.text) <= 80 else f"{self.text[:79]}…"
        return f"{quoted(words)} — {self.speaker_name}"

    def save(self, *args, **kwargs):
        self.is_verified = occurs_in(self.text, self.source.text)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "is_verified"}
        super().save(*args, **kwargs)

    @property
    def speaker_name(self) -> str:
        return self.speaker.name if self.speaker_id else self.speaker_label

    @property
    def said_on_display(self) -> str:
        if self.said_on is None:
            return "date not given"
        return self.said_on.strftime(
            {"day": "%-d %B %Y", "month": "%B %Y", "year": "%Y"}[self.said_on_precision]
        )

    @property
    def translation_note(self) -> str:
        """ "translated from Polish by Reuters", or "" for words as said."""
        if not self.original_language:
            return ""
        note = f"translated from {language_name(self.original_language)}"
        return f"{note} by {self.translated_by}" if self.translated_by else note

    def clean(self):
        self.text = self.text.strip()
        errors = {}
        if self.said_on is not None:
            # An imprecise date is stored as the first day of its month or year.
            if self.said_on_precision == self.Precision.MONTH:
                self.said_on = self.said_on.replace(day=1)
            elif self.said_on_precision == self.Precision.YEAR:
                self.said_on = dt.date(self.said_on.year, 1, 1)
        if self.source_id:
            source = self.source
            stored = self.language or source.language
            if self.original_language and self.original_language == stored:
                errors["original_language"] = (
                    f"The words are stored in {language_name(stored)}: a translation "
                    "comes from another language."
                )
            if self.said_on and source.published_on and self.said_on > source.published_on:
                errors["said_on"] = (
                    f"Words cannot be said after the source was published "
                    f"({source.published_on:%Y-%m-%d})."
                )
            if self.said_on is None and source.published_on is None:
                # A position's date comes from one or the other.
                errors["said_on"] = (
                    "The source has no publication date, so give the date the words "
                    "were said (with its precision: day, month or year)."
                )
            if self.text and source.text and not occurs_in(self.text, source.text):
                errors["text"] = (
                    "These words do not occur in the source's stored text. "
                    "Copy them exactly as published."
                )
        if errors:
            raise ValidationError(errors)


class QuoteTally(models.Model):
    """How many quotes the record holds, and how many of them anonymous
    readers may see: the counts of the API's unfiltered quote list, where
    counting a million quotes took 60-100 ms. One row, kept by
    ``positions.visibility`` on every write as ``Quote.is_public`` is, and
    recounted after a bulk load; never edited."""

    quotes = models.PositiveBigIntegerField(default=0)
    public = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.quotes} quotes, {self.public} public"
