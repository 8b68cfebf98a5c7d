from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actors.models import Actor, Role
from config.validation import validate_date_in_range
from sources.models import Quote

from .choices import ANSWER_VERBS, STANCE_ORDER, Attribution, Response, Stance, Status
from .dating import stance_date
from .latest import CellLatest  # noqa: F401  (registered with the app's models)
from .querysets import PositionQuerySet


class Topic(models.Model):
    """One question about troop deployment; a column of the stance matrix."""

    short_name = models.CharField(max_length=80, unique=True, help_text="Column heading.")
    slug = models.SlugField(max_length=80, unique=True)
    question = models.CharField(max_length=300, help_text="The question actors take sides on.")
    description = models.TextField(blank=True)
    supports_means = models.CharField(
        "“supports” means",
        max_length=300,
        blank=True,
        help_text="What a supporting stance says on this topic, for the method page.",
    )
    opposes_means = models.CharField(
        "“opposes” means",
        max_length=300,
        blank=True,
        help_text="What an opposing stance says on this topic.",
    )
    sort_order = models.PositiveSmallIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "short_name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(short_name="") & ~Q(question=""),
                name="topic_has_name_and_question",
                violation_error_message="A topic needs a short name and its question.",
            ),
        ]

    def __str__(self):
        return self.short_name


class TopicWording(models.Model):
    """A variant wording the topic covers ("peacekeepers", "boots on the ground")."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="wordings")
    text = models.CharField(max_length=200)
    # The version the admin's edit check compares (config.concurrency).
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["text"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "text"],
                name="wording_unique_per_topic",
                violation_error_message="The topic already lists this wording.",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="wording_not_empty"),
        ]

    def __str__(self):
        return self.text


class Condition(models.Model):
    """A reusable precondition that positions name, e.g. "a US backstop"."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    keywords = models.TextField(
        blank=True,
        help_text="Phrases that name this condition in a statement, one per line "
        "(e.g. “air power”): the desk's assistant proposes the condition where one occurs.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="condition_name_not_empty"),
        ]

    def __str__(self):
        return self.name


class PositionCondition(models.Model):
    """A condition named by a position; PROTECT keeps conditions in use from vanishing."""

    position = models.ForeignKey("Position", on_delete=models.CASCADE)
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["position", "condition"], name="position_condition_unique"
            ),
        ]

    def __str__(self):
        return str(self.condition)


class Position(models.Model):
    """An actor's stance on a topic as of a date, on the evidence of one quote."""

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="positions")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="positions")
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="positions")
    stance = models.CharField(max_length=20, choices=Stance)
    conditions = models.ManyToManyField(
        Condition, through=PositionCondition, blank=True, related_name="positions"
    )
    summary = models.CharField(
        max_length=500, blank=True, help_text="The editor's one-line reading of the quote."
    )
    attribution = models.CharField(max_length=20, choices=Attribution, default=Attribution.OWN)
    claimant = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        help_text="Who claims this is the actor's position (third-party claims only).",
    )
    responds_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        help_text="The statement these words answer: a claim denied, a report corrected.",
    )
    response_kind = models.CharField(
        max_length=20,
        choices=Response,
        blank=True,
        help_text="How it answers: denial, correction, confirmation or clarification.",
    )
    as_of = models.DateField(
        "stance as of",
        help_text="When the stance was expressed: the quote's date, or the report's.",
        validators=[validate_date_in_range],
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    correction_note = models.TextField(
        blank=True, help_text="Public note explaining a retraction or correction."
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who entered the position: the editor whose draft queue it is in.",
    )
    review_note = models.TextField(
        blank=True,
        help_text="A senior editor's note returning the draft to its editor; "
        "cleared when the editor changes the draft.",
    )
    created_at = models.DateTimeField("entered", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[conditions])
    objects = PositionQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of", "actor__name"]
        permissions = [("publish_position", "Can publish and retract positions")]
        indexes = [
            models.Index(fields=["topic", "status", "as_of"]),
            models.Index(fields=["actor", "topic", "status", "as_of"]),
            # The feed: the most recently changed first.
            models.Index(fields=["-updated_at", "-id"], name="position_updated"),
            # The review queue: drafts, oldest first.
            models.Index(
                fields=["created_at"], condition=Q(status="draft"), name="position_drafts"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stance__in=Stance.values),
                name="position_stance_valid",
                violation_error_message="Unknown stance.",
            ),
            models.CheckConstraint(
                condition=Q(attribution__in=Attribution.values),
                name="position_attribution_valid",
                violation_error_message="Unknown attribution.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="position_status_valid",
                violation_error_message="Unknown status.",
            ),
            models.CheckConstraint(
                condition=(Q(attribution=Attribution.CLAIM) & Q(claimant__isnull=False))
                | (~Q(attribution=Attribution.CLAIM) & Q(claimant__isnull=True)),
                name="position_claim_names_claimant",
                violation_error_message=(
                    "A third-party claim names its claimant; other attributions have none."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(claimant=models.F("actor")),
                name="position_claimant_is_not_actor",
                violation_error_message="An actor cannot be a third party to its own position.",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.RETRACTED) | ~Q(correction_note=""),
                name="position_retraction_has_note",
                violation_error_message="A retraction needs a public correction note.",
            ),
            models.CheckConstraint(
                condition=(Q(responds_to__isnull=True) & Q(response_kind=""))
                | (Q(responds_to__isnull=False) & Q(response_kind__in=Response.values)),
                name="position_response_has_kind",
                violation_error_message=(
                    "An answer names the statement it answers and how: denial, correction, "
                    "confirmation or clarification."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(responds_to=models.F("id")),
                name="position_does_not_answer_itself",
                violation_error_message="A statement cannot answer itself.",
            ),
            models.UniqueConstraint(
                fields=["actor", "topic", "quote"],
                name="position_unique_per_quote",
                violation_error_message=(
                    "This quote already gives this actor's position on this topic."
                ),
            ),
        ]

    def __str__(self):
        stance = self.get_stance_display()
        return f"{self.actor.name} on {self.topic.short_name}: {stance} ({self.as_of:%Y-%m-%d})"

    def clean(self):
        errors = {}
        # The quote may be new, not saved yet, when a form checks it with its position.
        quote = self._state.fields_cache.get("quote") or (self.quote if self.quote_id else None)
        if not (quote and self.actor_id and self.as_of):
            return
        if quote.said_on and self.as_of < quote.said_on:
            errors["as_of"] = f"The stance cannot predate the words ({quote.said_on:%Y-%m-%d})."
        if quote.source.published_on and self.as_of > quote.source.published_on:
            errors["as_of"] = (
                f"The stance cannot postdate its source ({quote.source.published_on:%Y-%m-%d})."
            )
        speaker = quote.speaker
        if self.attribution == Attribution.OWN and speaker and speaker != self.actor:
            errors["attribution"] = (
                f"These are {speaker.name}'s words, not {self.actor.name}'s: choose "
                "“official speaking for the actor”, “claim by a third party” or “outlet's report”."
            )
        if self.attribution == Attribution.SPEAKING_FOR:
            if self.actor.kind not in (Actor.Kind.STATE, Actor.Kind.ORGANISATION):
                errors["attribution"] = "Officials speak for states and organisations only."
            elif speaker and not (
                Role.objects.speaking_for()
                .current(on=self.as_of)
                .filter(holder=speaker, organisation=self.actor)
                .exists()
            ):
                errors["attribution"] = (
                    f"On {self.as_of:%Y-%m-%d} {speaker.name} held no office that speaks "
                    f"for {self.actor.name}. Record the role first, or choose another attribution."
                )
        answered = self.responds_to if self.responds_to_id else None
        if answered is not None and answered.as_of > self.as_of:
            errors["responds_to"] = (
                f"Words of {self.as_of:%Y-%m-%d} cannot answer a statement of "
                f"{answered.as_of:%Y-%m-%d}."
            )
        if (
            self.attribution == Attribution.CLAIM
            and self.claimant_id
            and speaker
            and speaker != self.claimant
        ):
            errors["claimant"] = f"The quote's speaker, {speaker.name}, is the claimant."
        if errors:
            raise ValidationError(errors)

    @property
    def stance_order(self) -> int:
        return STANCE_ORDER[self.stance]

    @property
    def answer_display(self) -> str:
        """ "Denies Donald Trump's words (24 February 2025)", for an answer."""
        if not self.responds_to_id:
            return ""
        answered = self.responds_to
        verb = ANSWER_VERBS[self.response_kind][0].capitalize()
        return f"{verb} {answered.quote.speaker_name}'s words ({answered.as_of_display})"

    @property
    def as_of_display(self) -> str:
        """The stance's date as precise as its words ("July 2024")."""
        quote = self.quote
        return stance_date(self.as_of, quote.said_on, quote.said_on_precision, full=True)


class Revision(models.Model):
    """An editor's change to a published (or retracted) position, held until a
    senior editor publishes it or returns it with a note: the public record
    changes only then. ``changes`` maps each changed column (``actor_id``,
    ``stance`` …) to its value before and after, as JSON, so a reviewer sees
    the difference and the service can tell whether the position moved in
    between; ``conditions`` holds the condition ids before and after, when
    the change names other conditions."""

    class State(models.TextChoices):
        PENDING = "pending", "Awaiting review"
        PUBLISHED = "published", "Published"
        RETURNED = "returned", "Returned to the editor"

    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="revisions")
    changes = models.JSONField(default=dict, blank=True)
    conditions = models.JSONField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=20, choices=State, default=State.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(
        blank=True, help_text="For the editor: why it was returned, or what was adjusted."
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["state", "proposed_at"], name="revision_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "published", "returned"]),
                name="revision_state_valid",
                violation_error_message="Unknown revision state.",
            ),
            models.CheckConstraint(
                condition=Q(state="pending", reviewed_by__isnull=True, reviewed_at__isnull=True)
                | (~Q(state="pending") & Q(reviewed_by__isnull=False, reviewed_at__isnull=False)),
                name="revision_reviewed_when_decided",
                violation_error_message="A decided revision names its reviewer and date.",
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(review_note=""),
                name="revision_return_has_note",
                violation_error_message="Say why the revision goes back to its editor.",
            ),
        ]

    def __str__(self):
        return f"revision {self.pk} of position {self.position_id} ({self.get_state_display()})"


class CellStatement(models.Model):
    """A published position as it counts in one matrix cell: the state's or
    organisation's own words, or an official's through the office that spoke
    for it on that date, with the rank it counts at.

    Derived by ``positions.cells``, in step with every write; never edited.
    "The latest statements up to D in each cell" is a few index probes per
    cell, not a scan of the record (each cell's latest: ``CellLatest``)."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    rank = models.PositiveSmallIntegerField(help_text="Lower wins; see positions.rule.")
    # The position's, so that a cell's stance is read from the index alone.
    stance = models.CharField(max_length=16, choices=Stance.choices)
    is_claim = models.BooleanField()
    claimant = models.ForeignKey(
        Actor, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    role = models.ForeignKey(
        Role,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The office through which an official's words count.",
    )
    # The position's too: with it, the rule replays a cell's history from this
    # table alone (which claim its own words answer), without reading the
    # position of every statement a timeline draws.
    responds_to = models.ForeignKey(
        Position, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        indexes = [
            # In rule.WINNER_ORDER: a cell's winner is its first entry.
            models.Index(
                fields=["subject", "topic", "is_claim", "-as_of", "rank", "-position", "stance"],
                name="cellstatement_cell_order",
            ),
            models.Index(fields=["subject", "as_of"], name="cellstatement_subject"),
            models.Index(fields=["topic", "as_of"], name="cellstatement_topic"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["position", "subject"], name="cellstatement_once_per_cell"
            ),
            models.CheckConstraint(
                condition=Q(is_claim=True, claimant__isnull=False)
                | Q(is_claim=False, claimant__isnull=True),
                name="cellstatement_claim_names_claimant",
            ),
        ]

    def __str__(self):
        return f"position {self.position_id} in cell ({self.subject_id}, {self.topic_id})"


class RecordVersion(models.Model):
    """One row whose number moves on every write to the record, in the same
    transaction: cached renderings are keyed on it (``positions.cache``), so
    every process, whatever its cache, sees an edit the moment it commits."""

    number = models.PositiveBigIntegerField(default=1)
    # When the number last moved: the pages' and the API's Last-Modified.
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"record version {self.number}"
