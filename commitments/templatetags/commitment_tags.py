import functools
from html import escape

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.formats import date_format, localize
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from commitments.models import Status

register = template.Library()


@register.inclusion_tag("commitments/_progress.html")
def progress_bar(commitment):
    return {"commitment": commitment, "percent": commitment.progress_percent}


# Why simple tags below (not inclusion tags): dashboards render them in every row of long tables,
# and building the markup in Python costs a fraction of rendering a template each time.
@functools.cache
def _status_labels(language):
    """Each status's label in `language` (the active one), looked up once per language: a lazy
    label looks its translation up each time it is shown, in every row."""
    return {status: str(label) for status, label in Status.choices}


@functools.lru_cache(maxsize=4096)
def _day(day, language):
    """A day as the tables show it ("9 Mar 2026") in `language` (the active one): formatted once."""
    return date_format(day, "j M Y")


@receiver(setting_changed)
def _forget_wording(**kwargs):
    """A test that changes settings (languages, translations) gets labels and days worded anew."""
    _status_labels.cache_clear()
    _day.cache_clear()


def _badge_html(status, text, title=""):
    """`text` on the status's colour (callers say the status in `text`: never colour alone), as
    escaped markup: the cells of a ranking are hundreds of these."""
    title = f' title="{escape(str(title))}"' if title else ""
    return f'<span class="badge status-badge status-{escape(str(status))}"{title}>{escape(str(text))}</span>'


@register.simple_tag
def status_badge(status):
    """The status as text on its colour: never colour alone."""
    return mark_safe(_badge_html(status, _status_labels(get_language())[status]))


@register.simple_tag
def due_date(commitment, today):
    """The due date, with days left or how long overdue (one definition: Commitment.is_overdue)."""
    # Why escape() and f-strings, not format_html: every row of the dashboard's tables has one.
    day = f'<span class="text-nowrap">{escape(_day(commitment.due_on, get_language()))}</span>'
    days = commitment.days_left(today)
    if commitment.is_overdue(today):
        note = ngettext("overdue by %(days)s day", "overdue by %(days)s days", -days) % {"days": -days}
        return mark_safe(f'{day} <span class="badge text-bg-danger">{escape(note)}</span>')
    if not commitment.is_open:
        return mark_safe(day)
    if days == 0:
        return mark_safe(f'{day} <span class="badge text-bg-warning">{escape(gettext("due today"))}</span>')
    note = ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}
    return mark_safe(f'{day} <span class="small text-muted">{escape(note)}</span>')


@register.simple_tag
def status_cells(cells):
    """A champion's commitments at a glance: one cell per (number, status, title), number and status
    as text on the status's colour."""
    labels = _status_labels(get_language())
    items = "".join(
        f'<li class="list-inline-item">{_badge_html(status, f"{number} · {labels[status]}", title)}</li>'
        for number, status, title in cells
    )
    label = escape(gettext("Status of each commitment"))
    return mark_safe(f'<ul class="list-inline mb-0 status-cells" aria-label="{label}">{items}</ul>')


@register.simple_tag
def last_progress(commitment, none=None):
    """The day of the commitment's last progress event, or `none` before any (default "never")."""
    if commitment.last_event_on:
        return _day(commitment.last_event_on, get_language())
    return gettext("never") if none is None else none


# Why a filter: dashboard tables show a percentage in every row (a filter is a function call).
@register.filter
def percent(value):
    """A percentage, or a dash when there is none (a share of nothing)."""
    if value is None:
        return "–"
    return f"{number(value)}%"


def number(value):
    """A number as the page's language writes it (localize), for tables of many numbers.

    Why whole numbers below 1,000 skip localize(): they are their digits in every language (no
    separator to place), and localize() looks three formats up for each.
    """
    if type(value) is int and -1000 < value < 1000:
        return str(value)
    return str(localize(value))
