import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from champions.models import Champion
from commitments.forms import CommitmentDraftForm
from commitments.models import CLOSED_STATUSES, EDITABLE_APPROVALS, Approval, Commitment, Cycle


@login_required
def home(request):
    """A champion's or focal point's commitments for one cycle, grouped by champion."""
    champions = list(Champion.objects.served_by(request.user).select_related("organization", "hub"))
    if not champions and request.user.is_staff:
        return redirect("admin:index")
    if not champions and request.user.is_office_member:
        return redirect("dashboard")
    cycles = list(Cycle.objects.filter(commitments__champion__in=champions).distinct().order_by("-year"))
    cycle = Cycle.objects.chosen(request.GET.get("cycle", ""), among=cycles)
    commitments = (
        Commitment.objects.approved()
        .filter(champion__in=champions, cycle=cycle)
        .select_related("cycle", "taken_over_from")
        .prefetch_related("categories")
        .order_by("number")
        if cycle
        else Commitment.objects.none()
    )
    by_champion = {champion.pk: [] for champion in champions}
    for commitment in commitments:
        by_champion[commitment.champion_id].append(commitment)
    signed = {champion.pk: [] for champion in champions}
    for signature in Commitment.objects.pledge_signatures(champions, cycle) if cycle else []:
        signed[signature.champion_id].append(signature)
    for champion in champions:
        champion.signed_pledges = signed[champion.pk]
    groups = [(champion, by_champion[champion.pk]) for champion in champions]
    return render(
        request,
        "commitments/home.html",
        {
            "groups": groups,
            "cycle": cycle,
            "cycles": cycles,
            "setting": list(
                Cycle.objects.to_set_by([champion.pk for champion in champions]).order_by("year")
            ),
            "today": timezone.localdate(),
            "is_champion_user": any(champion.user_id == request.user.pk for champion in champions),
        },
    )


def _get_cycle_for_setting(year):
    """The cycle, while it is open for commitments (every view that changes commitments asks here);
    else 404."""
    cycle = get_object_or_404(Cycle, year=year)
    if cycle.is_closed:
        raise Http404(
            _("The %(year)s cycle is closed and kept as history: it can no longer be changed.")
            % {"year": year}
        )
    if not cycle.is_open_for_commitments():
        raise Http404(
            _("The %(year)s cycle has ended: its commitments can no longer be set.") % {"year": year}
        )
    return cycle


def _get_champion_for_user(user, pk):
    """A champion the user is or serves as focal point; else 404 (see Champion.served_by)."""
    return get_object_or_404(Champion.objects.served_by(user), pk=pk)


def _get_draft_for_user(user, cycle, pk):
    """A commitment of `cycle` the user may still edit (a draft, or returned); else 404."""
    commitments = Commitment.objects.visible_to(user).filter(cycle=cycle, approval__in=EDITABLE_APPROVALS)
    return get_object_or_404(commitments.select_related("champion", "cycle"), pk=pk)


@login_required
def set_commitments(request, year):
    """Setting a cycle's commitments: each champion the user serves, their drafts, what the office
    returned, what awaits review, and last cycle's unfinished commitments to start from."""
    cycle = get_object_or_404(Cycle, year=year)
    champions = list(Champion.objects.served_by(request.user).select_related("organization", "hub"))
    if not champions:
        raise Http404(_("Only a champion and their focal points set the champion's commitments."))
    commitments = (
        cycle.commitments.filter(champion__in=champions)
        .prefetch_related("approval_changes", "categories")
        .select_related("carried_from__cycle")
        .order_by("number")
    )
    previous = Cycle.objects.filter(year=cycle.year - 1).first()
    carried = set(cycle.commitments.exclude(carried_from=None).values_list("carried_from", flat=True))
    unfinished = (
        previous.commitments.approved()
        .filter(champion__in=champions)
        .exclude(status__in=CLOSED_STATUSES)
        .exclude(pk__in=carried)
        .order_by("number")
        if previous
        else Commitment.objects.none()
    )
    sections = []
    for champion in champions:
        own = [commitment for commitment in commitments if commitment.champion_id == champion.pk]
        for commitment in own:
            commitment.last_return = next(
                (
                    step
                    for step in commitment.approval_changes.all()
                    if step.new_approval == Approval.RETURNED
                ),
                None,
            )
        sections.append(
            {
                "champion": champion,
                "commitments": own,
                "editable": [commitment for commitment in own if commitment.is_editable_by_champion],
                "can_add": len(own) < cycle.max_commitments,
                "unfinished": [
                    commitment for commitment in unfinished if commitment.champion_id == champion.pk
                ],
            }
        )
    return render(
        request,
        "commitments/set_commitments.html",
        {
            "cycle": cycle,
            "previous": previous,
            "sections": sections,
            "is_open": cycle.is_open_for_commitments(),
            "late": timezone.localdate() > cycle.commitments_due_on,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_commitment(request, year, champion_pk):
    cycle = _get_cycle_for_setting(year)
    champion = _get_champion_for_user(request.user, champion_pk)
    number = Commitment.objects.next_number(champion, cycle)
    if number is None:
        messages.error(
            request,
            _("%(champion)s has %(count)s commitments for %(year)s already, the most a cycle allows.")
            % {"champion": champion, "count": cycle.max_commitments, "year": cycle.year},
        )
        return redirect("set_commitments", cycle.year)
    form = CommitmentDraftForm(request.POST or None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        commitment = form.save(commit=False)
        commitment.champion, commitment.approval = champion, Approval.DRAFT
        if _save_numbered(request, commitment, champion, cycle):
            messages.success(
                request, _("Draft saved: commitment %(number)s, “%(title)s”.") % _named(commitment)
            )
            return redirect("set_commitments", cycle.year)
    return render(
        request,
        "commitments/commitment_form.html",
        {"form": form, "cycle": cycle, "champion": champion, "commitment": None, "number": number},
    )


def _save_numbered(request, commitment, champion, cycle):
    """Save a new commitment under the lowest free number; False (and a message) if none is left."""
    for _attempt in range(3):
        commitment.number = Commitment.objects.next_number(champion, cycle)
        if commitment.number is None:
            break
        try:
            with transaction.atomic():
                commitment.save()
            return True
        except IntegrityError:  # another draft took the number meanwhile: take the next one
            commitment.pk = None
            commitment._state.adding = True
    messages.error(request, _("This champion has as many commitments as the cycle allows."))
    return False


def _named(commitment):
    return {"number": commitment.number, "title": commitment.title}


@login_required
@require_http_methods(["GET", "POST"])
def edit_commitment(request, year, pk):
    cycle = _get_cycle_for_setting(year)
    commitment = _get_draft_for_user(request.user, cycle, pk)
    form = CommitmentDraftForm(request.POST or None, instance=commitment, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved: commitment %(number)s, “%(title)s”.") % _named(commitment))
        return redirect("set_commitments", cycle.year)
    return render(
        request,
        "commitments/commitment_form.html",
        {
            "form": form,
            "cycle": cycle,
            "champion": commitment.champion,
            "commitment": commitment,
            "number": commitment.number,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_commitment(request, year, pk):
    cycle = _get_cycle_for_setting(year)
    commitment = _get_draft_for_user(request.user, cycle, pk)
    if commitment.approval != Approval.DRAFT:
        messages.error(request, _("A commitment the office has returned is changed, not deleted."))
        return redirect("set_commitments", cycle.year)
    if request.method == "POST":
        commitment.delete()
        messages.success(request, _("Draft deleted: “%(title)s”.") % {"title": commitment.title})
        return redirect("set_commitments", cycle.year)
    return render(
        request, "commitments/commitment_confirm_delete.html", {"commitment": commitment, "cycle": cycle}
    )


@login_required
@require_POST
def submit_commitments(request, year, champion_pk):
    """Submit every draft and returned commitment of one champion for the office's review."""
    cycle = _get_cycle_for_setting(year)
    champion = _get_champion_for_user(request.user, champion_pk)
    editable = cycle.commitments.filter(champion=champion, approval__in=EDITABLE_APPROVALS)
    submitted = [commitment for commitment in editable.order_by("number") if commitment.submit(request.user)]
    if submitted:
        messages.success(
            request,
            ngettext(
                "Submitted %(count)s commitment for the office's review.",
                "Submitted %(count)s commitments for the office's review.",
                len(submitted),
            )
            % {"count": len(submitted)},
        )
    else:
        messages.info(request, _("There was nothing to submit."))
    return redirect("set_commitments", cycle.year)


@login_required
@require_POST
def submit_commitment(request, year, pk):
    """Submit one commitment (a returned one, once changed)."""
    cycle = _get_cycle_for_setting(year)
    commitment = _get_draft_for_user(request.user, cycle, pk)
    commitment.submit(request.user)
    messages.success(request, _("Submitted: commitment %(number)s, “%(title)s”.") % _named(commitment))
    return redirect("set_commitments", cycle.year)


@login_required
@require_POST
def carry_commitment(request, year, pk):
    """Start from last year's: a new draft copying an unfinished commitment of the previous cycle,
    linked to it (carried_from), so each shows the other and the new one its history."""
    cycle = _get_cycle_for_setting(year)
    previous = get_object_or_404(
        Commitment.objects.visible_to(request.user)
        .approved()
        .filter(cycle__year=cycle.year - 1)
        .exclude(status__in=CLOSED_STATUSES),
        pk=pk,
    )
    if cycle.commitments.filter(carried_from=previous).exists():
        messages.info(request, _("This commitment is already carried into %(year)s.") % {"year": cycle.year})
        return redirect("set_commitments", cycle.year)
    draft = Commitment(
        champion=previous.champion,
        cycle=cycle,
        approval=Approval.DRAFT,
        carried_from=previous,
        text=previous.text,
        title=previous.title,
        description=previous.description,
        target_kind=previous.target_kind,
        target_value=previous.target_value,
        baseline=previous.baseline,
        unit=previous.unit,
        counts_kind=previous.counts_kind,
        due_on=_a_year_on(previous.due_on, cycle),
    )
    if _save_numbered(request, draft, previous.champion, cycle):
        draft.categories.set(previous.categories.all())
        messages.success(
            request,
            _("Started from %(year)s's commitment %(number)s: review the draft, then submit it.")
            % {"year": cycle.year - 1, "number": previous.number},
        )
    return redirect("set_commitments", cycle.year)


def _a_year_on(day, cycle):
    """The same day a year later, within `cycle`."""
    try:
        later = day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        later = day + datetime.timedelta(days=365)
    return min(max(later, cycle.starts_on), cycle.ends_on)
