import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.validators import single_line
from champions.models import Champion
from commitments.models import Commitment, EventKind
from events.exports import EXPORT_CHUNK_ROWS, choice_labels, stream_csv
from events.forms import ProgressEventForm
from events.models import ProgressEvent, Scope

EVENTS_PER_PAGE = 20


def _get_commitment_for_user(user, pk, *, to_log=False):
    """The commitment, if the user is its champion or a focal point of its champion; else 404.

    To log on it (progress, check-ins), it must also be approved (drafts are not measured) and in a
    cycle not closed (a past year kept as history is read-only to the champion's side)."""
    commitments = Commitment.objects.visible_to(user).select_related(
        "champion__organization", "champion__hub", "cycle", "carried_from__cycle"
    )
    if to_log:
        commitments = commitments.approved()
    commitment = get_object_or_404(commitments, pk=pk)
    if to_log:
        _refuse_closed_cycle(commitment.cycle)
    return commitment


def _refuse_closed_cycle(cycle):
    if cycle.is_closed:
        raise Http404(
            _("The %(year)s cycle is closed and kept as history: it can no longer be changed.")
            % {"year": cycle.year}
        )


def _get_event_for_user(user, pk, *, to_change=False):
    """The event, if the user may see it (and change it, with to_change: not in a closed cycle);
    else 404."""
    events = ProgressEvent.objects.visible_to(user).select_related(
        "commitment__champion", "commitment__cycle"
    )
    event = get_object_or_404(events, pk=pk)
    if to_change and not event.can_be_changed_by(user):
        raise Http404(_("You may not change this event."))
    if to_change:
        _refuse_closed_cycle(event.commitment.cycle)
    return event


@login_required
def commitment_detail(request, pk):
    commitment = _get_commitment_for_user(request.user, pk)
    events = commitment.events.select_related("logged_by").order_by("-occurred_on", "-created_at")
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    for event in page:
        event.commitment = commitment  # spares a query per row in can_be_changed_by
        event.changeable = not commitment.cycle.is_closed and event.can_be_changed_by(request.user)
    return render(
        request,
        "events/commitment_detail.html",
        {
            "commitment": commitment,
            "page": page,
            "status_changes": commitment.status_changes.select_related("changed_by")[:20],
            "approval_changes": commitment.approval_changes.select_related("changed_by")[:20],
            "carried_into": commitment.carried_into.select_related("cycle").order_by("cycle__year"),
            # Where it continues last year's: that one's progress history, the newest first.
            "earlier_events": (
                commitment.carried_from.events.select_related("logged_by").order_by(
                    "-occurred_on", "-created_at"
                )[:EVENTS_PER_PAGE]
                if commitment.carried_from_id
                else []
            ),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def log_progress(request, pk):
    commitment = _get_commitment_for_user(request.user, pk, to_log=True)
    form = ProgressEventForm(
        request.POST or None,
        request.FILES or None,
        commitment=commitment,
        initial={"occurred_on": min(timezone.localdate(), commitment.cycle.ends_on)},
    )
    if request.method == "POST" and form.is_valid():
        event = form.save(commit=False)
        event.logged_by = request.user
        event.submission_key = form.cleaned_data["submission_key"]
        try:
            _save_event(form, event, request.user)
        except IntegrityError:
            if not ProgressEvent.objects.filter(submission_key=event.submission_key).exists():
                raise
            # The same form posted twice (a double click, a resend): the first post saved it.
            if event.evidence_file:
                event.evidence_file.delete(save=False)
            messages.info(request, _("This progress was already saved."))
        else:
            messages.success(request, _("Progress logged: “%(title)s”.") % {"title": event.title})
        return redirect("commitment_detail", commitment.pk)
    return render(request, "events/event_form.html", {"form": form, "commitment": commitment, "event": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit_event(request, pk):
    event = _get_event_for_user(request.user, pk, to_change=True)
    commitment = event.commitment
    form = ProgressEventForm(
        request.POST or None, request.FILES or None, instance=event, commitment=commitment
    )
    if request.method == "POST" and form.is_valid():
        _save_event(form, form.save(commit=False), request.user)
        messages.success(request, _("Event updated: “%(title)s”.") % {"title": event.title})
        return redirect("commitment_detail", commitment.pk)
    return render(request, "events/event_form.html", {"form": form, "commitment": commitment, "event": event})


def _save_event(form, event, user):
    """Save the event, its evidence name and the optional status update, all or nothing."""
    upload = form.cleaned_data.get("evidence_file")
    if upload and hasattr(upload, "content_type"):
        # The uploader's own file name: shown on pages and sent back in Content-Disposition, so
        # without the invisible characters that make "report\u202efdp.exe" read as "reportexe.pdf".
        event.evidence_name = single_line(upload.name)[:255]
    with transaction.atomic():
        event.save()
        if form.cleaned_data.get("new_status"):
            event.commitment.change_status(
                form.cleaned_data["new_status"], user, form.cleaned_data["status_comment"]
            )


@login_required
@require_http_methods(["GET", "POST"])
def delete_event(request, pk):
    event = _get_event_for_user(request.user, pk, to_change=True)
    if request.method == "POST":
        commitment_pk = event.commitment_id
        event.delete()
        messages.success(request, _("Event deleted: “%(title)s”.") % {"title": event.title})
        return redirect("commitment_detail", commitment_pk)
    return render(
        request, "events/event_confirm_delete.html", {"event": event, "commitment": event.commitment}
    )


@login_required
def evidence(request, pk):
    """Serve an event's evidence file to those who may see the event, as a download."""
    event = _get_event_for_user(request.user, pk)
    if not event.evidence_file:
        raise Http404(_("This event has no evidence file."))
    filename = event.evidence_name or event.evidence_file.name
    if settings.EVIDENCE_ACCEL_REDIRECT_PREFIX:
        # Behind nginx: the access check is done, so nginx sends the file from its internal
        # location (deploy/nginx/), and no app server is held while a large file goes out.
        if not event.evidence_file.storage.exists(event.evidence_file.name):
            raise Http404(_("The evidence file is missing."))
        content_type = mimetypes.guess_type(event.evidence_file.name)[0] or "application/octet-stream"
        response = HttpResponse(content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        location = settings.EVIDENCE_ACCEL_REDIRECT_PREFIX + quote(event.evidence_file.name)
        response["X-Accel-Redirect"] = location
        return response
    try:
        handle = event.evidence_file.open("rb")
    except FileNotFoundError as missing:
        raise Http404(_("The evidence file is missing.")) from missing
    return FileResponse(handle, as_attachment=True, filename=filename)


@login_required
def export_my_events(request):
    """The events of the champions the user serves, as CSV (one champion with ?champion=ID)."""
    champions = Champion.objects.served_by(request.user)
    if request.GET.get("champion", "").isdigit():
        champions = champions.filter(pk=request.GET["champion"])
    events = (
        ProgressEvent.objects.filter(commitment__champion__in=champions)
        .select_related("commitment__champion", "commitment__cycle", "logged_by")
        .order_by("commitment__champion__full_name", "commitment__number", "-occurred_on")
    )
    year = request.GET.get("cycle", "")
    if year.isdigit():
        events = events.filter(commitment__cycle__year=year)
    header = [
        "champion",
        "cycle",
        "commitment",
        "date",
        "kind",
        "title",
        "scope",
        "location",
        "women",
        "men",
        "logged by",
        "evidence link",
    ]
    kinds, scopes = choice_labels(EventKind.choices), choice_labels(Scope.choices)
    rows = (
        [
            event.commitment.champion.full_name,
            event.commitment.cycle.year,
            event.commitment.number,
            event.occurred_on.isoformat(),
            kinds.get(event.kind, event.kind),
            event.title,
            scopes.get(event.scope, event.scope),
            event.location,
            event.women_count,
            event.men_count,
            event.logged_by.get_full_name() if event.logged_by else "",
            event.evidence_url,
        ]
        for event in events.iterator(chunk_size=EXPORT_CHUNK_ROWS)
    )
    return stream_csv("my-events.csv", header, rows)
