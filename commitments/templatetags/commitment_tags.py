from django import template

register = template.Library()


@register.inclusion_tag("commitments/_progress.html")
def progress_bar(commitment):
    return {"commitment": commitment, "percent": commitment.progress_percent}


@register.inclusion_tag("commitments/_status.html")
def status_badge(status, label):
    return {"status": status, "label": label}


@register.inclusion_tag("commitments/_due.html")
def due_date(commitment, today):
    days = commitment.days_left(today)
    return {
        "commitment": commitment,
        "days": days,
        "overdue_by": -days if commitment.is_overdue(today) else None,
    }
