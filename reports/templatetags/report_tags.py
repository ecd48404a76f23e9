from django import template

from commitments.models import percent_wording
from reports import charts

register = template.Library()


register.filter("percent", percent_wording)


@register.filter
def progress_bar(percent):
    """Measured progress as a small SVG bar (see reports.charts)."""
    return charts.progress_bar(percent)
