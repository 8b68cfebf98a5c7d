"""Actors and their roles, read-only: editors change them in the admin."""

from django.db.models import Prefetch, Q
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from .models import Actor, Role


class RoleSerializer(serializers.ModelSerializer):
    holder = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    speaks_for_rank = serializers.ChoiceField(
        choices=Role.Rank.choices,
        allow_null=True,
        read_only=True,
        help_text="1 head, 2 minister, 3 spokesperson, 4 other official; null: the "
        "holder's words are not the organisation's stance.",
    )

    class Meta:
        model = Role
        fields = [
            "id",
            "holder",
            "organisation",
            "kind",
            "title",
            "speaks_for_rank",
            "start_date",
            "end_date",
        ]


class CurrentRoleSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Role
        fields = ["organisation", "title", "speaks_for_rank", "start_date", "end_date"]


class ActorSerializer(serializers.ModelSerializer):
    aliases = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    current_roles = CurrentRoleSerializer(
        many=True, read_only=True, help_text="Offices held today."
    )
    current_memberships = serializers.SerializerMethodField(
        help_text="Slugs of the blocs the actor is a member of today."
    )

    class Meta:
        model = Actor
        fields = [
            "slug",
            "name",
            "kind",
            "iso_code",
            "wikidata_id",
            "description",
            "aliases",
            "current_roles",
            "current_memberships",
        ]

    def get_current_memberships(self, actor) -> list[str]:
        return [role.organisation.slug for role in actor.current_membership_roles]


def with_current_roles(actors, *, on=None):
    """Actors with today's offices and memberships prefetched: three queries in all."""
    current = Role.objects.current(on=on or timezone.localdate()).select_related("organisation")
    return actors.prefetch_related(
        "aliases",
        Prefetch("roles", current.offices(), to_attr="current_roles"),
        Prefetch("roles", current.memberships(), to_attr="current_membership_roles"),
    )


class ActorFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Actor.Kind.choices)
    group = filters.CharFilter(
        method="filter_group", help_text="Members today of this bloc (its slug)."
    )
    q = filters.CharFilter(method="filter_q", help_text="Part of a name or an alias.")

    class Meta:
        model = Actor
        fields = ["kind", "group", "q"]

    def filter_group(self, queryset, name, value):
        members = (
            Role.objects.memberships()
            .current(on=timezone.localdate())
            .filter(organisation__slug=value)
        )
        return queryset.filter(pk__in=members.values("holder_id"))

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(aliases__name__icontains=value)
        ).distinct()


@extend_schema_view(
    list=extend_schema(summary="States, organisations, officials and experts"),
    retrieve=extend_schema(summary="One actor, with its offices and memberships today"),
)
class ActorViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    serializer_class = ActorSerializer
    filterset_class = ActorFilter
    lookup_field = "slug"

    def get_queryset(self):
        return with_current_roles(Actor.objects.order_by("name", "pk"))


class RoleFilter(filters.FilterSet):
    holder = filters.CharFilter(field_name="holder__slug", help_text="The holder's slug.")
    organisation = filters.CharFilter(
        field_name="organisation__slug", help_text="The state's or bloc's slug."
    )
    kind = filters.ChoiceFilter(choices=Role.Kind.choices)
    held_on = filters.DateFilter(method="filter_held_on", help_text="Held on this date.")

    class Meta:
        model = Role
        fields = ["holder", "organisation", "kind", "held_on"]

    def filter_held_on(self, queryset, name, value):
        return queryset.current(on=value)


@extend_schema_view(
    list=extend_schema(summary="Offices and memberships over time"),
    retrieve=extend_schema(summary="One office or membership"),
)
class RoleViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]+"
    serializer_class = RoleSerializer
    filterset_class = RoleFilter
    queryset = Role.objects.select_related("holder", "organisation").order_by(
        "organisation__name", "start_date", "pk"
    )
