"""The office's review of the commitments champions submit at the start of a cycle."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import office_required
from champions.models import Champion
from commitments.emails import email_all_approved, email_returned
from commitments.forms import ReturnForm
from commitments.models import Approval, Commitment, Cycle, compare_with_last_year
from config.confirmation import confirmed
from dashboard.late import late_context

CHAMPIONS_PER_PAGE = 20


def _review_cycle(year):
    """The cycle asked for, else the earliest with commitments awaiting review, else the latest open."""
    if year.isdigit():
        return get_object_or_404(Cycle, year=int(year))
    waiting = Cycle.objects.filter(commitments__approval=Approval.SUBMITTED).order_by("year").first()
    return waiting or Cycle.objects.filter(ends_on__gte=timezone.localdate()).order_by("-year").first()


@office_required
def review(request):
    """Submitted commitments grouped by champion, the longest waiting first, with counts per hub,
    each beside last year's where the champion is returning (commitments.models.ambition);
    who has not submitted yet and, at year end, who has not signed off their report (late.py)."""
    cycle = _review_cycle(request.GET.get("cycle", ""))
    context = {"cycle": cycle, "cycles": Cycle.objects.order_by("-year"), "today": timezone.localdate()}
    if cycle is None:
        return render(request, "dashboard/review.html", context)
    awaiting = cycle.commitments.awaiting_review()
    champions = (
        Champion.objects.filter(commitments__in=awaiting)
        .annotate(
            waiting_since=Min(
                "commitments__approval_changes__changed_at",
                filter=Q(
                    commitments__cycle=cycle,
                    commitments__approval=Approval.SUBMITTED,
                    commitments__approval_changes__new_approval=Approval.SUBMITTED,
                ),
            )
        )
        .select_related("hub", "organization")
        .order_by("waiting_since", "full_name")
        .distinct()
    )
    page = Paginator(champions, CHAMPIONS_PER_PAGE).get_page(request.GET.get("page"))
    on_page = list(awaiting.filter(champion__in=list(page)).prefetch_related("categories").order_by("number"))
    # A returning champion's commitment beside last year's in the same category: did ambition rise?
    last_years = compare_with_last_year(on_page, cycle)
    by_champion = {}
    for commitment in on_page:
        commitment.last_year = last_years.get(commitment.pk)
        by_champion.setdefault(commitment.champion_id, []).append(commitment)
    context.update(
        page=page,
        groups=[(champion, by_champion.get(champion.pk, [])) for champion in page],
        awaiting_count=awaiting.count(),
        by_hub=list(
            awaiting.values("champion__hub__name")
            .annotate(commitments=Count("pk"), champions=Count("champion", distinct=True))
            .order_by("champion__hub__name")
        ),
        **late_context(cycle, context["today"]),
        return_form=ReturnForm(),
        query=f"cycle={cycle.year}",
    )
    return render(request, "dashboard/review.html", context)


def _back(request, cycle):
    page = request.POST.get("page", "")
    return redirect(f"{_review_url()}?cycle={cycle.year}" + (f"&page={page}" if page.isdigit() else ""))


def _review_url():
    from django.urls import reverse

    return reverse("dashboard_review")


def _when_all_approved(commitment):
    """Once every commitment of the champion's cycle is approved, tell the champion's side (once the
    approval commits)."""
    others = Commitment.objects.filter(champion=commitment.champion_id, cycle=commitment.cycle_id)
    if not others.exclude(approval=Approval.APPROVED).exists():
        email_all_approved(commitment.champion, commitment.cycle)


@office_required
@require_POST
def approve(request, pk):
    commitment = get_object_or_404(Commitment.objects.select_related("cycle", "champion"), pk=pk)
    if commitment.approve(request.user):
        messages.success(request, _("Approved: %(commitment)s.") % {"commitment": commitment})
        _when_all_approved(commitment)
    elif commitment.is_approved:
        messages.info(request, _("Already approved: %(commitment)s.") % {"commitment": commitment})
    else:
        messages.error(
            request,
            _("Only a submitted commitment can be approved: %(commitment)s.") % {"commitment": commitment},
        )
    return _back(request, commitment.cycle)


@office_required
@require_POST
def approve_all(request, year, champion_pk):
    """Approve every submitted commitment of one champion in one action."""
    cycle = get_object_or_404(Cycle, year=year)
    champion = get_object_or_404(Champion.objects.select_related("organization", "hub"), pk=champion_pk)
    awaiting = list(cycle.commitments.awaiting_review().filter(champion=champion).order_by("number"))
    if awaiting and not confirmed(request):
        page = request.POST.get("page", "")
        return render(
            request,
            "dashboard/approve_all_confirm.html",
            {
                "cycle": cycle,
                "champion": champion,
                "commitments": awaiting,
                "page": page if page.isdigit() else "",
            },
        )
    approved = [commitment for commitment in awaiting if commitment.approve(request.user)]
    if approved:
        messages.success(
            request,
            ngettext(
                "Approved %(count)s commitment of %(champion)s.",
                "Approved %(count)s commitments of %(champion)s.",
                len(approved),
            )
            % {"count": len(approved), "champion": champion},
        )
        _when_all_approved(approved[0])
    else:
        messages.info(request, _("%(champion)s has nothing awaiting review.") % {"champion": champion})
    return _back(request, cycle)


@office_required
@require_POST
def return_commitment(request, pk):
    commitment = get_object_or_404(Commitment.objects.select_related("cycle", "champion"), pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["comment"]))
        return _back(request, commitment.cycle)
    if commitment.return_for_changes(request.user, form.cleaned_data["comment"]):
        messages.success(request, _("Returned to the champion: %(commitment)s.") % {"commitment": commitment})
        email_returned(commitment)
    else:
        messages.error(
            request,
            _("Only a submitted commitment can be returned: %(commitment)s.") % {"commitment": commitment},
        )
    return _back(request, commitment.cycle)
