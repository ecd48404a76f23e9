from django import template
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.inclusion_tag("dashboard/_headline.html")
def headline(figures, due_soon_days, stale_days):
    """The headline cards, each a (figure key, label, value, border style), in the order shown."""
    cards = [
        ("champions", gettext("champions"), ""),
        ("commitments", gettext("commitments"), ""),
        ("overdue", gettext("overdue"), "border-danger"),
        (
            "due_soon",
            ngettext("due in the next day", "due in the next %(days)s days", due_soon_days)
            % {"days": due_soon_days},
            "",
        ),
        (
            "stale",
            ngettext(
                "stale (no progress for %(days)s day)", "stale (no progress for %(days)s days)", stale_days
            )
            % {"days": stale_days},
            "border-warning",
        ),
        ("events", gettext("events logged in the cycle"), ""),
    ]
    return {"cards": [(figure, label, figures[figure], border) for figure, label, border in cards]}
