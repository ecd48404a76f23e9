"""The office's export of the dashboard's commitments, as CSV and XLSX, for its filters."""

import functools

from django.db.models import BooleanField, ExpressionWrapper, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.decorators import office_required
from commitments import network_file
from commitments.models import Status, TargetKind, target_wording, women_share
from commitments.spreadsheets import yes_no
from dashboard.forms import filtered
from events.exports import EXPORT_CHUNK_ROWS, choice_labels, stream_csv, xlsx_response


@office_required
def export_csv(request):
    """The filtered commitments as CSV, streamed row by row."""
    year, header, rows = _export(request)
    return stream_csv(f"{network_file.file_stem(year)}.csv", header, rows)


@office_required
def export_xlsx(request):
    """The filtered commitments as XLSX: the CSV's filters and columns, with no separator to get wrong."""
    year, header, rows = _export(request)
    sheet = network_file.sheet_title(year)
    return xlsx_response(f"{network_file.file_stem(year)}.xlsx", header, rows, sheet=sheet)


# The columns, in the reader's language.
EXPORT_HEADER = [
    _("champion"),
    _("organization"),
    _("hub"),
    _("cycle"),
    _("number"),
    _("title"),
    _("categories"),
    _("target"),
    _("progress %"),
    _("status"),
    _("due date"),
    _("overdue"),
    _("last event date"),
    _("event count"),
    _("latest value"),
    # Panel parity, organiser-confirmed panels apart from self-reported ones (the roll-ups of
    # ProgressEventQuerySet.panel_parity's split, read with the row).
    _("panels"),
    _("panels confirmed by organisers"),
    _("women's share, confirmed %"),
    _("women's share, self-reported %"),
]


def _export(request):
    """The export's year, header and rows (a generator) for the dashboard's filters in the query string.

    Rows are read as values, not model instances (building those was most of a 10,000-row export's
    time), with progress and "overdue" computed by the database: with_progress(), the SQL mirror of
    Commitment.progress_percent, and overdue_condition(), the dashboard's own count of overdue.
    """
    form, filters, commitments = filtered(request)
    today = timezone.localdate()
    overdue = ExpressionWrapper(commitments.overdue_condition(today), output_field=BooleanField())
    rows = (
        commitments.with_progress()
        .with_category_labels()
        .annotate(
            overdue=overdue,
            # Its acronym, else its name (Organization.short_name).
            organization=Coalesce(
                NullIf("champion__organization__acronym", Value("")), "champion__organization__name"
            ),
        )
        .order_by("champion__full_name", "number")
        .values_list(
            "champion__full_name",
            "organization",
            "champion__hub__name",
            "cycle__year",
            "number",
            "title",
            "category_labels",
            "target_kind",
            "target_value",
            "counts_kind",
            "unit",
            "baseline",
            "annotated_progress",
            "status",
            "due_on",
            "overdue",
            "last_event_on",
            "events_in_cycle",
            "latest_value",
            "panels_logged",
            "confirmed_panels",
            "confirmed_women",
            "confirmed_men",
            "self_reported_women",
            "self_reported_men",
            named=True,
        )
        .iterator(chunk_size=EXPORT_CHUNK_ROWS)
    )
    statuses = choice_labels(Status.choices)
    # Why cached: wording a target looks its unit's translation up, and an export has few targets.
    target = functools.cache(target_wording)
    cycle = filters.get("cycle")
    return (
        cycle.year if cycle else None,
        [str(name) for name in EXPORT_HEADER],
        (
            [
                row.champion__full_name,
                row.organization,
                row.champion__hub__name,
                row.cycle__year,
                row.number,
                row.title,
                row.category_labels,
                target(row.target_kind, row.target_value, row.counts_kind, row.unit, row.baseline),
                row.annotated_progress,
                statuses.get(row.status, row.status),
                row.due_on,
                yes_no(row.overdue),
                row.last_event_on,
                row.events_in_cycle,
                # An indicator's latest reported value, as a number a spreadsheet can sum.
                row.latest_value if row.target_kind == TargetKind.INDICATOR else None,
                row.panels_logged,
                row.confirmed_panels,
                women_share(row.confirmed_women, row.confirmed_men),
                women_share(row.self_reported_women, row.self_reported_men),
            ]
            for row in rows
        ),
    )
