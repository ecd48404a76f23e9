from django.contrib import admin
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from commitments.admin import CommitmentAdmin
from commitments.models import Commitment
from events.forms import WebLinkField
from events.models import PanelConfirmation, ProgressEvent


class LoggedByFormSet(BaseInlineFormSet):
    """Events added on a commitment's page are logged by whoever added them."""

    user = None

    def save_new(self, form, commit=True):
        form.instance.logged_by = self.user
        return super().save_new(form, commit)


class ProgressEventInline(admin.TabularInline):
    """A commitment's progress events, newest first, on the commitment's page."""

    model = ProgressEvent
    formset = LoggedByFormSet
    fields = ("occurred_on", "kind", "title", "women_count", "men_count")
    ordering = ("-occurred_on", "-created_at")
    extra = 0
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        return formset


class CommitmentWithEventsAdmin(CommitmentAdmin):
    """Registered here, not in commitments: its events inline belongs to events, above it."""

    inlines = [ProgressEventInline, *CommitmentAdmin.inlines]


admin.site.unregister(Commitment)
admin.site.register(Commitment, CommitmentWithEventsAdmin)


@admin.register(ProgressEvent)
class ProgressEventAdmin(SimpleHistoryAdmin):
    list_display = (
        "occurred_on",
        "kind",
        "title",
        "champion_commitment",
        "women_count",
        "men_count",
        "logged_by",
    )
    list_filter = ("kind", "scope", "commitment__cycle", "commitment__champion__hub")
    list_select_related = ("commitment", "commitment__champion", "commitment__cycle", "logged_by")
    search_fields = ("title", "notes", "commitment__title", "commitment__champion__full_name")
    autocomplete_fields = ("commitment", "logged_by")
    date_hierarchy = "occurred_on"
    readonly_fields = ("evidence_file", "evidence_name", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("commitment", "occurred_on", "kind", "title", "notes", "logged_by")}),
        (_("Where and who"), {"fields": ("scope", "location", "women_count", "men_count", "audience")}),
        (_("Panels"), {"fields": ("pledge_asked", "panel_outcome", "outcome_reason")}),
        (_("Task forces"), {"fields": ("task_force_role",)}),
        (
            _("Evidence"),
            {
                "fields": ("evidence_url", "evidence_file", "evidence_name"),
                "description": _("Files are uploaded through the log form, which checks their content."),
            },
        ),
        (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    @admin.display(description=_("commitment"), ordering="commitment__champion__full_name")
    def champion_commitment(self, event):
        return f"{event.commitment.champion} #{event.commitment.number}"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "evidence_url":
            return WebLinkField(label=_("Evidence link"), required=False, max_length=db_field.max_length)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def delete_queryset(self, request, queryset):
        """Delete one by one, as each deletion recounts its commitment's roll-ups."""
        for event in queryset:
            event.delete()

    def get_changeform_initial_data(self, request):
        return {"logged_by": request.user.pk, **super().get_changeform_initial_data(request)}


@admin.register(PanelConfirmation)
class PanelConfirmationAdmin(admin.ModelAdmin):
    """Organisers asked to confirm panels, and what they answered: read-only (made by the log form,
    answered from the emailed link). Never the token's hash."""

    list_display = (
        "event",
        "organiser_email",
        "outcome",
        "claimed_women_count",
        "women_count",
        "claimed_men_count",
        "men_count",
        "created_at",
        "used_at",
    )
    list_filter = ("outcome",)
    list_select_related = ("event",)
    search_fields = ("organiser_email", "event__title")
    date_hierarchy = "created_at"
    fields = (
        "event",
        "organiser_email",
        "outcome",
        "claimed_women_count",
        "women_count",
        "claimed_men_count",
        "men_count",
        "created_at",
        "expires_at",
        "used_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        self.delete_queryset(request, PanelConfirmation.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        """Deleted answers leave the confirmed panel figures their commitments keep (Commitment.
        confirmed_panels...): those commitments are recounted, under their locks, as an event write
        recounts its commitment."""
        with transaction.atomic():
            commitments = Commitment.objects.filter(events__confirmations__in=queryset).distinct()
            ids = set(commitments.values_list("pk", flat=True))
            Commitment.objects.filter(pk__in=ids).lock()
            super().delete_queryset(request, queryset)
            Commitment.objects.filter(pk__in=ids).recount_rollups()
