"""Actors and their roles: read by everyone; written by editors' tools with a
token (the same permissions as the admin), every reference by slug."""

from collections import defaultdict

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from config.api import WRITABLE
from config.concurrency import VersionedUpdates
from config.reading import PlainRows
from config.serializers import CharField, CleanModelSerializer, SlugField, SlugRelatedField

from .models import Actor, ActorAlias, Role
from .names import actors_named, unique_slug


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


ROLE_ROWS = PlainRows(CurrentRoleSerializer)
ACTOR_COLUMNS = ("id", "slug", "name", "kind", "iso_code", "wikidata_id", "description")


def actors_data(actors, *, on=None) -> list[dict]:
    """``ActorSerializer``'s answer for these actors, read as plain values:
    the actors, their aliases, today's offices and memberships, in four
    queries (the order of each list is its queryset's, as the prefetch's)."""
    rows = list(actors.values(*ACTOR_COLUMNS))
    ids = [row["id"] for row in rows]
    aliases = defaultdict(list)
    for actor_id, name in ActorAlias.objects.filter(actor_id__in=ids).values_list(
        "actor_id", "name"
    ):
        aliases[actor_id].append(name)
    current = Role.objects.current(on=on or timezone.localdate()).filter(holder_id__in=ids)
    offices = defaultdict(list)
    for row in current.offices().values("holder_id", *ROLE_ROWS.columns):
        offices[row["holder_id"]].append(row)
    memberships = defaultdict(list)
    for holder_id, slug in current.memberships().values_list("holder_id", "organisation__slug"):
        memberships[holder_id].append(slug)
    return [
        {
            **{name: row[name] for name in ACTOR_COLUMNS[1:]},
            "aliases": aliases[row["id"]],
            "current_roles": ROLE_ROWS(offices[row["id"]]),
            "current_memberships": memberships[row["id"]],
        }
        for row in rows
    ]


class ActorWriteSerializer(CleanModelSerializer):
    """An actor as a tool writes it: references by slug, the slug made from
    the name when left out, aliases as a list of names."""

    slug = SlugField(
        max_length=200,
        required=False,
        help_text="Made from the name when left out: ASCII (any script transliterated), "
        "unique (a number is added when it must be).",
    )
    aliases = serializers.ListField(
        child=CharField(max_length=200),
        required=False,
        help_text="Other names, for search and look-up; when given, replaces the list.",
    )

    class Meta(CleanModelSerializer.Meta):
        model = Actor
        fields = ["slug", "name", "kind", "iso_code", "wikidata_id", "description", "aliases"]

    def validate(self, attrs):
        self.alias_names = attrs.pop("aliases", None)
        if self.instance is None and not attrs.get("slug") and attrs.get("name"):
            attrs["slug"] = unique_slug(attrs["name"], Actor)
        attrs = super().validate(attrs)
        if self.alias_names is not None:
            duplicates = {n for n in self.alias_names if self.alias_names.count(n) > 1}
            if duplicates or any(not n.strip() for n in self.alias_names):
                raise serializers.ValidationError(
                    {"aliases": ["Give each alias once, and none empty."]}
                )
        return attrs

    @transaction.atomic
    def save(self, **kwargs):
        actor = super().save(**kwargs)
        if self.alias_names is not None:
            actor.aliases.exclude(name__in=self.alias_names).delete()
            for name in self.alias_names:
                ActorAlias.objects.get_or_create(actor=actor, name=name.strip())
        return actor

    def to_representation(self, instance):
        return ActorSerializer(with_current_roles(Actor.objects.filter(pk=instance.pk)).get()).data


class RoleWriteSerializer(CleanModelSerializer):
    """An office or a membership, its holder and organisation by slug."""

    holder = SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())
    organisation = SlugRelatedField(
        slug_field="slug",
        queryset=Actor.objects.all(),
        help_text="The state or organisation the office is in, or the bloc of a membership.",
    )

    class Meta(CleanModelSerializer.Meta):
        model = Role
        fields = RoleSerializer.Meta.fields  # written as it is read
        read_only_fields = ["id"]


class ActorFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Actor.Kind.choices)
    group = filters.CharFilter(
        method="filter_group", help_text="Members today of this bloc (its slug)."
    )
    q = filters.CharFilter(method="filter_q", help_text="Part of a name or an alias.")
    name = filters.CharFilter(
        method="filter_name",
        help_text="A name or alias, exactly, but for case, accents, punctuation and "
        "romanisation (Sergey finds Sergei, Szijjarto finds Szijjártó).",
    )
    iso = filters.CharFilter(
        field_name="iso_code", method="filter_code", help_text="A state's ISO 3166-1 code."
    )
    wikidata = filters.CharFilter(
        field_name="wikidata_id", method="filter_code", help_text="A Wikidata QID, e.g. Q212."
    )

    class Meta:
        model = Actor
        fields = ["kind", "group", "q", "name", "iso", "wikidata"]

    def filter_name(self, queryset, name, value):
        return queryset.filter(pk__in=actors_named(value))

    def filter_code(self, queryset, name, value):
        return queryset.filter(**{name: value.strip().upper()})

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
    create=extend_schema(
        summary="Record an actor, with its aliases (editors)",
        request=ActorWriteSerializer,
        responses={201: ActorSerializer},
    ),
    update=extend_schema(
        summary="Replace an actor's fields (editors)",
        request=ActorWriteSerializer,
        responses={200: ActorSerializer},
    ),
    partial_update=extend_schema(
        summary="Correct some of an actor's fields (editors)",
        request=ActorWriteSerializer,
        responses={200: ActorSerializer},
    ),
)
class ActorViewSet(VersionedUpdates, viewsets.ModelViewSet):
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_class = ActorFilter
    lookup_field = "slug"
    http_method_names = WRITABLE

    def get_queryset(self):
        return with_current_roles(Actor.objects.order_by("name", "pk"))

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return ActorWriteSerializer
        return ActorSerializer

    def list(self, request, *args, **kwargs):
        # Actors are read as plain values (actors_data), as the serializer says.
        ordered = Actor.objects.order_by("name", "pk")
        page = self.paginate_queryset(self.filter_queryset(ordered).values("id"))
        return self.get_paginated_response(
            actors_data(ordered.filter(pk__in=[row["id"] for row in page]))
        )


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
    create=extend_schema(
        summary="Record an office or a membership (editors)", request=RoleWriteSerializer
    ),
    update=extend_schema(summary="Replace a role's fields (editors)"),
    partial_update=extend_schema(summary="Correct some of a role's fields (editors)"),
)
class RoleViewSet(VersionedUpdates, viewsets.ModelViewSet):
    lookup_value_regex = "[0-9]+"
    filterset_class = RoleFilter
    http_method_names = WRITABLE

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return RoleWriteSerializer
        return RoleSerializer

    queryset = Role.objects.select_related("holder", "organisation").order_by(
        "organisation__name", "start_date", "pk"
    )
