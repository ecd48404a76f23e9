from functools import wraps

from django.core.exceptions import PermissionDenied


def office_required(view):
    """Members of the chief-of-staff office and superusers; everybody else gets the 403 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_office_member:
            raise PermissionDenied("This page is for the chief-of-staff office.")
        return view(request, *args, **kwargs)

    return wrapper
