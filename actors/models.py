from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Upper
from django.db.models.lookups import Exact
from simple_history.models import HistoricalRecords

from config.validation import validate_date_in_range

from .querysets import ActorQuerySet, RoleQuerySet


class Actor(models.Model):
    class Kind(models.TextChoices):
        STATE = "state", "State"
        ORGANISATION = "organisation", "Organisation or bloc"
        OFFICIAL = "official", "Official"
        EXPERT = "expert", "Commentator or expert"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    iso_code = models.CharField(
        "ISO 3166-1 alpha-2 code",
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use two capital letters, e.g. GB.")],
        help_text="States only, e.g. GB, FR, RU.",
    )
    wikidata_id = models.CharField(
        "Wikidata QID",
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata QID looks like Q145.")],
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        # The matrix's rows and groups, and the actor list, read one kind or
        # two by name: officials are most actors at scale.
        indexes = [models.Index(fields=["kind", "name"], name="actor_kind_name")]
        constraints = [
            models.UniqueConstraint(
                fields=["iso_code"],
                condition=~Q(iso_code=""),
                name="actor_iso_code_unique",
                violation_error_message="Another actor already has this ISO code.",
            ),
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~Q(wikidata_id=""),
                name="actor_wikidata_id_unique",
                violation_error_message="Another actor already has this Wikidata QID.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="state")
                    & Q(Exact(Length("iso_code"), 2))
                    & Q(iso_code=Upper("iso_code"))
                )
                | (~Q(kind="state") & Q(iso_code="")),
                name="actor_iso_code_only_for_states",
                violation_error_message=(
                    "A state needs its two-letter ISO code; other kinds of actor have none."
                ),
            ),
            models.CheckConstraint(condition=~Q(name=""), name="actor_name_not_empty"),
        ]

    def __str__(self):
        return f"{self.name} ({self.iso_code})" if self.iso_code else self.name

    @property
    def is_state(self) -> bool:
        return self.kind == self.Kind.STATE


class ActorAlias(models.Model):
    """Another name for an actor, used by search and to match names in text."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=8, blank=True, help_text="BCP 47 tag, e.g. ru.")
    # The version the admin's edit check compares (config.concurrency).
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "actor aliases"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "name"],
                name="alias_unique_per_actor",
                violation_error_message="This actor already has this alias.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="alias_name_not_empty"),
        ]

    def __str__(self):
        return self.name


class Role(models.Model):
    """An office held in, or a membership of, a state or organisation over a
    date range (Popolo's Membership)."""

    class Kind(models.TextChoices):
        OFFICE = "office", "Holds an office in"
        MEMBERSHIP = "membership", "Is a member of"

    class Rank(models.IntegerChoices):
        # Lower is higher: on the same date the higher-ranked office wins.
        HEAD = 1, "Head of state or government"
        MINISTER = 2, "Foreign or defence minister"
        SPOKESPERSON = 3, "Government spokesperson"
        OFFICIAL = 4, "Other official"

    holder = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="roles")
    organisation = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="member_roles",
        help_text="The state or organisation the office is in, or the bloc joined.",
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.OFFICE)
    title = models.CharField(
        max_length=200, blank=True, help_text="The office, e.g. Prime Minister."
    )
    speaks_for_rank = models.PositiveSmallIntegerField(
        "speaks for the organisation as",
        choices=Rank,
        null=True,
        blank=True,
        help_text="Leave empty when the office holder's words are not the state's stance.",
    )
    start_date = models.DateField(
        null=True, blank=True, help_text="Empty if unknown.", validators=[validate_date_in_range]
    )
    end_date = models.DateField(
        null=True,
        blank=True,
        help_text="Empty while still held.",
        validators=[validate_date_in_range],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = RoleQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "speaks_for_rank", "-start_date"]
        indexes = [models.Index(fields=["organisation", "kind", "start_date", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="role_ends_after_it_starts",
                violation_error_message="A role cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=~Q(holder=models.F("organisation")),
                name="role_holder_is_not_organisation",
                violation_error_message="An actor cannot hold a role in itself.",
            ),
            models.CheckConstraint(
                condition=(Q(kind="office") & ~Q(title=""))
                | (Q(kind="membership") & Q(speaks_for_rank__isnull=True)),
                name="role_office_has_title_membership_has_no_rank",
                violation_error_message=(
                    "An office needs a title; a membership cannot speak for the organisation."
                ),
            ),
            models.UniqueConstraint(
                fields=["holder", "organisation", "kind", "title", "start_date"],
                name="role_unique",
                violation_error_message="This role is already recorded.",
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.MEMBERSHIP:
            label = f"{self.holder.name}, member of {self.organisation.name}"
        else:
            label = f"{self.holder.name}, {self.title} of {self.organisation.name}"
        return f"{label} ({self.period})"

    def is_held_on(self, on) -> bool:
        """In memory, the same date test as ``Role.objects.current(on=...)``."""
        return (self.start_date is None or self.start_date <= on) and (
            self.end_date is None or self.end_date >= on
        )

    @property
    def period(self) -> str:
        start = self.start_date.isoformat() if self.start_date else "…"
        end = self.end_date.isoformat() if self.end_date else "present"
        return f"{start} – {end}"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        holder = self.holder if self.holder_id else None
        organisation = self.organisation if self.organisation_id else None
        if self.kind == self.Kind.OFFICE:
            if holder and holder.kind not in (Actor.Kind.OFFICIAL, Actor.Kind.EXPERT):
                errors["holder"] = "Offices are held by people (officials or experts)."
            if organisation and organisation.kind not in (
                Actor.Kind.STATE,
                Actor.Kind.ORGANISATION,
            ):
                errors["organisation"] = "Offices are held in a state or an organisation."
        if self.kind == self.Kind.MEMBERSHIP:
            if holder and holder.kind not in (Actor.Kind.STATE, Actor.Kind.ORGANISATION):
                errors["holder"] = "Only states and organisations are members of a bloc."
            if organisation and organisation.kind != Actor.Kind.ORGANISATION:
                errors["organisation"] = "A membership is of an organisation or bloc."
        if errors:
            raise ValidationError(errors)
