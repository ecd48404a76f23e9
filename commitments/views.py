from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from champions.models import Champion
from commitments.models import Commitment, Cycle


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
        Commitment.objects.filter(champion__in=champions, cycle=cycle)
        .select_related("cycle")
        .order_by("number")
        if cycle
        else Commitment.objects.none()
    )
    by_champion = {champion.pk: [] for champion in champions}
    for commitment in commitments:
        by_champion[commitment.champion_id].append(commitment)
    groups = [(champion, by_champion[champion.pk]) for champion in champions]
    return render(
        request,
        "commitments/home.html",
        {
            "groups": groups,
            "cycle": cycle,
            "cycles": cycles,
            "today": timezone.localdate(),
            "is_champion_user": any(champion.user_id == request.user.pk for champion in champions),
        },
    )
