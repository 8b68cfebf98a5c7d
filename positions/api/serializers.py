"""How topics, conditions, positions and revisions read and are written in
the API: the briefs nested in every answer, the read and write shapes of a
position, and the revision an editor's change becomes."""

from __future__ import annotations

from django.db import IntegrityError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from actors.models import Actor
from actors.names import unique_slug
from config.api import violated_constraint
from config.concurrency import (
    PreconditionFailed,
    PreconditionRequired,
    Seen,
    Stale,
    VersionRequired,
)
from config.serializers import (
    CharField,
    CleanModelSerializer,
    DateField,
    PrimaryKeyRelatedField,
    SlugField,
    SlugRelatedField,
    StrictModelSerializer,
    StrictSerializer,
    URLField,
)
from sources.models import Quote, Source

from .. import services
from ..cells import Counted, counted_in
from ..models import (
    Attribution,
    Condition,
    Position,
    Revision,
    Topic,
)

# ------------------------------------------------------------------ briefs


class ActorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "iso_code"]


class TopicBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "short_name", "question"]


class SourceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "publisher", "title", "url", "published_on"]


class QuoteNestedSerializer(serializers.ModelSerializer):
    speaker = ActorBriefSerializer(allow_null=True)
    source = SourceBriefSerializer()
    is_verified = serializers.BooleanField(
        help_text="The source's stored text contains these words."
    )

    class Meta:
        model = Quote
        fields = [
            "id",
            "text",
            "speaker",
            "speaker_label",
            "said_on",
            "said_on_precision",
            "language",
            "original_language",
            "original_text",
            "translated_by",
            "is_verified",
            "source",
        ]


# ------------------------------------------------------------ topics, conditions


class TopicSerializer(serializers.ModelSerializer):
    wordings = serializers.SlugRelatedField(slug_field="text", many=True, read_only=True)

    class Meta:
        model = Topic
        fields = ["slug", "short_name", "question", "description", "sort_order", "wordings"]


class ConditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Condition
        fields = ["slug", "name", "description"]


class ConditionWriteSerializer(CleanModelSerializer):
    slug = SlugField(
        max_length=200,
        required=False,
        help_text="Made from the name when left out: ASCII, unique.",
    )

    class Meta(CleanModelSerializer.Meta):
        model = Condition
        fields = ["slug", "name", "description"]

    def validate(self, attrs):
        if self.instance is None and not attrs.get("slug") and attrs.get("name"):
            attrs["slug"] = unique_slug(attrs["name"], Condition)
        return super().validate(attrs)


# ------------------------------------------------------------------ positions


class CountedSerializer(serializers.Serializer):
    """A cell of the matrix a position counts in."""

    actor = serializers.CharField(help_text="Slug of the row: a state or an organisation.")
    topic = serializers.CharField(help_text="Slug of the column.")
    why = serializers.ChoiceField(
        choices=[
            ("own", "The actor's own words"),
            ("office", "An official's words, through an office held on the date"),
            ("claim", "A third party's claim, shown beside the stance"),
            ("report", "An outlet's report of the actor's stance"),
        ]
    )
    office = serializers.CharField(
        allow_null=True, help_text="The office through which an official's words count."
    )


def counted_data(attribution: str, counted: list[Counted]) -> list[dict]:
    """Why a position of this attribution counts in each of its cells."""

    def why(cell: Counted) -> str:
        if cell.is_claim:
            return "claim"
        if cell.office:
            return "office"
        return "report" if attribution == Attribution.REPORT else "own"

    return [
        {"actor": c.actor, "topic": c.topic, "why": why(c), "office": c.office} for c in counted
    ]


class _CountedList(serializers.ListSerializer):
    """Reads where every position of a page counts in one query."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        self._context["counted"] = counted_in(p.pk for p in items)
        return super().to_representation(items)


class PositionSerializer(serializers.ModelSerializer):
    """A position with everything needed to cite it: quote, speaker, source."""

    actor = ActorBriefSerializer()
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    claimant = ActorBriefSerializer(allow_null=True)
    conditions = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    quote = QuoteNestedSerializer()
    counts_for = serializers.SerializerMethodField(
        help_text="The cells (row, column) in which this position counts on its date, and "
        "why; a draft's where it would count once published. Empty: it counts nowhere "
        "(an official's own words with no office recorded on that date, say)."
    )

    class Meta:
        model = Position
        list_serializer_class = _CountedList
        fields = [
            "id",
            "actor",
            "topic",
            "stance",
            "attribution",
            "claimant",
            "responds_to",
            "response_kind",
            "as_of",
            "status",
            "summary",
            "conditions",
            "correction_note",
            "quote",
            "counts_for",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(CountedSerializer(many=True))
    def get_counts_for(self, position) -> list[dict]:
        counted = self.context.get("counted")
        if counted is None or position.pk not in counted:
            counted = counted_in([position.pk])
        return counted_data(position.attribution, counted[position.pk])


class WrittenPositionSerializer(PositionSerializer):
    """The answer to a write: the position, and what the editor should know."""

    warnings = serializers.SerializerMethodField(
        help_text="What the write did not refuse but the editor should know, e.g. that "
        "the position counts in no cell of the matrix."
    )

    class Meta(PositionSerializer.Meta):
        fields = [*PositionSerializer.Meta.fields, "warnings"]

    def get_warnings(self, position) -> list[str]:
        if self.get_counts_for(position):
            return []
        actor = position.actor
        if actor.kind in (Actor.Kind.OFFICIAL, Actor.Kind.EXPERT):
            return [
                f"This position counts in no cell of the matrix: {actor.name} is not a state "
                f"or organisation, and held no office speaking for one on "
                f"{position.as_of:%Y-%m-%d}. Record the office (POST /api/v1/roles/) if they "
                "held one; the position then counts."
            ]
        return ["This position counts in no cell of the matrix."]


class NewSourceSerializer(StrictSerializer):
    publisher = CharField(max_length=200)
    title = CharField(max_length=500)
    url = URLField(max_length=2000, required=False, allow_blank=True)
    published_on = DateField(
        required=False,
        allow_null=True,
        help_text="Leave out when the page gives no date; the quote then needs `said_on`.",
    )
    author = CharField(max_length=300, required=False, allow_blank=True)
    accessed_on = DateField(required=False, allow_null=True)
    archive_url = URLField(max_length=2000, required=False, allow_blank=True)
    language = CharField(max_length=8, required=False, default="en")
    text = CharField(required=False, allow_blank=True)
    editor_note = CharField(required=False, allow_blank=True)


class NewQuoteSerializer(StrictSerializer):
    source = PrimaryKeyRelatedField(
        queryset=Source.objects.all(), required=False, help_text="An existing source's id."
    )
    new_source = NewSourceSerializer(required=False, help_text="Or a source to record.")
    text = CharField(help_text="The exact words, as in the source.")
    speaker = SlugRelatedField(
        slug_field="slug", queryset=Actor.objects.all(), required=False, allow_null=True
    )
    speaker_label = CharField(max_length=300, required=False, allow_blank=True)
    said_on = DateField(required=False, allow_null=True)
    said_on_precision = serializers.ChoiceField(choices=Quote.Precision.choices, required=False)
    language = CharField(
        max_length=8,
        required=False,
        allow_blank=True,
        help_text="The words' language as stored, when not the source's.",
    )
    original_language = CharField(
        max_length=8,
        required=False,
        allow_blank=True,
        help_text="When the stored words are a translation: the language they were said in.",
    )
    original_text = CharField(required=False, allow_blank=True)
    translated_by = CharField(max_length=200, required=False, allow_blank=True)


class PositionWriteSerializer(StrictModelSerializer):
    actor = SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())
    topic = SlugRelatedField(slug_field="slug", queryset=Topic.objects.all())
    claimant = SlugRelatedField(
        slug_field="slug", queryset=Actor.objects.all(), required=False, allow_null=True
    )
    conditions = serializers.ListField(
        child=SlugRelatedField(slug_field="slug", queryset=Condition.objects.all()),
        required=False,
        help_text="Slugs of the conditions the actor names.",
    )
    responds_to = PrimaryKeyRelatedField(
        queryset=Position.objects.all(),
        required=False,
        allow_null=True,
        help_text="The id of the statement these words answer (a claim denied, a report "
        "corrected); give response_kind with it.",
    )
    quote = PrimaryKeyRelatedField(
        queryset=Quote.objects.select_related("source"),
        required=False,
        help_text="An existing quote's id; or give new_quote.",
    )
    new_quote = NewQuoteSerializer(
        required=False, write_only=True, help_text="A quote to record with the position."
    )
    as_of = DateField(required=False, help_text="Defaults to the quote's date, else its source's.")

    class Meta:
        model = Position
        fields = [
            "actor",
            "topic",
            "stance",
            "attribution",
            "claimant",
            "as_of",
            "status",
            "summary",
            "conditions",
            "correction_note",
            "responds_to",
            "response_kind",
            "quote",
            "new_quote",
        ]
        validators = []  # the model validates, through the service

    def create(self, validated_data):
        try:
            return services.record_position(user=self.context["request"].user, **validated_data)
        except IntegrityError as error:
            # A new source's URL recorded by another writer since validation:
            # answered where validation would have put it.
            found = violated_constraint(error)
            if found is None or found[0] is not Source:
                raise
            _, field, message = found
            raise serializers.ValidationError(
                {"new_quote": {"new_source": {field: [message]}}}
            ) from error
        except services.InvalidInput as error:
            raise serializers.ValidationError(error.errors) from error
        except services.Refused as error:
            raise refusal(error) from error

    def update(self, instance, validated_data):
        """Through the write service, on the live row; ``self.outcome`` says
        whether the change was applied or awaits review."""
        if "new_quote" in validated_data:
            raise serializers.ValidationError(
                {"new_quote": ["A new quote can only be given when creating a position."]}
            )
        request = self.context["request"]
        conditions = validated_data.pop("conditions", None)
        try:
            self.outcome = services.change_position(
                position_id=instance.pk,
                user=request.user,
                values=validated_data,
                conditions=conditions,
                seen=Seen.from_request(request),
            )
        except services.InvalidInput as error:
            raise serializers.ValidationError(error.errors) from error
        except services.Refused as error:
            raise refusal(error) from error
        except VersionRequired as error:
            raise PreconditionRequired() from error
        except Stale as error:
            raise PreconditionFailed() from error
        return self.outcome.position


def refusal(error: services.Refused) -> Exception:
    if error.forbidden:
        return PermissionDenied(error.message)
    return serializers.ValidationError({error.field or "non_field_errors": [error.message]})


class RevisionSerializer(serializers.ModelSerializer):
    """An editor's change to a published position, held for a senior editor."""

    proposed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    changes = serializers.DictField(
        child=serializers.DictField(),
        help_text="Each changed column (``actor_id``, ``stance`` …) with its value "
        'before and after: ``{"before": …, "after": …}``.',
    )
    conditions = serializers.DictField(
        allow_null=True,
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Condition ids before and after, when the change names other conditions.",
    )

    class Meta:
        model = Revision
        fields = ["id", "position", "state", "changes", "conditions", "proposed_by", "proposed_at"]
        read_only_fields = fields
