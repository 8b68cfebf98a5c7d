"""The desk's assistant for tools: ``POST /api/v1/extract/`` proposes the
statements of a text, as the desk does, and writes nothing. Tools then
write what they accept through the positions endpoint."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from config.serializers import CharField, DateField, StrictSerializer
from positions.models import Attribution, Stance
from sources.models import Quote
from sources.text import normalize_url

from .article import MAX_TEXT_CHARS
from .assistant import current_lexicon, extract
from .assistant.candidates import Mention


class MayEnterPositions(BasePermission):
    message = "The assistant is for editors: use a token with the permission to add positions."

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm("positions.add_position"))


class ExtractRequestSerializer(StrictSerializer):
    text = CharField(
        max_length=MAX_TEXT_CHARS, trim_whitespace=False, help_text="The article's plain text."
    )
    url = CharField(required=False, allow_blank=True, max_length=2000)
    title = CharField(required=False, allow_blank=True, max_length=500)
    publisher = CharField(required=False, allow_blank=True, max_length=200)
    published_on = DateField(
        required=False,
        allow_null=True,
        help_text="Relative dates in the text (“on Tuesday”, “last month”) are read from it.",
    )

    def validate_text(self, value):
        if not value.strip():
            raise serializers.ValidationError("The text is empty.")
        return value

    def validate_url(self, value):
        try:
            return normalize_url(value)
        except ValueError as error:
            raise serializers.ValidationError(f"This address does not parse ({error}).") from error


class NamedSerializer(serializers.Serializer):
    slug = serializers.CharField(allow_null=True, help_text="Null for someone the record lacks.")
    name = serializers.CharField()


class SpeakerSerializer(NamedSerializer):
    role = serializers.CharField(help_text="The office held on the date, when known.")
    country = serializers.CharField(
        allow_null=True, help_text="Slug of the state or organisation of that office."
    )


class CandidateSerializer(serializers.Serializer):
    quote = serializers.CharField(help_text="Equal to text[start:end].")
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=0)
    speaker = SpeakerSerializer(help_text="For the outlet's own sentence: the publisher, no slug.")
    actor = NamedSerializer(
        allow_null=True,
        help_text="Whose stance it is: the speaker, the state they speak for, or, for a "
        "claim, the actor the claim is about.",
    )
    said_on = DateField(allow_null=True)
    said_on_precision = serializers.ChoiceField(choices=Quote.Precision.choices, allow_null=True)
    attribution = serializers.ChoiceField(choices=Attribution.choices)
    claimant = NamedSerializer(allow_null=True)
    responds_to_claim = serializers.BooleanField()
    topic = serializers.CharField(allow_null=True, help_text="A topic's slug.")
    stance = serializers.ChoiceField(choices=Stance.choices, allow_null=True)
    conditions = serializers.ListField(child=serializers.CharField(), help_text="Condition slugs.")
    confidence = serializers.FloatField(min_value=0, max_value=1)


class SourceProposalSerializer(serializers.Serializer):
    title = serializers.CharField()
    publisher = serializers.CharField()
    published_on = DateField(allow_null=True)
    url = serializers.CharField()


class ExtractionSerializer(serializers.Serializer):
    source = SourceProposalSerializer()
    candidates = CandidateSerializer(many=True)


@extend_schema(
    operation_id="extract",
    summary="Propose the statements of an article (writes nothing)",
    request=ExtractRequestSerializer,
    responses={200: ExtractionSerializer},
    tags=["desk"],
    examples=[
        OpenApiExample(
            "A reported statement",
            request_only=True,
            value={
                "text": "But Poland, which has a large army, said it would not send troops.",
                "publisher": "RFE/RL",
                "published_on": "2025-02-25",
            },
        )
    ],
)
@api_view(["POST"])
@permission_classes([MayEnterPositions])
def extract_statements(request):
    given = ExtractRequestSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    data = given.validated_data
    lexicon = current_lexicon()
    publisher = data.get("publisher", "")
    candidates = extract(data["text"], lexicon=lexicon, published_on=data.get("published_on"))

    def named(mention: Mention | None):
        if mention is None:
            return None
        slug = lexicon.actors[mention.actor_id].slug if mention.actor_id else None
        return {"slug": slug, "name": mention.name}

    def speaker(mention: Mention | None):
        if mention is None:
            return {"slug": None, "name": publisher, "role": "", "country": None}
        country = lexicon.actors.get(mention.country_id) if mention.country_id else None
        return named(mention) | {"role": mention.role, "country": country.slug if country else None}

    return Response(
        {
            "source": {
                "title": data.get("title", ""),
                "publisher": publisher,
                "published_on": data.get("published_on"),
                "url": data.get("url", ""),
            },
            "candidates": [
                {
                    "quote": c.quote,
                    "start": c.start,
                    "end": c.end,
                    "speaker": speaker(c.speaker),
                    "actor": named(c.actor),
                    "said_on": c.said_on,
                    "said_on_precision": c.said_on_precision,
                    "attribution": c.attribution,
                    "claimant": named(c.claimant),
                    "responds_to_claim": c.responds_to_claim,
                    "topic": c.topic,
                    "stance": c.stance,
                    "conditions": c.conditions,
                    "confidence": c.confidence,
                }
                for c in candidates
            ],
        }
    )
