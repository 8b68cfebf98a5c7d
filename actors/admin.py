from django.contrib import admin

from config.admin import VersionedAdmin, VersionedInline

from .models import Actor, ActorAlias, Role


class AliasInline(VersionedInline, admin.TabularInline):
    model = ActorAlias
    extra = 1


class RoleInline(VersionedInline, admin.TabularInline):
    model = Role
    fk_name = "holder"
    extra = 0
    autocomplete_fields = ["organisation"]
    fields = ["kind", "title", "organisation", "speaks_for_rank", "start_date", "end_date"]
    verbose_name = "role held"
    verbose_name_plural = "roles held (offices and memberships)"


@admin.register(Actor)
class ActorAdmin(VersionedAdmin):
    list_display = ["name", "kind", "iso_code", "wikidata_id", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "iso_code", "wikidata_id", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "created_at"
    inlines = [AliasInline, RoleInline]
    fields = ["name", "slug", "kind", "iso_code", "wikidata_id", "description"]

    def get_search_results(self, request, queryset, search_term):
        # Searching by alias joins a many-valued relation.
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(Role)
class RoleAdmin(VersionedAdmin):
    list_display = [
        "holder",
        "kind",
        "title",
        "organisation",
        "speaks_for_rank",
        "start_date",
        "end_date",
    ]
    list_filter = ["kind", "speaks_for_rank", "organisation__kind"]
    search_fields = ["holder__name", "organisation__name", "title"]
    autocomplete_fields = ["holder", "organisation"]
    date_hierarchy = "start_date"
    list_select_related = ["holder", "organisation"]


@admin.register(ActorAlias)
class ActorAliasAdmin(VersionedAdmin):
    list_display = ["name", "actor", "language"]
    list_filter = ["language", "actor__kind"]
    search_fields = ["name", "actor__name"]
    autocomplete_fields = ["actor"]
    list_select_related = ["actor"]
