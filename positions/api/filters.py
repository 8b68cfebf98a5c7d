"""The position list's filters: by actor, country (officials' words
included), group, topic, stance, condition, attribution, status and dates."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django_filters import rest_framework as filters

from actors.models import Actor, Role
from config.api import IdFilter

from ..models import (
    Attribution,
    Position,
    Stance,
    Status,
)
from ..search import positions_matching


class PositionFilter(filters.FilterSet):
    actor = filters.CharFilter(field_name="actor__slug", help_text="The actor's slug.")
    country = filters.CharFilter(
        method="filter_country",
        help_text="ISO code of a state: its own positions and those of officials whose "
        "office spoke for it on the position's date.",
    )
    actor_kind = filters.ChoiceFilter(field_name="actor__kind", choices=Actor.Kind.choices)
    group = filters.CharFilter(
        method="filter_group",
        help_text="A bloc's slug: positions of the bloc and of its members on the "
        "position's date, and of officials speaking for them.",
    )
    topic = filters.CharFilter(field_name="topic__slug", help_text="The topic's slug.")
    source = IdFilter(field_name="quote__source", help_text="The id of the quote's source.")
    stance = filters.ChoiceFilter(choices=Stance.choices)
    condition = filters.CharFilter(
        field_name="conditions__slug", distinct=True, help_text="A condition's slug."
    )
    attribution = filters.ChoiceFilter(choices=Attribution.choices)
    status = filters.ChoiceFilter(
        choices=Status.choices, help_text="Only users who may view drafts see other statuses."
    )
    as_of_after = filters.DateFilter(field_name="as_of", lookup_expr="gte")
    as_of_before = filters.DateFilter(field_name="as_of", lookup_expr="lte")
    said_after = filters.DateFilter(field_name="quote__said_on", lookup_expr="gte")
    said_before = filters.DateFilter(field_name="quote__said_on", lookup_expr="lte")
    published_after = filters.DateFilter(
        field_name="quote__source__published_on", lookup_expr="gte"
    )
    published_before = filters.DateFilter(
        field_name="quote__source__published_on", lookup_expr="lte"
    )
    q = filters.CharFilter(
        method="filter_q",
        help_text="Words all in the quote, or all in the summary (full-text search on "
        "PostgreSQL: stemmed, websearch syntax). The list keeps its order.",
    )

    class Meta:
        model = Position
        fields = []

    def filter_country(self, queryset, name, value):
        offices = (
            Role.objects.speaking_for()
            .current(on=OuterRef("as_of"))
            .filter(holder=OuterRef("actor"), organisation__iso_code=value.upper())
        )
        return queryset.filter(Q(actor__iso_code=value.upper()) | Exists(offices))

    def filter_group(self, queryset, name, value):
        member_on_the_date = (
            Role.objects.memberships()
            .current(on=OuterRef("as_of"))
            .filter(organisation__slug=value, holder=OuterRef("actor"))
        )
        speaking_for_a_member = (
            Role.objects.speaking_for()
            .current(on=OuterRef("as_of"))
            .filter(
                holder=OuterRef("actor"),
                organisation__member_roles__kind=Role.Kind.MEMBERSHIP,
                organisation__member_roles__organisation__slug=value,
            )
        )
        return queryset.filter(
            Q(actor__slug=value) | Exists(member_on_the_date) | Exists(speaking_for_a_member)
        )

    def filter_q(self, queryset, name, value):
        return positions_matching(queryset, value)
