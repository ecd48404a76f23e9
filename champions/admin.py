from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from champions.models import Champion, Hub, Organization, Pledge, PledgeSignature


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


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    """The network's standing pledges, in English and French, with how many champions signed each."""

    list_display = ("name_en", "name_fr", "counts_panels", "order", "is_active", "signer_count")
    list_editable = ("order", "is_active")
    list_filter = ("counts_panels", "is_active")
    search_fields = ("name_en", "name_fr", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
    fields = ("name_en", "name_fr", "slug", "counts_panels", "order", "is_active")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_signer_count=Count("signatures"))

    @admin.display(description=_("signers"), ordering="_signer_count")
    def signer_count(self, pledge):
        return pledge._signer_count


class PledgeSignatureForm(forms.ModelForm):
    def validate_unique(self):
        """Also check the model's constraints with the champion: Django leaves an inline's foreign key
        out of them, so a signature of the same pledge saved meanwhile (another tab, another admin)
        would otherwise reach the database's constraint as a server error."""
        super().validate_unique()
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self._update_errors(error)


class PledgeSignatureInline(admin.TabularInline):
    """The pledges a champion signed, and when, on the champion's page."""

    model = PledgeSignature
    form = PledgeSignatureForm
    fields = ("pledge", "signed_on")
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "pledge":
            # Why: each row's select would query the pledges again; read them once for the page.
            field.choices = list(field.choices)
        return field


@admin.register(Champion)
class ChampionAdmin(SimpleHistoryAdmin):
    """Champions, with the pledges they signed; commitments.admin registers a subclass with their
    commitments inline too."""

    inlines = [PledgeSignatureInline]
    list_display = (
        "full_name",
        "title",
        "organization",
        "hub",
        "is_active",
        "is_public",
        "focal_point_count",
    )
    list_filter = ("hub", "organization", "is_active", "is_public", "pledges")
    list_select_related = ("organization", "hub")
    search_fields = (
        "full_name",
        "title",
        "user__email",
        "organization__name",
        "organization__acronym",
    )
    autocomplete_fields = ("user", "organization", "hub", "focal_points")
    fields = (
        "full_name",
        "title",
        "organization",
        "hub",
        "user",
        "focal_points",
        "is_active",
        "joined_on",
        "is_public",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_focal_point_count=Count("focal_points", distinct=True))

    @admin.display(description=_("focal points"), ordering="_focal_point_count")
    def focal_point_count(self, champion):
        return champion._focal_point_count
