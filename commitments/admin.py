from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.forms import ExportForm

from champions.admin import ChampionAdmin
from champions.models import Champion
from commitments import network_file
from commitments.models import (
    ROLLUP_FIELDS,
    Approval,
    ApprovalChange,
    Category,
    Comment,
    Commitment,
    Cycle,
    Handover,
    StatusChange,
    percent_wording,
)
from commitments.resources import FORMATS, NetworkFileResource


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The network's own categories, in English and French, in the order lists show them."""

    list_display = ("label_en", "label_fr", "order", "is_active")
    list_editable = ("order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("label_en", "label_fr", "slug")
    prepopulated_fields = {"slug": ("label_en",)}


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = (
        "year",
        "starts_on",
        "ends_on",
        "commitments_due_on",
        "report_due_on",
        "max_commitments",
        "is_closed",
    )
    list_filter = ("is_closed",)
    ordering = ("-year",)
    search_fields = ("year",)
    actions = ["close"]

    @admin.action(description=_("Close the selected years (keep them as history)"), permissions=["change"])
    def close(self, request, queryset):
        """A past year becomes history: nothing in it is overdue or reminded of, and champions can no
        longer change it. Reopened by unticking "closed" on the year's page."""
        closed = queryset.filter(is_closed=False)
        count = len(closed)
        for cycle in closed:
            cycle.is_closed = True
            cycle.save(update_fields=["is_closed"])
        self.message_user(
            request,
            ngettext("Closed %(count)s year.", "Closed %(count)s years.", count) % {"count": count},
            messages.SUCCESS,
        )


class CommitmentInline(admin.TabularInline):
    """A champion's commitments, on the champion's page."""

    model = Commitment
    fk_name = "champion"
    fields = ("cycle", "number", "title", "target_kind", "target_value", "due_on", "status")
    ordering = ("-cycle__year", "number")
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        # Why champion: each row is titled with the commitment's str(), which names the champion.
        return super().get_queryset(request).select_related("champion", "cycle")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "cycle":
            # Why: each row's select would query the cycles again; read them once for the page.
            field.choices = list(field.choices)
        return field


class ChampionWithCommitmentsAdmin(ChampionAdmin):
    """Registered here, not in champions: its commitments inline belongs to commitments, above it."""

    inlines = [*ChampionAdmin.inlines, CommitmentInline]


admin.site.unregister(Champion)
admin.site.register(Champion, ChampionWithCommitmentsAdmin)


class StatusChangeInline(admin.TabularInline):
    """The commitment's status history: written by status changes, never edited by hand."""

    model = StatusChange
    fields = ("changed_at", "old_status", "new_status", "comment", "changed_by")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = "status history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")

    def has_add_permission(self, request, obj=None):
        return False


class ApprovalChangeInline(admin.TabularInline):
    """The commitment's approval steps: written by the workflow, never edited by hand."""

    model = ApprovalChange
    fields = ("changed_at", "old_approval", "new_approval", "comment", "changed_by")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = _("approval history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Commitment)
class CommitmentAdmin(ImportExportMixin, admin.ModelAdmin):
    """Commitments, with Import and Export in the network's columns (commitments/resources.py)."""

    resource_classes = [NetworkFileResource]
    import_formats = export_formats = FORMATS
    # Why not the selectable columns: a file short of a column would not import back.
    export_form_class = ExportForm

    list_display = (
        "champion",
        "number",
        "title",
        "category_labels",
        "target",
        "status",
        "approval",
        "due_on",
        "progress_shown",
        "last_event_on",
    )
    list_display_links = ("number", "title")
    list_filter = (
        "cycle",
        "approval",
        "champion__hub",
        "champion__organization",
        "categories",
        "status",
        "target_kind",
    )
    # Why 25, not Django's 100: at 10,000 commitments the page took 2.2x its SQL with 25 rows, 3.6x with 100.
    list_per_page = 25
    # Why the champion alone: it is the only related object a row shows (its name, in the champion
    # column and the checkbox's label); more joined columns make the sort of every row costlier.
    list_select_related = ("champion",)
    search_fields = (
        "title",
        "text",
        "champion__full_name",
        "champion__user__email",
        "champion__organization__acronym",
    )
    autocomplete_fields = ("champion", "cycle", "carried_from")
    date_hierarchy = "due_on"
    readonly_fields = (*ROLLUP_FIELDS, "created_at", "updated_at")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "champion",
                    "cycle",
                    "number",
                    "text",
                    "title",
                    "categories",
                    "description",
                    "carried_from",
                )
            },
        ),
        (
            _("Target"),
            {
                "fields": (
                    "target_kind",
                    "target_value",
                    "baseline",
                    "unit",
                    "counts_kind",
                    "due_on",
                    "status",
                )
            },
        ),
        (
            _("Approval"),
            {
                "fields": ("approval",),
                "description": _(
                    "Commitments made here are approved. Champions draft theirs in the browser and the "
                    "office reviews them on its review page."
                ),
            },
        ),
        (_("Progress (kept up to date from the progress events)"), {"fields": ROLLUP_FIELDS}),
        (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    filter_horizontal = ("categories",)
    inlines = [StatusChangeInline, ApprovalChangeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")

    def get_export_filename(self, request, queryset, file_format):
        """commitments-2026.xlsx: the file names its year when its commitments are all of one."""
        return f"{network_file.file_stem(network_file.year_of(queryset))}.{file_format.get_extension()}"

    @admin.display(description=_("categories"))
    def category_labels(self, commitment):
        return "; ".join(category.label for category in commitment.categories.all())

    def has_import_permission(self, request):
        """Importing adds and changes commitments (and champions, people, years)."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def import_action(self, request, **kwargs):
        """The admin's Import is the office's network import: one set of columns, one preview."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        return redirect("import_commitments")

    # django-import-export's own confirmation step leads there too: nothing is imported here.
    process_import = import_action

    @admin.display(description=_("target"), ordering="target_kind")
    def target(self, commitment):
        return commitment.target_label

    @admin.display(description=_("progress"), ordering="progress")
    def progress_shown(self, commitment):
        return percent_wording(commitment.progress)

    def save_model(self, request, obj, form, change):
        """A status changed here goes through Commitment.change_status, as everywhere else; an
        approval set here is kept in the approval history, as the workflow's steps are."""
        if change and "status" in form.changed_data:
            status, obj.status = obj.status, form.initial["status"]
            obj.change_status(status, request.user, gettext("Changed in admin."), save=False)
        super().save_model(request, obj, form, change)
        if change and "approval" in form.changed_data:
            old_approval, comment = form.initial["approval"], gettext("Changed in admin.")
        elif not change and obj.approval != Approval.DRAFT:
            old_approval, comment = Approval.DRAFT, gettext("Made in admin.")
        else:
            return
        obj.approval_changes.create(
            old_approval=old_approval, new_approval=obj.approval, comment=comment, changed_by=request.user
        )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The conversations on commitments, read only: a comment is what was sent (and emailed), so
    it is never edited, added or deleted here."""

    list_display = ("created_at", "commitment", "author", "from_office", "text")
    list_filter = ("from_office", "commitment__cycle")
    search_fields = ("text", "commitment__champion__full_name", "author__email")
    list_select_related = ("commitment__champion", "commitment__cycle", "author")
    date_hierarchy = "created_at"
    fields = ("commitment", "author", "from_office", "text", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    """Handovers are made and reversed by the office on the dashboard (dashboard/handover.py), in one
    transaction each: admin reads them."""

    list_display = ("from_champion", "to_champion", "effective_on", "cycle", "created_by", "reversed_at")
    list_filter = ("cycle",)
    list_select_related = ("from_champion", "to_champion", "cycle", "created_by")
    search_fields = ("from_champion__full_name", "to_champion__full_name")
    date_hierarchy = "effective_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
