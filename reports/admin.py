from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from events.forms import WebLinkField
from reports.models import AnnualReport, Assessment, Highlight, NetworkProfile, Report, ReportStep


class ReportStepInline(admin.TabularInline):
    """What happened to the report: written by the workflow, never edited by hand."""

    model = ReportStep
    fields = ("at", "action", "by", "comment")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    list_display = ("champion", "cycle", "submitted_at", "late", "reviewed_at")
    list_filter = ("cycle", "late", "champion__hub")
    list_select_related = ("champion", "cycle")
    search_fields = ("champion__full_name",)
    readonly_fields = (
        "champion",
        "cycle",
        "submitted_at",
        "submitted_by",
        "late",
        "reviewed_at",
        "reviewed_by",
    )
    inlines = [ReportStepInline]

    def has_add_permission(self, request):
        return False


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ("commitment", "level", "office_level", "diverges", "divergence_resolved_at")
    list_filter = ("commitment__cycle", "level", "office_level", "diverges")
    list_select_related = ("commitment__champion",)
    search_fields = ("commitment__title", "commitment__champion__full_name")
    autocomplete_fields = ("commitment",)
    readonly_fields = (
        "proposed_level",
        "measured_progress",
        "assessed_by",
        "assessed_at",
        "rated_by",
        "rated_at",
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "evidence_url":
            return WebLinkField(label=_("Evidence link"), required=False, max_length=db_field.max_length)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(NetworkProfile)
class NetworkProfileAdmin(admin.ModelAdmin):
    """The network's name and logo on its reports' covers: one profile, added once, never deleted."""

    list_display = ("name", "logo")

    def has_add_permission(self, request):
        return not NetworkProfile.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class HighlightInline(admin.TabularInline):
    """The narratives the office picked for the report, in their order (picked on the report's own
    page, where only narratives of submitted reports are offered)."""

    model = Highlight
    fields = ("order", "assessment")
    autocomplete_fields = ("assessment",)
    extra = 0


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    """A cycle's network report: the office's foreword and highlights (written on the report's pages)."""

    list_display = ("cycle", "updated_at", "updated_by")
    list_select_related = ("cycle", "updated_by")
    fields = ("cycle", "foreword_en", "foreword_fr", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")
    inlines = [HighlightInline]

    def get_readonly_fields(self, request, obj=None):
        """A report stays with its cycle: chosen when it is added, not moved to another after."""
        return (*self.readonly_fields, "cycle") if obj else self.readonly_fields
