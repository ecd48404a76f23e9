from django import template

from reports import charts

register = template.Library()


@register.filter
def percent(value):
    """A share in percent, or a dash where there was nothing to divide (None)."""
    return "—" if value is None else f"{value}%"


@register.filter
def progress_bar(percent):
    """Measured progress as a small SVG bar (see reports.charts)."""
    return charts.progress_bar(percent)
