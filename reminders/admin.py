from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import DeliveryState
from commitments.models import Commitment
from events.admin import CommitmentWithEventsAdmin
from reminders import delivery
from reminders.models import Escalation, Message, MessageItem, OfficeDigest, Reminder, ReminderKind
from reminders.tasks import queue_deliveries


def _queue_and_report(request, reminder_ids, queued_message):
    """Put the reminders in their recipients' messages for today and queue those messages' deliveries
    once the transaction commits, then say what happened: a broker that cannot be reached loses
    nothing, the next sweep sends them."""

    def report(queued):
        if queued:
            messages.success(request, queued_message)
        else:
            messages.error(
                request,
                _(
                    "Could not reach the task queue: the reminders are pending and the next reminder sweep will send them."
                ),
            )

    queue_deliveries(delivery.group_now(reminder_ids), then=report)


class WrittenByTheSweepAdmin(admin.ModelAdmin):
    """Rows the sweep and the deliveries write: shown here, never added or edited by hand (a save from a
    page read moments earlier would write back a state that a delivery has since moved on)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(WrittenByTheSweepAdmin):
    """Reminders: a failed one is resent with the changelist's action, not by editing its state."""

    list_display = ("champion", "commitment", "kind", "due_on", "deadline", "state", "attempts", "sent_at")
    list_filter = ("state", "kind", "cycle")
    list_select_related = ("champion", "commitment", "commitment__champion")
    search_fields = ("champion__full_name", "commitment__title")
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

    def has_change_permission(self, request, obj=None):
        """The change permission in general, which resend_failed asks for; none on a reminder's own page."""
        return obj is None and admin.ModelAdmin.has_change_permission(self, request)

    @admin.action(description=_("Resend the selected failed reminders"), permissions=["change"])
    def resend_failed(self, request, queryset):
        """Failed reminders back to pending with a fresh count of tries, then queued for delivery."""
        selected = queryset.count()
        failed_ids = list(queryset.filter(state=DeliveryState.FAILED).values_list("pk", flat=True))
        # Why no lock: two admins resending at once queue a delivery twice, and the claim
        # (pending → sending) still lets only one of them send.
        Reminder.objects.filter(pk__in=failed_ids, state=DeliveryState.FAILED).update(
            state=DeliveryState.PENDING, attempts=0, last_error=""
        )
        # Out of the messages that gave up, so that they go to those people in new ones (the
        # people whose messages went out do not get them again: MessageItem is unique per person).
        MessageItem.objects.filter(reminder__in=failed_ids, message__state=DeliveryState.FAILED).delete()
        _queue_and_report(
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


@admin.register(OfficeDigest)
class OfficeDigestAdmin(WrittenByTheSweepAdmin):
    """The office's weekly digests, written by the weekly task."""

    list_display = ("week_of", "state", "attempts", "sent_at")
    list_filter = ("state",)
    date_hierarchy = "week_of"
    fields = ("week_of", "state", "attempts", "last_error", "claimed_at", "sent_at")


class MessageItemInline(admin.TabularInline):
    model = MessageItem
    fields = ("reminder",)
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(Message)
class MessageAdmin(WrittenByTheSweepAdmin):
    """Reminder emails, one per person a day: a failed one goes again when its reminders are resent."""

    list_display = ("user", "due_on", "state", "attempts", "sent_at")
    list_filter = ("state",)
    list_select_related = ("user",)
    search_fields = ("user__email", "user__full_name")
    date_hierarchy = "due_on"
    fields = ("user", "due_on", "state", "attempts", "last_error", "claimed_at", "sent_at")
    inlines = [MessageItemInline]


@admin.register(Escalation)
class EscalationAdmin(WrittenByTheSweepAdmin):
    """Overdue commitments brought to the office's attention: written by the daily sweep."""

    list_display = ("commitment", "deadline", "first_notice_on", "escalated_on", "cleared_on")
    list_filter = ("cleared_on",)
    list_select_related = ("commitment__champion",)
    search_fields = ("commitment__title", "commitment__champion__full_name")
    fields = ("commitment", "deadline", "first_notice_on", "escalated_on", "cleared_on")


class CommitmentWithRemindersAdmin(CommitmentWithEventsAdmin):
    """Registered here, not in commitments or events: its action sends reminders, above them."""

    actions = [*CommitmentWithEventsAdmin.actions, "send_reminder_now"]

    @admin.action(description=_("Send a reminder now"), permissions=["change"])
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
            if not delivery.still_needed([reminder], today):
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
        _queue_and_report(
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


admin.site.unregister(Commitment)
admin.site.register(Commitment, CommitmentWithRemindersAdmin)
