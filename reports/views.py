"""The year end: assessing commitments, signing the report off, the office's rating beside it, and
the annual report: each champion's and the network's, as pages, PDFs and a CSV."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import office_required
from accounts.validators import single_line
from champions.models import Champion, Hub
from commitments.models import Commitment, Cycle, Handover, returning_champions_ambition
from config.confirmation import confirmed
from events.exports import stream_csv, xlsx_response
from events.models import CheckIn, ProgressEvent
from events.uploads import evidence_download
from reports import as_of as reports_as_of
from reports import charts
from reports.annual import (
    MISSING,
    NOT_SUBMITTED,
    NOT_YET_DUE,
    REPORT_COUNTS,
    for_annual_report,
    network_figures,
)
from reports.forms import (
    AsOfForm,
    AssessmentForm,
    ForewordForm,
    HighlightsForm,
    NetworkReportFilterForm,
    NoteForm,
    RatingFormSet,
)
from reports.models import AnnualReport, Assessment, NetworkProfile, Report, assessment_opens_on
from reports.pdf import filename, pdf_response


def _get_champion_for_report(user, pk):
    """A champion whose report the user may read: their own or one they serve, or any for the office."""
    champions = Champion.objects.all() if user.is_office_member else Champion.objects.served_by(user)
    return get_object_or_404(champions.select_related("organization", "hub", "user"), pk=pk)


def _get_commitment_to_assess(user, pk):
    """An approved commitment of a champion the user is or serves, in a cycle not closed (a past year
    kept as history is read-only to the champion's side); else 404."""
    commitments = Commitment.objects.visible_to(user).approved().select_related("champion__user", "cycle")
    commitment = get_object_or_404(commitments, pk=pk)
    if commitment.cycle.is_closed:
        raise Http404(
            _("The %(year)s cycle is closed and kept as history: it can no longer be changed.")
            % {"year": commitment.cycle.year}
        )
    return commitment


def report_context(report, user, as_of=None):
    """What a champion's report shows: each approved commitment with its target, progress,
    self-assessment, the office's rating (for the champion's side once reviewed), and key events;
    the network pledges the champion signed, with their panels in the cycle. A signed-off report
    shows them as they were when it was signed off (Report.shown).

    As of a day (`as_of`), the report as it stood at the end of that day (reports/as_of.py):
    `report` then says whether it was submitted then (an unsaved copy; it is never saved)."""
    if as_of:
        report = reports_as_of.report_then(report, reports_as_of.moment_after(as_of))
        commitments, signatures = report.shown_then
    else:
        commitments, signatures = report.shown()
        for commitment in commitments:
            commitment.report_assessment = getattr(commitment, "assessment", None)
    is_office = user.is_office_member
    return {
        "as_of": as_of,
        "report": report,
        "champion": report.champion,
        "cycle": report.cycle,
        "commitments": commitments,
        "signatures": signatures,
        "is_office": is_office,
        "shows_rating": is_office or report.is_reviewed,
        "assessed": sum(1 for commitment in commitments if commitment.report_assessment),
        # The champion handed over in the cycle: their report says to whom and when.
        "handovers": Handover.objects.in_force()
        .filter(from_champion=report.champion_id, cycle=report.cycle_id)
        .select_related("to_champion"),
    }


def attach_evidence(commitments):
    """Give each commitment its `evidence`: every progress event logged on it, newest first (with
    who logged it), and its `reported` check-ins (an indicator's), in two queries for the whole
    report: what the office checks its ratings against."""
    events, check_ins = {}, {}
    logged = ProgressEvent.objects.filter(commitment__in=commitments).select_related("logged_by")
    for event in logged.order_by("-occurred_on", "-created_at"):
        events.setdefault(event.commitment_id, []).append(event)
    reported = CheckIn.objects.filter(commitment__in=commitments).select_related("logged_by")
    for check_in in reported:
        check_ins.setdefault(check_in.commitment_id, []).append(check_in)
    for commitment in commitments:
        commitment.evidence = events.get(commitment.pk, [])
        commitment.reported = check_ins.get(commitment.pk, [])


@login_required
def champion_report(request, year, pk):
    """A champion's annual report: where their side assesses and submits, and the office rates."""
    champion = _get_champion_for_report(request.user, pk)
    cycle = get_object_or_404(Cycle, year=year)
    as_of = report_as_of(request, cycle)
    if as_of:
        return _champion_report_as_of(request, champion, cycle, as_of)
    return _champion_report_page(request, Report.of(champion, cycle), champion, cycle)


def _champion_report_as_of(request, champion, cycle, as_of):
    """The report's page as it stood at the end of `as_of`: read only (nothing is assessed, signed
    off or rated on a report of the past); each commitment's key events are those standing then."""
    report = Report.objects.filter(champion=champion, cycle=cycle).first() or Report()
    report.champion, report.cycle = champion, cycle
    context = report_context(report, request.user, as_of=as_of)
    moment = reports_as_of.moment_after(as_of)
    # The events then are the key events each commitment shows; the full list with its evidence,
    # for checking ratings, is today's report's.
    for commitment in context["commitments"]:
        commitment.evidence, commitment.reported = [], []
    context.update(
        opens_on=assessment_opens_on(cycle),
        window_open=as_of >= assessment_opens_on(cycle),
        can_assess=False,
        can_submit=False,
        ratings=None,
        note_form=None,
        steps=report.steps.filter(at__lt=moment).select_related("by")[:20] if report.pk else [],
        after_sign_off=[],
        as_of_form=AsOfForm(initial={"as_of": as_of}, cycle=cycle),
        report_query=with_as_of("", as_of),
    )
    return render(request, "reports/champion_report.html", context)


def _champion_report_page(request, report, champion, cycle, ratings=None):
    """The report's page; for the office, with its ratings of the report's commitments in one form
    (`ratings`: a bound RatingFormSet to show again with its errors)."""
    # Loaded already, the champion with their hub and organization: not again through the report.
    report.champion, report.cycle = champion, cycle
    today = timezone.localdate()
    context = report_context(report, request.user)
    context.update(as_of_form=AsOfForm(cycle=cycle), report_query="")
    attach_evidence(context["commitments"])
    is_champions_side = Champion.objects.served_by(request.user).filter(pk=champion.pk).exists()
    # A closed cycle is history: its report is read, not assessed or signed off any more.
    changeable = not report.is_submitted and not cycle.is_closed
    if ratings is None and context["is_office"] and report.is_submitted:
        ratings = _ratings([commitment.report_assessment for commitment in _assessed(context["commitments"])])
    for commitment, rating in zip(_assessed(context["commitments"]), ratings or [], strict=False):
        commitment.rating_form = rating
    context.update(
        opens_on=assessment_opens_on(cycle),
        window_open=today >= assessment_opens_on(cycle),
        can_assess=is_champions_side and changeable and today >= assessment_opens_on(cycle),
        can_submit=request.user.pk == champion.user_id and changeable,
        ratings=ratings,
        note_form=NoteForm(),
        steps=report.steps.select_related("by")[:20],
        after_sign_off=list(report.logged_after_sign_off().select_related("commitment")),
    )
    return render(request, "reports/champion_report.html", context)


RATINGS_FORM_ID = "report-ratings"


def _assessed(commitments):
    return [commitment for commitment in commitments if commitment.report_assessment]


def _ratings(assessments, data=None):
    """The office's ratings of a report's assessments (in the order of their commitments), one row
    each (RatingFormSet)."""
    return RatingFormSet(data, assessments=assessments, form_id=RATINGS_FORM_ID, prefix="rating")


@office_required
@require_POST
def rate_report(request, year, pk):
    """The office rates every commitment of a submitted report in one save: all rows or none."""
    champion = get_object_or_404(Champion.objects.select_related("organization", "hub", "user"), pk=pk)
    cycle = get_object_or_404(Cycle, year=year)
    report = get_object_or_404(Report, champion=champion, cycle=cycle)
    if not report.is_submitted:
        messages.error(request, _("The office rates a report once it is submitted."))
        return redirect("champion_report", year, pk)
    report.champion, report.cycle = champion, cycle
    assessments = Assessment.objects.filter(commitment__in=report.commitments()).select_related("commitment")
    ratings = _ratings(list(assessments.order_by("commitment__number")), request.POST)
    if not ratings.is_valid():
        messages.error(request, _("Nothing was saved: please correct the ratings marked below."))
        return _champion_report_page(request, report, champion, cycle, ratings)
    rated = [form for form in ratings if form.has_changed()]
    with transaction.atomic():
        for form in rated:
            form.assessment.rate(
                request.user, form.cleaned_data["office_level"], form.cleaned_data["office_comment"]
            )
    differing = [form.assessment.commitment.number for form in rated if form.assessment.diverges]
    if rated:
        messages.success(
            request,
            ngettext(
                "Rating saved: %(count)s commitment.", "Ratings saved: %(count)s commitments.", len(rated)
            )
            % {"count": len(rated)},
        )
    else:
        messages.info(request, _("No rating changed."))
    if differing:
        messages.warning(
            request,
            ngettext(
                "Commitment %(numbers)s: the assessments differ.",
                "Commitments %(numbers)s: the assessments differ.",
                len(differing),
            )
            % {"numbers": ", ".join(str(number) for number in differing)},
        )
    return redirect("champion_report", year, pk)


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
def assessment_evidence(request, pk):
    """An assessment's evidence file, as a download: for the champion's side and the office (the
    same download as an event's evidence); anybody else gets 404."""
    commitments = (
        Commitment.objects.all()
        if request.user.is_office_member
        else Commitment.objects.visible_to(request.user)
    )
    assessment = get_object_or_404(Assessment.objects.filter(commitment__in=commitments), commitment=pk)
    if not assessment.evidence_file:
        raise Http404(_("This assessment has no evidence file."))
    return evidence_download(assessment.evidence_file, assessment.evidence_name)


@login_required
@require_POST
def submit_report(request, year, pk):
    """The champion signs the report off (a focal point cannot)."""
    champion = get_object_or_404(Champion.objects.served_by(request.user), pk=pk)
    report = Report.of(champion, get_object_or_404(Cycle, year=year))
    try:
        if not report.is_submitted and not confirmed(request):
            report.refuse_submission(request.user)
            return render(request, "reports/submit_confirm.html", {"report": report, "champion": champion})
        submitted = report.submit(request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if submitted:
            messages.success(request, _("Report submitted. Thank you."))
    return redirect("champion_report", year, champion.pk)


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
        reviewed = report.mark_reviewed(request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if reviewed:
            messages.success(
                request,
                _(
                    "Report marked reviewed: the champion now sees the office's ratings, and is told by email."
                ),
            )
        else:
            messages.info(request, _("This report is marked reviewed already."))
    return redirect("champion_report", year, pk)


@office_required
@require_POST
def reopen(request, year, pk):
    report = get_object_or_404(Report.objects.select_related("cycle"), champion=pk, cycle__year=year)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["note"]))
    else:
        try:
            with transaction.atomic():
                reopened = report.reopen(request.user, form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("champion_report", year, pk)
        if reopened:
            messages.success(
                request, _("Report reopened: the champion can change the assessments and submit again.")
            )
    return redirect("champion_report", year, pk)


@login_required
def champion_report_pdf(request, year, pk):
    """A champion's annual report as a PDF: for the champion, their focal points and the office."""
    champion = _get_champion_for_report(request.user, pk)
    cycle = get_object_or_404(Cycle, year=year)
    as_of = report_as_of(request, cycle)
    # Why not Report.of: a download writes nothing; a report not started yet is shown as such.
    report = Report.objects.filter(champion=champion, cycle=cycle).select_related("submitted_by").first()
    report = report or Report()
    # Loaded already, the champion with their hub and organization: not again through the report.
    report.champion, report.cycle = champion, cycle
    context = report_context(report, request.user, as_of=as_of)
    context["generated_on"] = timezone.localdate()
    name = filename(_("annual report"), year, champion.full_name, *_as_of_words(context))
    return pdf_response("reports/pdf/champion_report.html", context, name)


def report_as_of(request, cycle):
    """The day `?as_of=` asks a report on `cycle` as of (AsOfForm), or None for today; a day that
    is not one, before the cycle or to come is refused with a 400 that says why."""
    form = AsOfForm(request.GET, cycle=cycle)
    if not form.is_valid():
        raise BadRequest(" ".join(form.errors["as_of"]))
    return form.cleaned_data["as_of"]


def with_as_of(query, as_of):
    """A report's query string with its `as_of` day kept: for its PDF, CSV and Excel links."""
    kept = urlencode({"as_of": as_of.isoformat()}) if as_of else ""
    return "&".join(part for part in (query, kept) if part)


def _report_charts(figures):
    """The SVG charts of a network report or a hub pack, from its figures."""
    months = figures["months"]
    report_titles = {
        NOT_YET_DUE: _("Reports on time, late and not yet due, by hub"),
        MISSING: _("Reports on time, late and missing, by hub"),
        NOT_SUBMITTED: _("Reports on time, late and not submitted, by hub"),
    }
    return {
        "hub_chart": charts.level_chart(
            "chart-levels-hub", _("Commitments by level and hub"), figures["by_hub"]
        ),
        "category_chart": charts.level_chart(
            "chart-levels-category", _("Commitments by level and category"), figures["by_category"]
        ),
        "report_chart": charts.report_chart(
            "chart-reports", report_titles[figures["unsubmitted"]], figures["by_hub"], figures["unsubmitted"]
        ),
        "parity_chart": charts.column_chart(
            "chart-parity",
            _("Women's share of panel speakers by month (%)"),
            [date_format(month["month"], "F") for month in months],
            [month["women_share"] for month in months],
            reference=50,
        ),
    }


def _publication_context(cycle, as_of):
    """What every published report of the cycle shows around its figures: the network's name and
    logo for the cover, the office's annual report (its foreword), the day it is as of (None: today,
    as the product stands) and the day it was made."""
    network = NetworkProfile.current()
    annual_report = AnnualReport.of(cycle)
    return {
        "cycle": cycle,
        "network": network,
        "logo": network.logo_data_uri(),
        "annual_report": annual_report,
        "foreword": annual_report.foreword,
        "foreword_language": annual_report.foreword_language,
        "as_of": as_of,
        "generated_on": timezone.localdate(),
    }


def network_report_context(request, year):
    """The network report for the year and the filters in the query string: its cover and
    foreword, figures and charts, highlights, and the champions' outcomes; as of the day `?as_of=`
    names, if any (reports/as_of.py)."""
    cycle = get_object_or_404(Cycle, year=year)
    as_of = report_as_of(request, cycle)
    form = NetworkReportFilterForm(request.GET)
    filters = form.filters()
    commitments = form.apply(for_annual_report(cycle), filters)
    figures = network_figures(commitments, cycle, as_of=as_of)
    pledge_panels = reports_as_of.pledge_panels(cycle, reports_as_of.moment_after(as_of)) if as_of else None
    query = form.query_string(filters)
    return {
        **_publication_context(cycle, as_of),
        **figures,
        **_report_charts(figures),
        "pledges": commitments.pledge_figures(cycle, panels=pledge_panels),
        "champions": commitments.champion_outcomes(cycle, as_of),
        "ambition": returning_champions_ambition(cycle, commitments),
        "form": form,
        "as_of_form": AsOfForm(initial={"as_of": as_of}, cycle=cycle),
        "filters": filters,
        "query": query,
        "report_query": with_as_of(query, as_of),
        "described_filters": form.described(filters),
    }


@office_required
def network_report(request, year):
    """The network's annual report, for the office: with the dashboard's filters, the links to
    write its foreword, pick its highlights, and to each hub's meeting pack."""
    context = network_report_context(request, year)
    context["form"].load_choices()
    context["hubs"] = context["form"].fields["hub"].choices[1:]
    return render(request, "reports/network_report.html", context)


@office_required
def network_report_pdf(request, year):
    """The network's annual report as a PDF, for the filters in the query string."""
    context = network_report_context(request, year)
    name = filename(_("annual report"), year, *context["filters"].values(), *_as_of_words(context))
    return pdf_response("reports/pdf/network_report.html", context, name)


def _office_or_404(user):
    """Pages of the office that others are not told exist (a hub's meeting pack): 404."""
    if not user.is_office_member:
        raise Http404(_("No such page."))


def hub_pack_context(request, year, pk):
    """A hub's meeting pack: the network report's figures (network_figures, the same function)
    for the hub's champions only, with the status mix of their commitments, those overdue, and
    the highlights the office picked among them."""
    cycle = get_object_or_404(Cycle, year=year)
    hub = get_object_or_404(Hub, pk=pk)
    as_of = report_as_of(request, cycle)
    commitments = for_annual_report(cycle).filter(champion__hub=hub)
    figures = network_figures(commitments, cycle, as_of=as_of)
    return {
        **_publication_context(cycle, as_of),
        **figures,
        **_report_charts(figures),
        "hub": hub,
        "status_mix": commitments.status_mix(cycle, as_of),
        "overdue": commitments.overdue_then(cycle, as_of),
        "as_of_form": AsOfForm(initial={"as_of": as_of}, cycle=cycle),
        "report_query": with_as_of("", as_of),
    }


@login_required
def hub_pack(request, year, pk):
    """A hub's meeting pack, for the office (404 to anybody else, and for an unknown hub)."""
    _office_or_404(request.user)
    return render(request, "reports/hub_pack.html", hub_pack_context(request, year, pk))


@login_required
def hub_pack_pdf(request, year, pk):
    """A hub's meeting pack as a PDF, for the office (404 to anybody else)."""
    _office_or_404(request.user)
    context = hub_pack_context(request, year, pk)
    name = filename(_("hub meeting pack"), year, context["hub"].name, *_as_of_words(context))
    return pdf_response("reports/pdf/hub_pack.html", context, name)


@office_required
@require_http_methods(["GET", "POST"])
def edit_foreword(request, year):
    """The office writes the foreword of the cycle's network report, in English and French."""
    cycle = get_object_or_404(Cycle, year=year)
    annual_report = AnnualReport.of(cycle)
    form = ForewordForm(request.POST if request.method == "POST" else None, instance=annual_report)
    if request.method == "POST" and form.is_valid():
        annual_report = form.save(commit=False)
        annual_report.updated_by = request.user
        annual_report.save()
        messages.success(request, _("Foreword saved: the report shows it on its first page."))
        return redirect("network_report", year)
    return render(request, "reports/foreword_form.html", {"cycle": cycle, "form": form})


@office_required
@require_http_methods(["GET", "POST"])
def edit_highlights(request, year):
    """The office picks the narratives the cycle's report tells, and their order."""
    cycle = get_object_or_404(Cycle, year=year)
    annual_report = AnnualReport.of(cycle)
    candidates = (
        Assessment.objects.highlightable(cycle)
        .select_related("commitment__champion__organization", "commitment__champion__hub")
        .order_by("commitment__champion__full_name", "commitment__champion_id", "commitment__number")
    )
    picked = dict(annual_report.highlights.values_list("assessment", "order")) if annual_report.pk else {}
    form = HighlightsForm(
        request.POST if request.method == "POST" else None, candidates=candidates, picked=picked
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if not annual_report.pk:
                annual_report.updated_by = request.user
                annual_report.save()
            count = form.save(annual_report)
        messages.success(
            request,
            ngettext(
                "Highlights saved: the report tells %(count)s narrative, in the order given.",
                "Highlights saved: the report tells %(count)s narratives, in the order given.",
                count,
            )
            % {"count": count},
        )
        return redirect("network_report", year)
    return render(request, "reports/highlights_form.html", {"cycle": cycle, "form": form})


@office_required
def network_report_csv(request, year):
    """The network report's table (by hub, by category, and all) as CSV."""
    context, header, rows = _network_table(request, year)
    name = filename(
        _("annual report"), year, *context["filters"].values(), *_as_of_words(context), extension="csv"
    )
    return stream_csv(name, header, rows)


@office_required
def network_report_xlsx(request, year):
    """The network report's table as an Excel workbook: the CSV's rows, numbers as numbers."""
    context, header, rows = _network_table(request, year)
    name = filename(
        _("annual report"), year, *context["filters"].values(), *_as_of_words(context), extension="xlsx"
    )
    sheet = _("Annual report %(year)s") % {"year": year}
    return xlsx_response(name, header, rows, sheet=sheet)


def _as_of_words(context):
    """A download's name says the day a report as of a day stood on: "...-as-of-2026-11-27"."""
    return [_("as of"), context["as_of"].isoformat()] if context.get("as_of") else []


def _network_table(request, year):
    """The network report's context for the filters in the query string, and its table's header
    and rows (by hub, by category, and all), in the reader's language.

    Panels confirmed by their organisers apart from self-reported ones: each row's split, as the
    network figures give it (reports/annual.py: PANEL_SUMS), today's or as of a day."""
    context = network_report_context(request, year)
    header = [
        _("breakdown"),
        _("name"),
        _("commitments"),
        _("assessed"),
        _("complete (self-assessment) %"),
        _("substantial or complete (self-assessment) %"),
        _("rated by the office"),
        _("complete (office rating) %"),
        _("substantial or complete (office rating) %"),
        _("assessments differing"),
        _("champions"),
        _("reports on time"),
        _("reports late"),
        _("reports not yet due"),
        _("reports missing"),
        _("reports not submitted"),
        _("panels"),
        _("women speakers %"),
        _("panels confirmed by organisers"),
        _("women's share, confirmed %"),
        _("women's share, self-reported %"),
    ]
    sections = [
        (_("hub"), context["by_hub"]),
        (_("category"), context["by_category"]),
        (_("all"), [context["total"]]),
    ]
    rows = [
        [
            section,
            str(row["name"]),
            row["commitments"],
            row["assessed"],
            row["self_complete_share"],
            row["self_achieved_share"],
            row["rated"],
            row["office_complete_share"],
            row["office_achieved_share"],
            row["differing"],
            *[row.get(name) for name in REPORT_COUNTS],
            row["panels_logged"],
            row["women_share"],
            row["confirmed_panels"],
            row["confirmed_share"],
            row["self_reported_share"],
        ]
        for section, table in sections
        for row in table
    ]
    return context, header, rows
