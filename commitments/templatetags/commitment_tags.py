from django import template
from django.utils.formats import date_format, localize
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext

from commitments.models import Status

register = template.Library()


@register.inclusion_tag("commitments/_progress.html")
def progress_bar(commitment):
    return {"commitment": commitment, "percent": commitment.progress_percent}


# Why simple tags below (not inclusion tags): dashboards render them in every row of long tables,
# and format_html costs a fraction of rendering a template each time.
def _badge(status, text, title=""):
    """`text` on the status's colour (callers say the status in `text`: never colour alone)."""
    title = format_html(' title="{}"', title) if title else ""
    return format_html('<span class="badge status-badge status-{}"{}>{}</span>', status, title, text)


@register.simple_tag
def status_badge(status):
    """The status as text on its colour: never colour alone."""
    # Why Status(status).label, not get_status_display: that hashes every choice's lazy label.
    return _badge(status, Status(status).label)


@register.simple_tag
def due_date(commitment, today):
    """The due date, with days left or how long overdue (one definition: Commitment.is_overdue)."""
    day = format_html('<span class="text-nowrap">{}</span>', date_format(commitment.due_on, "j M Y"))
    days = commitment.days_left(today)
    if commitment.is_overdue(today):
        note = ngettext("overdue by %(days)s day", "overdue by %(days)s days", -days) % {"days": -days}
        return format_html('{} <span class="badge text-bg-danger">{}</span>', day, note)
    if not commitment.is_open:
        return day
    if days == 0:
        return format_html('{} <span class="badge text-bg-warning">{}</span>', day, gettext("due today"))
    note = ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}
    return format_html('{} <span class="small text-muted">{}</span>', day, note)


@register.simple_tag
def status_cells(cells):
    """A champion's commitments at a glance: one cell per (number, status, title), number and status
    as text on the status's colour."""
    items = format_html_join(
        "",
        '<li class="list-inline-item">{}</li>',
        ((_badge(status, f"{number} · {Status(status).label}", title),) for number, status, title in cells),
    )
    return format_html(
        '<ul class="list-inline mb-0 status-cells" aria-label="{}">{}</ul>',
        gettext("Status of each commitment"),
        items,
    )


@register.simple_tag
def last_progress(commitment, none=None):
    """The day of the commitment's last progress event, or `none` before any (default "never")."""
    if commitment.last_event_on:
        return date_format(commitment.last_event_on, "j M Y")
    return gettext("never") if none is None else none


# Why a filter: dashboard tables show a percentage in every row (a filter is a function call).
@register.filter
def percent(value):
    """A percentage, or a dash when there is none (a share of nothing)."""
    return "–" if value is None else f"{localize(value)}%"
