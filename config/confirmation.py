"""Actions that change much at once or cannot be undone (submitting commitments, approving them all,
signing a report off, deleting) ask first, with or without JavaScript: their button or link reaches
the action without `confirm`, which shows a page saying what will happen and changes nothing; that
page's Confirm button posts again with `confirm=1` (templates/confirm_base.html)."""

CONFIRM_FIELD = "confirm"


def confirmed(request):
    """Whether this POST comes from the confirmation page's Confirm button."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "1"
