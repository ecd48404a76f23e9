from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.inclusion_tag("commitments/_progress.html")
def progress_bar(commitment):
    return {"commitment": commitment, "percent": commitment.progress_percent}


# Why simple tags below (not inclusion tags): dashboards render them in every row of long tables,
# and format_html costs a fraction of rendering a template each time.
@register.simple_tag
def status_badge(status, label):
    """The status as text on its colour: never colour alone."""
    return format_html('<span class="badge status-badge status-{}">{}</span>', status, label)


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
