"""The year end: assessing commitments, signing the report off, and the office's rating beside it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import office_required
from accounts.validators import single_line
from champions.models import Champion
from commitments.models import Commitment, Cycle
from events.models import ProgressEvent
from reports.forms import AssessmentForm, NoteForm, RatingForm
from reports.models import Assessment, Report, assessment_opens_on

KEY_EVENTS = 3


def _get_champion_for_report(user, pk):
    """A champion whose report the user may read: their own or one they serve, or any for the office."""
    champions = Champion.objects.all() if user.is_office_member else Champion.objects.served_by(user)
    return get_object_or_404(champions.select_related("organization", "hub", "user"), pk=pk)


def _get_commitment_to_assess(user, pk):
    """An approved commitment of a champion the user is or serves; else 404."""
    commitments = Commitment.objects.visible_to(user).approved().select_related("champion__user", "cycle")
    return get_object_or_404(commitments, pk=pk)


def report_context(report, user):
    """What a champion's report shows: each approved commitment with its target, progress,
    self-assessment, the office's rating (for the champion's side once reviewed), and key events."""
    commitments = list(report.commitments())
    events = {}
    for event in (
        ProgressEvent.objects.filter(commitment__in=commitments)
        .order_by("commitment_id", "-occurred_on", "-id")
        .only("commitment_id", "occurred_on", "kind", "title", "women_count", "men_count")
    ):
        events.setdefault(event.commitment_id, [])
        if len(events[event.commitment_id]) < KEY_EVENTS:
            events[event.commitment_id].append(event)
    for commitment in commitments:
        commitment.key_events = events.get(commitment.pk, [])
        commitment.report_assessment = getattr(commitment, "assessment", None)
    is_office = user.is_office_member
    return {
        "report": report,
        "champion": report.champion,
        "cycle": report.cycle,
        "commitments": commitments,
        "is_office": is_office,
        "shows_rating": is_office or report.is_reviewed,
        "assessed": sum(1 for commitment in commitments if commitment.report_assessment),
    }


@login_required
def champion_report(request, year, pk):
    """A champion's annual report: where their side assesses and submits, and the office rates."""
    champion = _get_champion_for_report(request.user, pk)
    cycle = get_object_or_404(Cycle, year=year)
    report = Report.of(champion, cycle)
    today = timezone.localdate()
    context = report_context(report, request.user)
    is_champions_side = Champion.objects.served_by(request.user).filter(pk=champion.pk).exists()
    context.update(
        opens_on=assessment_opens_on(cycle),
        window_open=today >= assessment_opens_on(cycle),
        can_assess=is_champions_side and not report.is_submitted and today >= assessment_opens_on(cycle),
        can_submit=request.user.pk == champion.user_id and not report.is_submitted,
        rating_form=RatingForm(),
        note_form=NoteForm(),
        steps=report.steps.select_related("by")[:20],
    )
    return render(request, "reports/champion_report.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assess(request, pk):
    """Assess one commitment: during the window, until the report is submitted."""
    commitment = _get_commitment_to_assess(request.user, pk)
    report = Report.of(commitment.champion, commitment.cycle)
    if report.is_submitted:
        raise Http404(_("The report is submitted: its assessments are read-only."))
    if timezone.localdate() < assessment_opens_on(commitment.cycle):
        raise Http404(_("Assessments open on %(day)s.") % {"day": assessment_opens_on(commitment.cycle)})
    instance = Assessment.objects.filter(commitment=commitment).first()
    form = AssessmentForm(
        request.POST or None, request.FILES or None, instance=instance, commitment=commitment
    )
    if request.method == "POST" and form.is_valid():
        assessment = form.save(commit=False)
        assessment.assessed_by, assessment.assessed_at = request.user, timezone.now()
        upload = form.cleaned_data.get("evidence_file")
        if upload and hasattr(upload, "content_type"):
            assessment.evidence_name = single_line(upload.name)[:255]
        assessment.save()
        messages.success(
            request, _("Assessment saved: commitment %(number)s.") % {"number": commitment.number}
        )
        return redirect("champion_report", commitment.cycle.year, commitment.champion_id)
    return render(request, "reports/assess.html", {"form": form, "commitment": commitment, "report": report})


@login_required
@require_POST
def submit_report(request, year, pk):
    """The champion signs the report off (a focal point cannot)."""
    champion = get_object_or_404(Champion.objects.served_by(request.user), pk=pk)
    report = Report.of(champion, get_object_or_404(Cycle, year=year))
    try:
        submitted = report.submit(request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if submitted:
            messages.success(request, _("Report submitted. Thank you."))
    return redirect("champion_report", year, champion.pk)


@office_required
@require_POST
def rate(request, pk):
    """The office's rating of one commitment of a submitted report."""
    assessment = get_object_or_404(Assessment.objects.select_related("commitment__cycle"), commitment=pk)
    commitment = assessment.commitment
    report = Report.of(commitment.champion, commitment.cycle)
    form = RatingForm(request.POST)
    if not report.is_submitted:
        messages.error(request, _("The office rates a report once it is submitted."))
    elif not form.is_valid():
        messages.error(
            request, _("Choose the office's level for commitment %(number)s.") % {"number": commitment.number}
        )
    else:
        assessment.rate(request.user, form.cleaned_data["office_level"], form.cleaned_data["office_comment"])
        if assessment.diverges:
            messages.warning(
                request, _("Commitment %(number)s: the assessments differ.") % {"number": commitment.number}
            )
        else:
            messages.success(
                request, _("Rating saved: commitment %(number)s.") % {"number": commitment.number}
            )
    return redirect("champion_report", commitment.cycle.year, commitment.champion_id)


@office_required
@require_POST
def resolve(request, pk):
    """The office settles where its rating and the champion's differ, saying how."""
    assessment = get_object_or_404(
        Assessment.objects.differing().select_related("commitment__cycle"), commitment=pk
    )
    form = NoteForm(request.POST)
    if form.is_valid():
        assessment.resolve_divergence(request.user, form.cleaned_data["note"])
        messages.success(request, _("Marked as resolved."))
    else:
        messages.error(request, " ".join(form.errors["note"]))
    commitment = assessment.commitment
    return redirect("champion_report", commitment.cycle.year, commitment.champion_id)


@office_required
@require_POST
def mark_reviewed(request, year, pk):
    report = get_object_or_404(Report.objects.select_related("cycle"), champion=pk, cycle__year=year)
    try:
        report.mark_reviewed(request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Report marked reviewed: the champion now sees the office's ratings."))
    return redirect("champion_report", year, pk)


@office_required
@require_POST
def reopen(request, year, pk):
    report = get_object_or_404(Report.objects.select_related("cycle"), champion=pk, cycle__year=year)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["note"]))
    else:
        with transaction.atomic():
            reopened = report.reopen(request.user, form.cleaned_data["note"])
        if reopened:
            messages.success(
                request, _("Report reopened: the champion can change the assessments and submit again.")
            )
    return redirect("champion_report", year, pk)
