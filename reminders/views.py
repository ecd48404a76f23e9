from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from reminders.calendar import CalendarFeed, OfficeFeedFilterForm, feed_owner


@login_not_required
@require_safe
def calendar_feed(request, token):
    """A person's calendar feed, for calendar apps: the token in its address is the only credential
    (no session, no cookie). A wrong or replaced token is a 404, and so is the token of someone with
    no feed (calendar.feed_owner: deactivated, no password yet, or acting for no active champion)."""
    user = feed_owner(token)
    if user is None:
        raise Http404("No such calendar feed.")
    hub = OfficeFeedFilterForm(request.GET).hub_or_none() if user.is_office_member else None
    feed = CalendarFeed(user, hub=hub)
    response = HttpResponse(feed.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Language"] = feed.language
    # Why: the address is a secret; a search engine that came upon it must not list it.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
