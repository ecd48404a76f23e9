from django import template

from commitments.models import Approval, Status, percent_wording, plain_number

register = template.Library()
# A target or a reported value as people write it: 12.5 (12,5 in French), never 12.50.
register.filter("plain_number", plain_number)


@register.filter
def status_label(status):
    """A status's label in the reader's language (the choices' own: a commitment's
    get_status_display() looks through every choice each time, in every cell of a long table)."""
    return Status(status).label


@register.inclusion_tag("commitments/_progress.html")
def progress_bar(commitment, parity=True):
    """The progress bar and its figure in words; for a women's-share target with panels, and unless
    `parity` is False (a page showing the split already), its panels' share confirmed by their
    organisers apart from the self-reported share (the commitment's roll-ups of that split)."""
    return {"commitment": commitment, "percent": commitment.progress_percent, "parity": parity}


@register.inclusion_tag("commitments/_status_badge.html")
def status_badge(status):
    """The status as text on its colour: never colour alone."""
    return {"status": status, "label": Status(status).label}


@register.inclusion_tag("commitments/_approval_badge.html")
def approval_badge(approval):
    """Where a commitment is in being set, as text on its colour (never white on white)."""
    return {"approval": approval, "label": Approval(approval).label}


@register.inclusion_tag("commitments/_due_date.html")
def due_date(commitment, today):
    """The due date, with days left or how long overdue (one definition: Commitment.is_overdue)."""
    days_left = commitment.days_left(today)
    return {
        "day": commitment.due_on,
        "overdue": commitment.is_overdue(today),
        "is_open": commitment.is_open,
        "days_left": days_left,
        "days_overdue": -days_left,
    }


@register.inclusion_tag("commitments/_status_cells.html")
def status_cells(commitments):
    """A champion's commitments at a glance: one cell per commitment, its number and status as text
    on the status's colour, its title on hover."""
    return {"commitments": commitments}


@register.inclusion_tag("commitments/_last_progress.html")
def last_progress(commitment, none=None):
    """The day of the commitment's last progress event, or `none` before any (default "never")."""
    return {"day": commitment.last_event_on, "none": none}


register.filter("percent", percent_wording)
