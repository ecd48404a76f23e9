from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from champions.models import Champion, Hub, Organization


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    list_display = ("name", "champion_count")
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_champion_count=Count("champions"))

    @admin.display(description=_("champions"), ordering="_champion_count")
    def champion_count(self, hub):
        return hub._champion_count


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("acronym", "name", "parent")
    list_select_related = ("parent",)
    search_fields = ("name", "acronym")
    autocomplete_fields = ("parent",)


@admin.register(Champion)
class ChampionAdmin(SimpleHistoryAdmin):
    """Champions; commitments.admin registers a subclass with their commitments inline."""

    list_display = ("full_name", "title", "organization", "hub", "is_active", "focal_point_count")
    list_filter = ("hub", "organization", "is_active")
    list_select_related = ("organization", "hub")
    search_fields = (
        "full_name",
        "title",
        "user__email",
        "organization__name",
        "organization__acronym",
    )
    autocomplete_fields = ("user", "organization", "hub", "focal_points")
    fields = ("full_name", "title", "organization", "hub", "user", "focal_points", "is_active", "joined_on")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_focal_point_count=Count("focal_points", distinct=True))

    @admin.display(description=_("focal points"), ordering="_focal_point_count")
    def focal_point_count(self, champion):
        return champion._focal_point_count
