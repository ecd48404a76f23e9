from django import forms
from django.contrib import admin

from champions.admin import ChampionAdmin
from commitments.models import (
    ROLLUP_FIELDS,
    Commitment,
    Cycle,
    Reminder,
    ReminderState,
    StatusChange,
    TargetKind,
)


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ("year", "starts_on", "ends_on", "report_due_on", "max_commitments")
    ordering = ("-year",)
    search_fields = ("year",)


class CommitmentInline(admin.TabularInline):
    """A champion's commitments, on the champion's page."""

    model = Commitment
    fields = ("cycle", "number", "title", "category", "target_kind", "target_value", "due_on", "status")
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


ChampionAdmin.inlines = [*ChampionAdmin.inlines, CommitmentInline]


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


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = (
        "champion",
        "number",
        "title",
        "category",
        "target",
        "status",
        "due_on",
        "progress",
        "last_event_on",
    )
    list_display_links = ("number", "title")
    list_filter = (
        "cycle",
        "champion__hub",
        "champion__organization",
        "category",
        "status",
        "target_kind",
    )
    list_select_related = ("champion", "champion__organization", "champion__hub", "cycle")
    search_fields = (
        "title",
        "champion__full_name",
        "champion__user__email",
        "champion__organization__acronym",
    )
    autocomplete_fields = ("champion", "cycle")
    date_hierarchy = "due_on"
    readonly_fields = (*ROLLUP_FIELDS, "progress", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("champion", "cycle", "number", "title", "description", "category")}),
        ("Target", {"fields": ("target_kind", "target_value", "unit", "counts_kind", "due_on", "status")}),
        ("Progress (kept up to date from the progress events)", {"fields": ("progress", *ROLLUP_FIELDS)}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = [StatusChangeInline]

    @admin.display(description="target", ordering="target_kind")
    def target(self, commitment):
        if commitment.target_kind == TargetKind.PERCENTAGE:
            return f"{commitment.target_value}% women"
        if commitment.target_kind == TargetKind.COUNT:
            return f"{commitment.target_value} {commitment.unit}".strip()
        return commitment.get_target_kind_display()

    @admin.display(description="progress")
    def progress(self, commitment):
        if commitment.pk is None:
            return "-"
        return f"{commitment.progress_percent}%"

    def save_model(self, request, obj, form, change):
        """Keep the status history true when the status is changed here, as the log form does."""
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data:
            obj.status_changes.create(
                old_status=form.initial["status"],
                new_status=obj.status,
                comment="Changed in admin.",
                changed_by=request.user,
            )


class ReminderForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        # Why: on the change page sent_at is read-only, so the model's "sent has sent_at" constraint
        # is not validated there and would fail in the database instead.
        sent_at = cleaned.get("sent_at", self.instance.sent_at)
        if cleaned.get("state") == ReminderState.SENT and sent_at is None:
            self.add_error("state", "Only a reminder that went out is sent: it needs the time it was sent.")
        return cleaned


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Reminders are written by the sweep; here their state can be reset, e.g. to resend a failed one."""

    form = ReminderForm
    list_display = ("champion", "commitment", "kind", "due_on", "deadline", "state", "attempts", "sent_at")
    list_filter = ("state", "kind", "cycle")
    list_select_related = ("champion", "commitment", "commitment__champion")
    search_fields = ("champion__full_name", "commitment__title")
    autocomplete_fields = ("champion", "commitment", "cycle")
    date_hierarchy = "due_on"
    fields = (
        "champion",
        "commitment",
        "cycle",
        "kind",
        "due_on",
        "deadline",
        "state",
        "attempts",
        "last_error",
        "claimed_at",
        "sent_at",
        "created_at",
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("created_at",)
        return [name for name in self.fields if name != "state"]
