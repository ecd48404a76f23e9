"""The annual report's charts as static SVG, drawn on the server: the same markup on the page (no
script, nothing inline for the Content-Security-Policy to refuse: presentation attributes only) and
in the PDF. Each chart repeats figures that a table beside it gives in full."""

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from commitments.models import percent_wording
from reports.models import Level

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
TEXT = "#212529"
MUTED = "#6c757d"
GRID = "#ced4da"
LEVEL_COLOURS = {
    Level.NOT_STARTED: "#6c757d",
    Level.LIMITED: "#c0640f",
    Level.SUBSTANTIAL: "#2f6fb0",
    Level.COMPLETE: "#146c43",
}
NONE_COLOUR = "#dee2e6"
REPORT_COLOURS = {
    "on_time": "#146c43",
    "late": "#9a6700",
    "not_yet_due": "#2f6fb0",
    "missing": "#b02a37",
    "not_submitted": MUTED,
}
ROW_HEIGHT = 16
ROW_GAP = 6
GROUP_GAP = 10
LABEL_CHARACTERS = 30


def _short(label, characters=LABEL_CHARACTERS):
    label = str(label)
    return label if len(label) <= characters else label[: characters - 1] + "…"


def _svg(chart_id, title, width, height, body):
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" id="{chart_id}" role="img" '
        f'aria-labelledby="{chart_id}-title" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="{FONT}" font-size="11" fill="{TEXT}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{"".join(body)}</svg>'
    )


def _legend(segments, y, x=0):
    """Coloured squares with their names, in one line from x."""
    parts = []
    for name, colour in segments:
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{y}">{escape(name)}</text>')
        x += 14 + 7 * len(str(name)) + 16
    return parts


def stacked_bars(chart_id, title, groups, segments, *, width=640, label_width=150, sublabel_width=90):
    """Horizontal bars, each split in proportion into `segments` ([(name, colour)]), as a share of
    its own total. `groups` is [(label, [(sublabel, counts)])]: bars of one group sit together."""
    bar_x = label_width + sublabel_width
    bar_width = width - bar_x - 4
    body = _legend(segments, 12)
    y = 26
    for label, bars in groups:
        body.append(f'<text x="0" y="{y + ROW_HEIGHT - 4}" font-weight="bold">{escape(_short(label))}</text>')
        for sublabel, counts in bars:
            if sublabel:
                body.append(
                    f'<text x="{label_width}" y="{y + ROW_HEIGHT - 4}" fill="{MUTED}">'
                    f"{escape(_short(sublabel, 14))}</text>"
                )
            total = sum(counts)
            x = bar_x
            if not total:
                body.append(
                    f'<rect x="{x}" y="{y}" width="{bar_width}" height="{ROW_HEIGHT}" fill="none" stroke="{GRID}"/>'
                )
            for count, (_name, colour) in zip(counts, segments, strict=True):
                if not count:
                    continue
                share = bar_width * count / total
                body.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{share:.1f}" height="{ROW_HEIGHT}" fill="{colour}"/>'
                )
                if share >= 22:
                    ink = TEXT if colour == NONE_COLOUR else "#ffffff"
                    body.append(
                        f'<text x="{x + share / 2:.1f}" y="{y + ROW_HEIGHT - 4}" text-anchor="middle" '
                        f'fill="{ink}">{count}</text>'
                    )
                x += share
            y += ROW_HEIGHT + ROW_GAP
        y += GROUP_GAP - ROW_GAP
    return _svg(chart_id, title, width, y + 4, body)


def level_chart(chart_id, title, rows):
    """Each row's commitments by self-assessment and by office rating, with those not yet assessed
    or rated (rows of the network report's breakdown)."""
    segments = [(label, LEVEL_COLOURS[level]) for level, label in Level.choices]
    segments.append((_("none yet"), NONE_COLOUR))
    groups = [
        (
            row["name"],
            [
                (_("self"), [*row["self_levels"], row["commitments"] - row["assessed"]]),
                (_("office"), [*row["office_levels"], row["commitments"] - row["rated"]]),
            ],
        )
        for row in rows
    ]
    return stacked_bars(chart_id, title, groups, segments)


def report_chart(chart_id, title, rows, state="missing"):
    """Each row's champions by the state of their report: on time, late, and not submitted as
    `state` calls it: not yet due, missing, or in a closed cycle not submitted (see
    annual.unsubmitted_state)."""
    last_label = {
        "not_yet_due": _("not yet due"),
        "missing": _("missing"),
        "not_submitted": _("not submitted (closed year)"),
    }[state]
    segments = [
        (_("on time"), REPORT_COLOURS["on_time"]),
        (_("late"), REPORT_COLOURS["late"]),
        (last_label, REPORT_COLOURS[state]),
    ]
    groups = [(row["name"], [("", [row["on_time"], row["late"], row["not_submitted"]])]) for row in rows]
    return stacked_bars(chart_id, title, groups, segments, sublabel_width=0)


def column_chart(chart_id, title, labels, values, *, reference=None, width=640, height=180):
    """Columns of percentages (0 to 100; None draws nothing), with an optional dashed reference line."""
    left, bottom, top = 34, 20, 8
    plot_height = height - bottom - top
    step = (width - left) / max(len(values), 1)
    body = []
    for percent in (0, 50, 100):
        y = top + plot_height * (1 - percent / 100)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{escape(percent_wording(percent))}</text>'
        )
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + index * step
        if value is not None:
            column = plot_height * min(value, 100) / 100
            body.append(
                f'<rect x="{x + step * 0.15:.1f}" y="{top + plot_height - column:.1f}" '
                f'width="{step * 0.7:.1f}" height="{column:.1f}" fill="#3b1f5c"/>'
            )
            body.append(
                f'<text x="{x + step / 2:.1f}" y="{top + plot_height - column - 3:.1f}" text-anchor="middle" '
                f'font-size="9">{value}</text>'
            )
        body.append(
            f'<text x="{x + step / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="9" '
            f'fill="{MUTED}">{escape(label)}</text>'
        )
    if reference is not None:
        y = top + plot_height * (1 - reference / 100)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" stroke="#b02a37" stroke-dasharray="4 3"/>'
        )
    return _svg(chart_id, title, width, height, body)


def progress_bar(percent):
    """A commitment's measured progress as a small bar (0 to 100)."""
    filled = max(0, min(int(percent), 100))
    return mark_safe(
        '<svg xmlns="http://www.w3.org/2000/svg" class="progress-chart" viewBox="0 0 100 10" width="100" '
        f'height="10" aria-hidden="true"><rect x="0" y="0" width="100" height="10" fill="{NONE_COLOUR}"/>'
        f'<rect x="0" y="0" width="{filled}" height="10" fill="#3b1f5c"/></svg>'
    )
