from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from champions.models import Champion
from commitments.emails import email_comment, email_office_submitted
from commitments.forms import CommentForm, CommitmentDraftForm
from commitments.models import EDITABLE_APPROVALS, Approval, Comment, Commitment, Cycle
from config.confirmation import confirmed


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
    today = timezone.localdate()
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
            "today": today,
            "is_champion_user": any(champion.user_id == request.user.pk for champion in champions),
            "to_do": _to_do(champions, today),
        },
    )


def _to_do(champions, today):
    """What awaits the champion's side: commitments the office returned (with its reason), drafts to
    submit (per champion and cycle) and reports to assess and sign off."""
    to_submit = (
        Commitment.objects.to_submit(champions, today)
        .select_related("cycle", "champion")
        .prefetch_related("approval_changes")
        .order_by("cycle__year", "champion__full_name", "number")
    )
    returned, drafts = [], {}
    for commitment in to_submit:
        if commitment.approval == Approval.RETURNED:
            returned.append(commitment)
        else:
            key = (commitment.champion, commitment.cycle)
            drafts[key] = drafts.get(key, 0) + 1
    by_pk = {champion.pk: champion for champion in champions}
    return {
        "returned": returned,
        "drafts": [(champion, cycle, count) for (champion, cycle), count in drafts.items()],
        # (each cycle as its year and report_due_on)
        "reports": [
            (by_pk[report["champion"]], report)
            for report in Commitment.objects.reports_to_sign_off(champions, today)
        ],
    }


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
    unfinished = Commitment.objects.to_carry_into(cycle).filter(champion__in=champions).order_by("number")
    sections = []
    for champion in champions:
        own = [commitment for commitment in commitments if commitment.champion_id == champion.pk]
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
    form = CommitmentDraftForm(request.POST or None, cycle=cycle)
    if request.method == "POST" and form.is_valid() and _already_saved(form.cleaned_data["submission_key"]):
        # The same form posted twice (a double click, a resend): the first post saved it.
        messages.info(request, _("This draft was already saved."))
        return redirect("set_commitments", cycle.year)
    number = Commitment.objects.next_number(champion, cycle)
    if number is None:
        messages.error(
            request,
            _("%(champion)s has %(count)s commitments for %(year)s already, the most a cycle allows.")
            % {"champion": champion, "count": cycle.max_commitments, "year": cycle.year},
        )
        return redirect("set_commitments", cycle.year)
    if request.method == "POST" and form.is_valid():
        commitment = form.save(commit=False)
        commitment.champion, commitment.approval = champion, Approval.DRAFT
        commitment.submission_key = form.cleaned_data["submission_key"]
        if _save_numbered(request, commitment, champion, cycle):
            form.save_m2m()
            messages.success(
                request, _("Draft saved: commitment %(number)s, “%(title)s”.") % _named(commitment)
            )
            return redirect("set_commitments", cycle.year)
        if _already_saved(commitment.submission_key):  # the same form, posted twice at once
            messages.info(request, _("This draft was already saved."))
            return redirect("set_commitments", cycle.year)
    return render(
        request,
        "commitments/commitment_form.html",
        {"form": form, "cycle": cycle, "champion": champion, "commitment": None, "number": number},
    )


def _save_numbered(request, commitment, champion, cycle):
    """Save a new commitment under the lowest free number; False (and a message) if none is left."""
    if commitment.save_numbered():
        return True
    if _already_saved(commitment.submission_key):  # the same form, posted twice at once
        return False
    messages.error(request, _("This champion has as many commitments as the cycle allows."))
    return False


def _already_saved(submission_key):
    """A draft of this submission key (its form's) is stored already."""
    return submission_key is not None and Commitment.objects.filter(submission_key=submission_key).exists()


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
    if confirmed(request):
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
    editable = list(
        cycle.commitments.filter(champion=champion, approval__in=EDITABLE_APPROVALS).order_by("number")
    )
    if editable and not confirmed(request):
        return _confirm_submitting(request, cycle, champion, editable)
    changes = [change for commitment in editable if (change := commitment.submit(request.user))]
    submitted = [change.commitment for change in changes]
    if submitted:
        email_office_submitted(champion, cycle, changes)
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
    if not confirmed(request):
        return _confirm_submitting(request, cycle, commitment.champion, [commitment])
    change = commitment.submit(request.user)
    if change:
        email_office_submitted(commitment.champion, cycle, [change])
    messages.success(request, _("Submitted: commitment %(number)s, “%(title)s”.") % _named(commitment))
    return redirect("set_commitments", cycle.year)


def _confirm_submitting(request, cycle, champion, commitments):
    """What submitting will send to the office, with Confirm and Cancel (config.confirmation)."""
    return render(
        request,
        "commitments/submit_confirm.html",
        {"cycle": cycle, "champion": champion, "commitments": commitments},
    )


@login_required
@require_POST
def carry_commitment(request, year, pk):
    """Start from last year's: a new draft copying an unfinished commitment of the previous cycle,
    linked to it (carried_from), so each shows the other and the new one its history."""
    cycle = _get_cycle_for_setting(year)
    previous = get_object_or_404(Commitment.objects.visible_to(request.user).to_carry_into(cycle), pk=pk)
    carried = Commitment.objects.filter(pk=previous.pk).carry_into(cycle)
    if carried.copied:
        messages.success(
            request,
            _("Started from %(year)s's commitment %(number)s: review the draft, then submit it.")
            % {"year": cycle.year - 1, "number": previous.number},
        )
    elif carried.already_carried:
        messages.info(request, _("This commitment is already carried into %(year)s.") % {"year": cycle.year})
    else:
        messages.error(request, _("This champion has as many commitments as the cycle allows."))
    return redirect("set_commitments", cycle.year)


@login_required
@require_http_methods(["GET", "POST"])
def carry_all(request, year, champion_pk):
    """Copy all of last year's unfinished commitments of one champion into drafts, in one action:
    a page says what will be copied and what will not fit, and its button copies them."""
    cycle = _get_cycle_for_setting(year)
    champion = _get_champion_for_user(request.user, champion_pk)
    unfinished = Commitment.objects.to_carry_into(cycle).filter(champion=champion).order_by("number")
    if request.method == "POST":
        carried = unfinished.carry_into(cycle)
        _report_carry_over(request, carried, cycle)
        return redirect("set_commitments", cycle.year)
    unfinished = list(unfinished)
    free = cycle.max_commitments - cycle.commitments.filter(champion=champion).count()
    return render(
        request,
        "commitments/carry_all_confirm.html",
        {
            "cycle": cycle,
            "champion": champion,
            "to_copy": unfinished[: max(free, 0)],
            "not_fitting": unfinished[max(free, 0) :],
        },
    )


def _report_carry_over(request, carried, cycle):
    """Say what a carry-over copied and, by name, what it did not copy and why."""
    if carried.copied:
        messages.success(
            request,
            ngettext(
                "Copied %(count)s unfinished commitment from %(year)s into a draft: review it, then submit it.",
                "Copied %(count)s unfinished commitments from %(year)s into drafts: review them, then submit them.",
                len(carried.copied),
            )
            % {"count": len(carried.copied), "year": cycle.year - 1},
        )
    if carried.cycle_full:
        messages.warning(
            request,
            _(
                "Not copied, because the %(year)s cycle allows at most %(maximum)s commitments: %(commitments)s."
            )
            % {
                "year": cycle.year,
                "maximum": cycle.max_commitments,
                "commitments": _listed(carried.cycle_full),
            },
        )
    if carried.already_carried:
        messages.info(
            request,
            _("Already carried into %(year)s: %(commitments)s.")
            % {"year": cycle.year, "commitments": _listed(carried.already_carried)},
        )
    if not (carried.copied or carried.cycle_full or carried.already_carried):
        messages.info(request, _("There was nothing left to copy."))


def _listed(commitments):
    return "; ".join(f"{commitment.number}. {commitment.title}" for commitment in commitments)


@login_required
@require_POST
def post_comment(request, pk):
    """A comment on a commitment, by the champion's side or the office, emailed to the other side
    once; back to the page it was written on. Everybody else gets 404."""
    user = request.user
    commitment = get_object_or_404(Commitment.objects.select_related("champion", "cycle"), pk=pk)
    champions_side = Champion.objects.served_by(user).filter(pk=commitment.champion_id).exists()
    if not (champions_side or user.is_office_member):
        raise Http404(_("No such commitment."))
    page = "commitment_detail" if champions_side else "dashboard_commitment"
    back = reverse(page, args=[commitment.pk]) + "#comments"
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(back)
    comment, created = Comment.objects.post(
        commitment,
        user,
        form.cleaned_data["text"],
        from_office=not champions_side,
        submission_key=form.cleaned_data["submission_key"],
    )
    if created:
        email_comment(comment)
        messages.success(request, _("Comment sent."))
    else:
        messages.info(request, _("This comment was already sent."))
    return redirect(back)
