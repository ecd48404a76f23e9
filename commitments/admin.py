import datetime
import functools
import html

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_list import ResultList, results
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value, quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from champions.admin import ChampionAdmin
from commitments.models import ROLLUP_FIELDS, ApprovalChange, Commitment, CommitmentMonth, Cycle, StatusChange
from commitments.resources import FORMATS, CommitmentResource
from config.links import link_to


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ("year", "starts_on", "ends_on", "commitments_due_on", "report_due_on", "max_commitments")
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


class CommitmentChangeList(ChangeList):
    """The commitments' changelist, its rows linked to their change pages by a path reversed once
    per page, not once per link (two a row, the number and the title)."""

    @cached_property
    def _change_path(self):
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        return link_to(name, current_app=self.model_admin.admin_site.name)

    def url_for_result(self, result):
        return self._change_path(quote(getattr(result, self.pk_attname)))

    def rows(self):
        """The page's rows as Django's `results()` gives them, each written as one string.

        Why: Django's `items_for_result` looks each cell's field up, works its classes and link out,
        escapes through lazy-aware wrappers, formats each date anew and resolves each link's URL
        again to add the preserved filters: 0.2 to 0.4 ms a row, 5 to 10 ms of a 25-row page's
        30 ms of Python at the benchmark's size. Here what the rows share is worked out once per
        page. The markup is Django's own (a test compares the whole page written both ways); a popup,
        editable rows or a column this does not know are left to Django.
        """
        columns = self._columns()
        if columns is None:
            return list(results(self))
        query = self._preserved_query()
        return [
            ResultList(None, [mark_safe("".join(column(result, query) for column in columns))])
            for result in self.result_list
        ]

    def _columns(self):
        """A writer of each list_display column's cell, or None when Django must write the rows."""
        if self.is_popup or getattr(self, "formset", None) or self.list_display_links is None:
            return None
        empty = self.model_admin.get_empty_value_display()
        links = self.list_display_links or self.list_display[:1]
        localize = functools.cache(formats.localize)  # (a page's dates repeat: due dates most)
        columns, first_link = [], True
        for name in self.list_display:
            content = _column_content(
                self.model_admin, self.lookup_opts, name, empty, name in links, localize
            )
            if content is None:
                return None
            tag = None
            if name in links:
                tag, first_link = ("th" if first_link else "td"), False
            columns.append(self._cell(content, tag))
        return columns

    def _cell(self, content, link_tag):
        if link_tag is None:

            def cell(result, query):
                classes, html = content(result)
                return f'<td class="{classes}">{html}</td>'

            return cell

        def linked(result, query):
            classes, html = content(result)
            url = _escape(self.url_for_result(result) + query)
            return f'<{link_tag} class="{classes}"><a href="{url}">{html}</a></{link_tag}>'

        return linked

    def _preserved_query(self):
        """The query string Django adds to every row's link (the page's filters, to come back to):
        the same for each row, so worked out on the first."""
        if not self.preserved_filters or not self.result_list:
            return ""
        context = {"preserved_filters": self.preserved_filters, "opts": self.opts}
        url = self.url_for_result(self.result_list[0])
        return add_preserved_filters(context, url).removeprefix(url)


def _column_content(model_admin, opts, name, empty, is_link, localize):
    """For one list_display column, a function of a row giving its cell's classes and escaped
    content as Django's items_for_result writes them; None for a column it leaves to Django."""
    if not isinstance(name, str) or name == "__str__":
        return None
    try:
        field = opts.get_field(name)
    except FieldDoesNotExist:
        method = getattr(model_admin, name, None)
        if not callable(method) or getattr(method, "boolean", False):
            return None
        classes = "action-checkbox" if name == "action_checkbox" else _escape(f"field-{name}")
        empty = getattr(method, "empty_value_display", empty)

        def from_method(result):
            value = _blank_as_empty(method(result))
            nowrap = " nowrap" if isinstance(value, (datetime.date, datetime.time)) else ""
            return classes + nowrap, _escape(display_for_value(value, empty))

        return from_method
    if not field.concrete or field.many_to_many or isinstance(field, models.BooleanField):
        return None
    nowrap = isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
    classes = _escape(f"field-{name}") + (" nowrap" if nowrap else "")
    if field.flatchoices and all(isinstance(value, str) for value, _label in field.flatchoices):
        labels = {value: _escape(label) for value, label in field.flatchoices}  # (in the page's language)
        return lambda result: (classes, labels.get(_blank_as_empty(getattr(result, name)), empty))
    if isinstance(field, models.ForeignKey):
        return lambda result: (
            classes,
            _escape(empty if (related := getattr(result, name)) is None else related),
        )
    if type(field) is models.DateField:
        return lambda result: (
            classes,
            empty if (day := getattr(result, name)) is None else _escape(localize(day)),
        )
    return lambda result: (
        classes,
        _escape(display_for_field(_blank_as_empty(getattr(result, name)), field, empty, avoid_link=is_link)),
    )


def _escape(value):
    """Django's conditional_escape, without the wrapper it checks every argument for laziness with
    (a tenth of a changelist row's time): safe strings as they are, the rest escaped as escape() does."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _blank_as_empty(value):
    return "" if isinstance(value, str) and not value.strip() else value


@admin.register(Commitment)
class CommitmentAdmin(ImportExportMixin, admin.ModelAdmin):
    """Commitments, with Import and Export (django-import-export: preview first, then confirm)."""

    resource_classes = [CommitmentResource]
    import_formats = export_formats = FORMATS

    list_display = (
        "champion",
        "number",
        "title",
        "category",
        "target",
        "status",
        "approval",
        "due_on",
        "progress",
        "last_event_on",
    )
    list_display_links = ("number", "title")
    list_filter = (
        "cycle",
        "approval",
        "champion__hub",
        "champion__organization",
        "category",
        "status",
        "target_kind",
    )
    # Why 25 rows a page (Django's default is 100): Django admin rendered each row's eleven cells at
    # about 0.3 ms, on top of a fixed ~20 ms for its filters and date hierarchy. Measured at full
    # benchmark size (10,000 commitments), the page took 82 ms against 30 ms of its own SQL with 100
    # rows, 65 ms with 50 and 57 ms with 25: only 25 kept it within issue 13's "at most twice its
    # SQL". (CommitmentChangeList.rows() now writes a row in about 0.06 ms, and part of the fixed
    # cost was the frame-stack churn config/callstack.py ends.) The office finds commitments with the
    # filters and search, not by paging.
    list_per_page = 25
    # Why its own: the rows are written by CommitmentChangeList.rows() (the commitment_admin tags).
    change_list_template = "admin/commitments/commitment/change_list.html"
    # Why the champion alone: it is the only related object a row shows (its name, in the champion
    # column and the checkbox's label); more joined columns make the sort of every row costlier.
    list_select_related = ("champion",)
    search_fields = (
        "title",
        "champion__full_name",
        "champion__user__email",
        "champion__organization__acronym",
    )
    autocomplete_fields = ("champion", "cycle", "carried_from")
    date_hierarchy = "due_on"
    readonly_fields = (*ROLLUP_FIELDS, "progress", "created_at", "updated_at")
    fieldsets = (
        (
            None,
            {"fields": ("champion", "cycle", "number", "title", "description", "category", "carried_from")},
        ),
        (_("Target"), {"fields": ("target_kind", "target_value", "unit", "counts_kind", "due_on", "status")}),
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
        (_("Progress (kept up to date from the progress events)"), {"fields": ("progress", *ROLLUP_FIELDS)}),
        (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = [StatusChangeInline, ApprovalChangeInline]

    def get_changelist(self, request, **kwargs):
        return CommitmentChangeList

    def action_checkbox(self, obj):
        """Django's own checkbox, markup and all, without rendering a form widget's templates for
        each of a page's 100 rows (about a fifth of the changelist's time, measured)."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    @admin.display(description=_("target"), ordering="target_kind")
    def target(self, commitment):
        return commitment.target_label

    @admin.display(description=_("progress"))
    def progress(self, commitment):
        if commitment.pk is None:
            return "-"
        return f"{commitment.progress_percent}%"

    def save_model(self, request, obj, form, change):
        """A status changed here goes through Commitment.change_status, as everywhere else."""
        if change and "status" in form.changed_data:
            status, obj.status = obj.status, form.initial["status"]
            obj.change_status(status, request.user, gettext("Changed in admin."), save=False)
        super().save_model(request, obj, form, change)


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
