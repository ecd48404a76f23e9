from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from champions.admin import ChampionAdmin
from commitments import reminders
from commitments.models import (
    ROLLUP_FIELDS,
    Commitment,
    CommitmentMonth,
    Cycle,
    Reminder,
    ReminderKind,
    ReminderState,
    StatusChange,
    TargetKind,
)
from commitments.tasks import deliver_reminder


def queue_deliveries(request, reminder_ids, queued_message):
    """Queue each reminder's delivery once the transaction commits (a worker must see the rows),
    and say what happened: a broker that cannot be reached loses nothing, the next sweep sends them.
    """

    def queue():
        if reminders.queue_deliveries(deliver_reminder.delay, reminder_ids):
            messages.success(request, queued_message)
        else:
            messages.error(
                request,
                _(
                    "Could not reach the task queue: the reminders are pending and the next reminder sweep will send them."
                ),
            )

    if reminder_ids:
        transaction.on_commit(queue)


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
        (_("Target"), {"fields": ("target_kind", "target_value", "unit", "counts_kind", "due_on", "status")}),
        (_("Progress (kept up to date from the progress events)"), {"fields": ("progress", *ROLLUP_FIELDS)}),
        (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = [StatusChangeInline]
    actions = ["send_reminder_now"]

    @admin.action(description=_("Send a reminder now"))
    def send_reminder_now(self, request, queryset):
        """An "upcoming deadline" reminder dated today for each selected commitment that still needs one.

        It is the same row the daily sweep would plan, unique per commitment, kind and day, so
        asking twice in a day, or on the day the sweep sends one, sends nothing more.
        """
        today = timezone.localdate()
        queued, already, not_needed = [], 0, 0
        for commitment in queryset.select_related("champion", "cycle").order_by("pk"):
            reminder = Reminder(
                champion=commitment.champion,
                commitment=commitment,
                cycle=commitment.cycle,
                kind=ReminderKind.UPCOMING,
                due_on=today,
                deadline=commitment.due_on,
            )
            # The rule deliveries use: a closed or past-due commitment, or an inactive champion, gets none.
            if not reminders.is_still_needed(reminder, today):
                not_needed += 1
                continue
            # Why get_or_create: it inserts in a savepoint and reads the row back if the unique
            # constraint refuses it (another click, or the sweep, got there first).
            reminder, created = Reminder.objects.get_or_create(
                commitment=commitment,
                kind=ReminderKind.UPCOMING,
                due_on=today,
                defaults={
                    "champion": commitment.champion,
                    "cycle": commitment.cycle,
                    "deadline": commitment.due_on,
                },
            )
            if created:
                queued.append(reminder.pk)
            else:
                already += 1
        queue_deliveries(
            request,
            queued,
            ngettext(
                "Queued a reminder for %(count)s commitment.",
                "Queued a reminder for %(count)s commitments.",
                len(queued),
            )
            % {"count": len(queued)},
        )
        if already:
            self.message_user(
                request,
                ngettext(
                    "Skipped %(count)s commitment that already has a reminder today.",
                    "Skipped %(count)s commitments that already have a reminder today.",
                    already,
                )
                % {"count": already},
                messages.WARNING,
            )
        if not_needed:
            self.message_user(
                request,
                ngettext(
                    "Skipped %(count)s commitment that is closed or past due, or whose champion is inactive.",
                    "Skipped %(count)s commitments that are closed or past due, or whose champion is inactive.",
                    not_needed,
                )
                % {"count": not_needed},
                messages.WARNING,
            )

    @admin.display(description=_("target"), ordering="target_kind")
    def target(self, commitment):
        if commitment.target_kind == TargetKind.PERCENTAGE:
            return gettext("%(share)s%% women") % {"share": commitment.target_value}
        if commitment.target_kind == TargetKind.COUNT:
            return f"{commitment.target_value} {commitment.unit}".strip()
        return commitment.get_target_kind_display()

    @admin.display(description=_("progress"))
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
                comment=gettext("Changed in admin."),
                changed_by=request.user,
            )


class ReminderForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        # Why: on the change page sent_at is read-only, so the model's "sent has sent_at" constraint
        # is not validated there and would fail in the database instead.
        sent_at = cleaned.get("sent_at", self.instance.sent_at)
        if cleaned.get("state") == ReminderState.SENT and sent_at is None:
            self.add_error(
                "state", _("Only a reminder that went out is sent: it needs the time it was sent.")
            )
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
    actions = ["resend_failed"]
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

    @admin.action(description=_("Resend the selected failed reminders"))
    def resend_failed(self, request, queryset):
        """Failed reminders back to pending with a fresh count of tries, then queued for delivery."""
        selected = queryset.count()
        failed_ids = list(queryset.filter(state=ReminderState.FAILED).values_list("pk", flat=True))
        # Why no lock: two admins resending at once queue a delivery twice, and the claim
        # (pending → sending) still lets only one of them send.
        Reminder.objects.filter(pk__in=failed_ids, state=ReminderState.FAILED).update(
            state=ReminderState.PENDING, attempts=0, last_error=""
        )
        queue_deliveries(
            request,
            failed_ids,
            ngettext(
                "Queued %(count)s failed reminder to be resent.",
                "Queued %(count)s failed reminders to be resent.",
                len(failed_ids),
            )
            % {"count": len(failed_ids)},
        )
        skipped = selected - len(failed_ids)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "Skipped %(count)s reminder that had not failed.",
                    "Skipped %(count)s reminders that had not failed.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


@admin.register(CommitmentMonth)
class CommitmentMonthAdmin(admin.ModelAdmin):
    """The monthly roll-ups behind the dashboard's trends: derived from events, so read only."""

    list_display = ("commitment", "month", "events", "panel_women", "panel_men")
    list_filter = ("commitment__cycle",)
    search_fields = ("commitment__title", "commitment__champion__full_name")
    list_select_related = ("commitment__champion",)
    date_hierarchy = "month"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
