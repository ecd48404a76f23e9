from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import throttle
from accounts.lockout import client_address
from accounts.validators import single_line
from champions.models import Champion
from commitments.forms import CommentForm
from commitments.models import Commitment, EventKind, TargetKind, plain_number
from config.confirmation import confirmed
from events.emails import ask_organiser
from events.exports import EXPORT_CHUNK_ROWS, choice_labels, stream_csv
from events.forms import CheckInForm, KeepStatusForm, PanelConfirmationForm, ProgressEventForm, StatusForm
from events.models import CheckIn, ConfirmationOutcome, PanelConfirmation, ProgressEvent, Scope
from events.uploads import evidence_download

EVENTS_PER_PAGE = 20
# Opening or posting organisers' links, per client address and hour: an organiser needs two; more is
# somebody guessing tokens.
PANEL_CONFIRMATION_ATTEMPTS = 20
PANEL_CONFIRMATION_WINDOW = 3600


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


def _get_check_in_for_user(user, pk, *, to_change=False):
    """The check-in, if the user may see its commitment (and, with to_change, change it: whoever
    recorded it and the champion, on a commitment still logged on); else 404."""
    check_in = get_object_or_404(CheckIn.objects.select_related("logged_by"), pk=pk)
    # Through the commitment's own access rule, so that what closes a commitment to logging closes
    # its check-ins to changes too.
    check_in.commitment = _get_commitment_for_user(user, check_in.commitment_id, to_log=to_change)
    if to_change and not check_in.can_be_changed_by(user):
        raise Http404(_("You may not change this value."))
    return check_in


@login_required
def commitment_detail(request, pk):
    commitment = _get_commitment_for_user(request.user, pk)
    events = (
        commitment.events.select_related("logged_by")
        .with_organiser_answers()
        .order_by("-occurred_on", "-created_at")
    )
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    # The year's report, once signed off, is kept as it was (reports.Report.shown): events logged or
    # changed since are marked. Read through the reverse relation (reports is above events).
    signed_off_at = (
        commitment.champion.reports.filter(cycle=commitment.cycle_id)
        .values_list("submitted_at", flat=True)
        .first()
    )
    for event in page:
        event.commitment = commitment  # spares a query per row in can_be_changed_by
        event.changeable = not commitment.cycle.is_closed and event.can_be_changed_by(request.user)
        if signed_off_at:
            event.after_sign_off = event.created_at > signed_off_at
            event.changed_after_sign_off = event.updated_at > signed_off_at
    check_ins = []
    if commitment.target_kind == TargetKind.INDICATOR:
        check_ins = list(commitment.check_ins.select_related("logged_by"))
        for check_in in check_ins:
            check_in.commitment = commitment
            check_in.changeable = not commitment.cycle.is_closed and check_in.can_be_changed_by(request.user)
    return render(
        request,
        "events/commitment_detail.html",
        {
            "commitment": commitment,
            "page": page,
            "check_ins": check_ins,
            "status_changes": commitment.status_changes.select_related("changed_by")[:20],
            "approval_changes": commitment.approval_changes.select_related("changed_by")[:20],
            "carried_into": commitment.carried_into.select_related("cycle").order_by("cycle__year"),
            # Where it continues last year's: that one's progress history, the newest first.
            "comments": commitment.comments.thread(),
            "comment_form": CommentForm(),
            "earlier_events": (
                commitment.carried_from.events.select_related("logged_by").order_by(
                    "-occurred_on", "-created_at"
                )[:EVENTS_PER_PAGE]
                if commitment.carried_from_id
                else []
            ),
            "today": timezone.localdate(),
            "status_check": commitment.status_check(),
            "keep_status_form": KeepStatusForm(),
            # Panel parity: organiser-confirmed panels apart from self-reported ones.
            "parity": commitment.events.panel_parity()
            if commitment.target_kind == TargetKind.PERCENTAGE
            else None,
        },
    )


@login_required
@require_POST
def keep_status(request, pk):
    """ "Keep status": the champion's side confirms a status its measured progress contradicts; it
    is not asked again (nor flagged to the office) until the status or the measured progress changes."""
    commitment = _get_commitment_for_user(request.user, pk, to_log=True)
    form = KeepStatusForm(request.POST)
    if form.is_valid():
        commitment.confirm_status(request.user, form.cleaned_data["comment"])
        messages.success(request, _("Status kept: %(status)s.") % {"status": commitment.get_status_display()})
    else:
        messages.error(request, " ".join(form.errors["comment"]))
    return redirect("commitment_detail", commitment.pk)


@login_required
@require_http_methods(["GET", "POST"])
def change_status(request, pk):
    """Change a commitment's status without logging an event (where it disagrees with the measure)."""
    commitment = _get_commitment_for_user(request.user, pk, to_log=True)
    form = StatusForm(request.POST or None, initial={"status": commitment.status})
    if request.method == "POST" and form.is_valid():
        commitment.change_status(form.cleaned_data["status"], request.user, form.cleaned_data["comment"])
        messages.success(
            request, _("Status saved: %(status)s.") % {"status": commitment.get_status_display()}
        )
        return redirect("commitment_detail", commitment.pk)
    return render(
        request,
        "events/status_form.html",
        {"form": form, "commitment": commitment, "status_check": commitment.status_check()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def log_progress(request, pk):
    commitment = _get_commitment_for_user(request.user, pk, to_log=True)
    form = ProgressEventForm(
        request.POST or None,
        request.FILES or None,
        commitment=commitment,
        # Opens on the kind of event that counts toward the commitment, where one does.
        initial={
            "occurred_on": min(timezone.localdate(), commitment.cycle.ends_on),
            "kind": commitment.counted_kind,
        },
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
    organiser = form.organiser_to_ask()  # asked before the save: an edit's previous addresses
    with transaction.atomic():
        event.save()
        if organiser:
            ask_organiser(event, organiser)
        if form.cleaned_data.get("new_status"):
            event.commitment.change_status(
                form.cleaned_data["new_status"], user, form.cleaned_data["status_comment"]
            )


@login_required
@require_http_methods(["GET", "POST"])
def delete_event(request, pk):
    event = _get_event_for_user(request.user, pk, to_change=True)
    if confirmed(request):
        commitment_pk = event.commitment_id
        event.delete()
        messages.success(request, _("Event deleted: “%(title)s”.") % {"title": event.title})
        return redirect("commitment_detail", commitment_pk)
    return render(
        request, "events/event_confirm_delete.html", {"event": event, "commitment": event.commitment}
    )


@login_required
def evidence(request, pk):
    """Serve an event's evidence file, as a download, to the champion's side and to the office
    (ProgressEvent.objects.readable_by); everybody else gets 404."""
    event = get_object_or_404(ProgressEvent.objects.readable_by(request.user), pk=pk)
    if not event.evidence_file:
        raise Http404(_("This event has no evidence file."))
    return evidence_download(event.evidence_file, event.evidence_name)


@login_required
@require_http_methods(["GET", "POST"])
def record_check_in(request, pk):
    """Report a value on an indicator commitment: the champion's side, once the commitment is approved."""
    commitment = _get_commitment_for_user(request.user, pk, to_log=True)
    if commitment.target_kind != TargetKind.INDICATOR:
        raise Http404(_("Values are reported on indicator commitments only."))
    form = CheckInForm(
        request.POST or None,
        request.FILES or None,
        commitment=commitment,
        initial={"measured_on": min(timezone.localdate(), commitment.cycle.ends_on)},
    )
    if request.method == "POST" and form.is_valid():
        check_in = form.save(commit=False)
        check_in.logged_by = request.user
        check_in.submission_key = form.cleaned_data["submission_key"]
        try:
            _save_check_in(form, check_in)
        except IntegrityError:
            if not CheckIn.objects.filter(submission_key=check_in.submission_key).exists():
                raise
            # The same form posted twice (a double click, a resend): the first post saved it.
            if check_in.evidence_file:
                check_in.evidence_file.delete(save=False)
            messages.info(request, _("This value was already saved."))
        else:
            messages.success(request, _("Value reported: %(value)s.") % {"value": _value_on_day(check_in)})
        return redirect("commitment_detail", commitment.pk)
    return render(
        request, "events/check_in_form.html", {"form": form, "commitment": commitment, "check_in": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_check_in(request, pk):
    check_in = _get_check_in_for_user(request.user, pk, to_change=True)
    commitment = check_in.commitment
    form = CheckInForm(request.POST or None, request.FILES or None, instance=check_in, commitment=commitment)
    if request.method == "POST" and form.is_valid():
        _save_check_in(form, form.save(commit=False))
        messages.success(request, _("Value updated: %(value)s.") % {"value": _value_on_day(check_in)})
        return redirect("commitment_detail", commitment.pk)
    return render(
        request, "events/check_in_form.html", {"form": form, "commitment": commitment, "check_in": check_in}
    )


def _save_check_in(form, check_in):
    upload = form.cleaned_data.get("evidence_file")
    if upload and hasattr(upload, "content_type"):
        check_in.evidence_name = single_line(upload.name)[:255]  # as for an event's (_save_event)
    check_in.save()


def _value_on_day(check_in):
    """A check-in in words for a confirmation: "31 % women at D-1 and above on 30 June 2026"."""
    return _("%(value)s on %(day)s") % {
        "value": f"{plain_number(check_in.value)} {check_in.commitment.unit}".strip(),
        "day": date_format(check_in.measured_on, "DATE_FORMAT"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def delete_check_in(request, pk):
    check_in = _get_check_in_for_user(request.user, pk, to_change=True)
    if confirmed(request):
        check_in.delete()
        messages.success(request, _("Value deleted: %(value)s.") % {"value": _value_on_day(check_in)})
        return redirect("commitment_detail", check_in.commitment_id)
    return render(
        request,
        "events/check_in_confirm_delete.html",
        {"check_in": check_in, "commitment": check_in.commitment, "value": _value_on_day(check_in)},
    )


@login_required
def check_in_evidence(request, pk):
    """Serve a check-in's evidence file, as a download, to the champion's side and to the office
    (which reads every champion's progress and its evidence); everybody else gets 404."""
    if request.user.is_office_member:
        check_in = get_object_or_404(CheckIn, pk=pk)
    else:
        check_in = _get_check_in_for_user(request.user, pk)
    if not check_in.evidence_file:
        raise Http404(_("This value has no evidence file."))
    return evidence_download(check_in.evidence_file, check_in.evidence_name)


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
        # A panel's organiser's answer (a panel counts with these figures once answered:
        # ProgressEventQuerySet.panel_parity); empty where no organiser answered.
        "organiser's answer",
        "women, as the organiser says",
        "men, as the organiser says",
    ]
    kinds, scopes = choice_labels(EventKind.choices), choice_labels(Scope.choices)
    outcomes = choice_labels(ConfirmationOutcome.choices)
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
            outcomes.get(event.organiser_outcome, ""),
            event.organiser_women,
            event.organiser_men,
        ]
        for event in events.with_organiser_figures().iterator(chunk_size=EXPORT_CHUNK_ROWS)
    )
    return stream_csv("my-events.csv", header, rows)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def confirm_panel(request, token):
    """A panel's organiser, from the emailed link, without an account: confirm or correct its women
    and men speakers. The page shows the panel's title and date, the champion's name and the figures
    logged, nothing else. The link works once, for PANEL_CONFIRMATION_DAYS; a wrong one is a 404."""
    if not throttle.allow(
        f"panel-confirmation:{client_address(request)}",
        PANEL_CONFIRMATION_ATTEMPTS,
        PANEL_CONFIRMATION_WINDOW,
    ):
        return render(request, "events/panel_confirmation_closed.html", {"throttled": True}, status=429)
    try:
        confirmation = PanelConfirmation.objects.by_token(token)
    except PanelConfirmation.DoesNotExist as unknown:
        raise Http404(_("This link is not valid.")) from unknown
    if not confirmation.is_open:
        return _closed_link(request, confirmation)
    event = confirmation.event
    form = PanelConfirmationForm(
        request.POST or None, initial={"women_count": event.women_count, "men_count": event.men_count}
    )
    if request.method == "POST" and form.is_valid():
        if not confirmation.answer(form.cleaned_data["women_count"], form.cleaned_data["men_count"]):
            confirmation.refresh_from_db()
            return _closed_link(request, confirmation)
        return render(request, "events/panel_confirmation_done.html", {"confirmation": confirmation})
    return render(
        request,
        "events/panel_confirmation.html",
        {"event": event, "champion_name": event.commitment.champion.full_name, "form": form},
    )


def _closed_link(request, confirmation):
    """A link used already or expired: 410, saying which (and nothing of the panel)."""
    return render(
        request,
        "events/panel_confirmation_closed.html",
        {"used": confirmation.used_at is not None, "expired": confirmation.used_at is None},
        status=410,
    )
