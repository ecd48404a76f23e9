from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from accounts.models import User
from reminders.calendar import CalendarFeed, OfficeFeedFilterForm


@login_not_required
@require_safe
def calendar_feed(request, token):
    """A person's calendar feed, for calendar apps: the token in its address is the only credential
    (no session, no cookie). A wrong or replaced token, or a deactivated account's, is a 404."""
    user = get_object_or_404(User.objects.filter(is_active=True), calendar_token=token)
    hub = OfficeFeedFilterForm(request.GET).hub_or_none() if user.is_office_member else None
    feed = CalendarFeed(user, hub=hub)
    response = HttpResponse(feed.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Language"] = feed.language
    # Why: the address is a secret; a search engine that came upon it must not list it.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
