from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def person(user, nobody=""):
    """Who did something, by a stable identity: the name they go by and, beside it, the email they
    sign in with (a name is the person's own text, and may change; the office's pages and audit
    trail must not be misled by it). `nobody` when there is no account (a deleted one)."""
    if user is None:
        return nobody
    name = user.full_name
    if not name:
        return user.email
    return format_html('{} <span class="text-muted">&lt;{}&gt;</span>', name, user.email)
