"""The office's export of the dashboard's commitments, as CSV and XLSX, for its filters."""

import functools

from django.db.models import BooleanField, ExpressionWrapper, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from accounts.decorators import office_required
from commitments.models import Status, TargetKind, target_wording
from dashboard.forms import filtered
from events.exports import EXPORT_CHUNK_ROWS, choice_labels, stream_csv, xlsx_response


@office_required
def export_csv(request):
    """The filtered commitments as CSV, streamed row by row."""
    return stream_csv("commitments.csv", *_export(request))


@office_required
def export_xlsx(request):
    """The filtered commitments as XLSX: the CSV's filters and columns, with no separator to get wrong."""
    return xlsx_response("commitments.xlsx", *_export(request))


EXPORT_HEADER = [
    "champion",
    "organization",
    "hub",
    "cycle",
    "number",
    "title",
    "categories",
    "target",
    "progress %",
    "status",
    "due date",
    "overdue",
    "last event date",
    "event count",
    "latest value",
]


def _export(request):
    """The export's header and rows (a generator) for the dashboard's filters in the query string.

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
            named=True,
        )
        .iterator(chunk_size=EXPORT_CHUNK_ROWS)
    )
    statuses = choice_labels(Status.choices)
    # Why cached: wording a target looks its unit's translation up, and an export has few targets.
    target = functools.cache(target_wording)
    return EXPORT_HEADER, (
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
            row.due_on.isoformat(),
            "yes" if row.overdue else "no",
            row.last_event_on.isoformat() if row.last_event_on else "",
            row.events_in_cycle,
            # An indicator's latest reported value, as a number a spreadsheet can sum.
            row.latest_value
            if row.target_kind == TargetKind.INDICATOR and row.latest_value is not None
            else "",
        ]
        for row in rows
    )
