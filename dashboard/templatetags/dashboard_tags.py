from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from commitments.templatetags.commitment_tags import (
    due_date,
    last_progress,
    number,
    percent,
    status_badge,
    status_cells,
)

register = template.Library()


@register.inclusion_tag("dashboard/_headline.html")
def headline(figures, due_soon_days, stale_days):
    """The headline cards, each a (figure key, label, value, border style), in the order shown."""
    cards = [
        ("champions", gettext("champions"), ""),
        ("commitments", gettext("commitments"), ""),
        ("overdue", gettext("overdue"), "border-danger"),
        ("due_soon", gettext("due in the next %(days)s days") % {"days": due_soon_days}, ""),
        ("stale", gettext("stale (no progress for %(days)s days)") % {"days": stale_days}, "border-warning"),
        ("events", gettext("events logged in the cycle"), ""),
    ]
    return {"cards": [(figure, label, figures[figure], border) for figure, label, border in cards]}


@register.simple_tag
def commitment_row(commitment, today):
    """A row of the dashboard's tables of commitments (overdue, due soon, stale): the champion and
    organization, the commitment, its status, due date and last progress.

    Why a tag, not the row in the template: the three tables are 30 rows, whose 13 variables and
    tags each cost a template about three times what this costs in Python. The cells are the
    commitment tags' own (status_badge, due_date, last_progress): one wording of each.
    """
    c = commitment
    return mark_safe(
        "<tr>"
        f'<td><a href="{escape(c.champion_link)}">{escape(c.champion_name)}</a>'
        f'<div class="small text-muted">{escape(c.organization_acronym)}</div></td>'
        f'<td><a href="{escape(c.link)}"><span class="d-inline-block text-truncate title-cell align-bottom">'
        f"{c.number}. {escape(c.title)}</span></a></td>"
        f"<td>{status_badge(c.status)}</td>"
        f"<td>{due_date(c, today)}</td>"
        f"<td>{escape(last_progress(c))}</td>"
        "</tr>"
    )


@register.simple_tag
def breakdown_row(row):
    """A row of a breakdown table (by hub, category or organization): its name, commitments, average
    progress and how many are overdue. A tag for the reason commitment_row is one: 29 rows."""
    return mark_safe(
        f'<tr><th scope="row">{escape(str(row["name"]))}</th>'
        f'<td class="text-end">{escape(number(row["commitments"]))}</td>'
        f'<td class="text-end">{escape(percent(row["percent"]))}</td>'
        f'<td class="text-end">{escape(number(row["overdue"]))}</td></tr>'
    )


@register.simple_tag
def ranking_row(row):
    """A row of the champion ranking: the champion (a link), the hub, the average progress and the
    status of each commitment (status_cells). A tag for the reason commitment_row is one: 25 rows."""
    return mark_safe(
        f'<tr><td><a href="{escape(row["link"])}">{escape(row["full_name"])}</a></td>'
        f"<td>{escape(row['hub_name'])}</td>"
        f'<td class="text-end">{escape(percent(row["percent"]))}</td>'
        f"<td>{status_cells(row['cells'])}</td></tr>"
    )


@register.simple_tag
def status_mix_rows(status_by_hub):
    """The rows of the status mix table: each hub's name, then its commitments in each status."""
    return mark_safe(
        "".join(
            f'<tr><th scope="row">{escape(str(hub))}</th>'
            + "".join(f'<td class="text-end">{escape(number(n))}</td>' for n in counts)
            + "</tr>"
            for hub, counts in status_by_hub.items()
        )
    )
