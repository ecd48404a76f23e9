"""Did ambition rise? A returning champion's commitment beside last year's in the same category.

A champion is returning when they had approved commitments in the previous cycle (the year
before). Each of their commitments is set beside one of last year's that shares a category with
it, and marked raised, same or lowered by one rule (ambition_mark): targets of the same kind, and
measuring the same thing, compare their target values; anything else gets no mark and says why.
The office's review pages show it (compare_with_last_year), the annual report sums it
(returning_champions_ambition): both read the same rule, in a fixed number of queries.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commitments.models.commitment import Commitment
from commitments.models.vocabulary import Approval, TargetKind, event_kind_unit, share_percent


class Ambition(models.TextChoices):
    """How a commitment's target stands against last year's in the same category."""

    RAISED = "raised", _("Ambition raised")
    SAME = "same", _("Same ambition")
    LOWERED = "lowered", _("Ambition lowered")


@dataclass
class LastYear:
    """A commitment beside last year's: `previous`, the commitment of the previous cycle it is
    compared with (None when the champion had none in its categories), the `mark` (an Ambition, or
    None) and, without a mark, the `reason` in words."""

    previous: Commitment | None
    mark: str | None = None
    reason: str = ""

    @property
    def mark_label(self):
        return Ambition(self.mark).label if self.mark else ""


# The fields the rule reads, loaded alone where thousands of commitments are compared.
RULE_FIELDS = [
    "id",
    "champion",
    "cycle",
    "number",
    "carried_from",
    "target_kind",
    "target_value",
    "baseline",
    "unit",
    "counts_kind",
]


def ambition_mark(commitment, previous):
    """(mark, reason): whether `commitment` raised, kept or lowered the ambition of `previous`, last
    year's commitment it is compared with; the one rule.

    Only targets of the same kind measuring the same thing compare: a count of the same kind of
    events, women's share of panel speakers, an indicator in the same unit aiming the same way
    (up from its baseline, or down: a pay gap from 20 to 10 aims down, so a lower target is the
    higher ambition). A milestone has no value to compare. Without a mark, `reason` says why.
    """
    kind = commitment.target_kind
    if kind != previous.target_kind:
        return None, gettext(
            "Not compared: last year's target was of another kind (%(before)s, now %(now)s)."
        ) % {
            "before": TargetKind(previous.target_kind).label.lower(),
            "now": TargetKind(kind).label.lower(),
        }
    if kind == TargetKind.MILESTONE:
        return None, gettext("Not compared: a milestone has no target value to compare.")
    if kind == TargetKind.COUNT and commitment.counts_kind != previous.counts_kind:
        return None, gettext(
            "Not compared: last year's target counted other events (%(before)s, now %(now)s)."
        ) % {"before": _counted(previous), "now": _counted(commitment)}
    now, before = commitment.target_value, previous.target_value
    if kind == TargetKind.INDICATOR:
        if commitment.unit.strip().casefold() != previous.unit.strip().casefold():
            return None, gettext(
                "Not compared: last year's indicator was measured in another unit (%(before)s, now %(now)s)."
            ) % {"before": previous.unit or "–", "now": commitment.unit or "–"}
        direction = _direction(commitment)
        if direction != _direction(previous):
            return None, gettext("Not compared: last year's indicator aimed the other way.")
        now, before = now * direction, before * direction
    if now > before:
        return Ambition.RAISED, ""
    if now == before:
        return Ambition.SAME, ""
    return Ambition.LOWERED, ""


def _direction(indicator):
    """1 for an indicator that aims up from its baseline (an empty baseline is 0), -1 down."""
    return 1 if indicator.target_value > (indicator.baseline or 0) else -1


def _counted(commitment):
    return event_kind_unit(commitment.counts_kind, 2) if commitment.counts_kind else gettext("any event")


def counterpart(commitment, categories, candidates, candidate_categories):
    """Last year's commitment to set `commitment` beside, among `candidates` (the champion's approved
    commitments of the previous cycle), or None when none shares a category with it.

    The one it was carried from, if it shares a category; else one with the same kind of target,
    then the one sharing the most categories, then the lowest number. `categories` holds the
    commitment's category ids, `candidate_categories` {candidate id: its category ids}.
    """
    sharing = [
        candidate for candidate in candidates if categories & candidate_categories.get(candidate.pk, set())
    ]
    if not sharing:
        return None
    return min(
        sharing,
        key=lambda candidate: (
            candidate.pk != commitment.carried_from_id,
            candidate.target_kind != commitment.target_kind,
            -len(categories & candidate_categories[candidate.pk]),
            candidate.number,
        ),
    )


def _category_ids(commitments):
    """{commitment id: {category id, ...}} of `commitments` (ids, or a query of them), in one query."""
    through = Commitment.categories.through
    found = {}
    for commitment_id, category_id in through.objects.filter(commitment__in=commitments).values_list(
        "commitment_id", "category_id"
    ):
        found.setdefault(commitment_id, set()).add(category_id)
    return found


def _last_years(cycle, champions):
    """The previous cycle's approved commitments of `champions` (ids, or a query of them)."""
    return Commitment.objects.filter(
        cycle__year=cycle.year - 1, approval=Approval.APPROVED, champion__in=champions
    ).order_by()


def _compare(commitments, categories, previous, previous_categories):
    """{commitment id: LastYear} for those of `commitments` whose champion has `previous` ones."""
    by_champion = {}
    for commitment in previous:
        by_champion.setdefault(commitment.champion_id, []).append(commitment)
    compared = {}
    for commitment in commitments:
        candidates = by_champion.get(commitment.champion_id)
        if not candidates:
            continue  # not a returning champion
        match = counterpart(commitment, categories.get(commitment.pk, set()), candidates, previous_categories)
        if match is None:
            compared[commitment.pk] = LastYear(
                None, reason=gettext("Not compared: no commitment in these categories last year.")
            )
        else:
            compared[commitment.pk] = LastYear(match, *ambition_mark(commitment, match))
    return compared


def compare_with_last_year(commitments, cycle):
    """{commitment id: LastYear} for the `commitments` of `cycle` (a list) whose champion is returning,
    each with last year's commitment (its cycle and assessment loaded, to show its target and what was
    measured) and the mark: what the office's review pages show. At most three queries whatever the
    number of commitments (one when none of their champions is returning, none for an empty list); a
    champion who is not returning has no entry."""
    if not commitments:
        return {}
    previous = list(
        _last_years(cycle, {commitment.champion_id for commitment in commitments}).select_related(
            "cycle", "assessment"
        )
    )
    if not previous:
        return {}
    categories = _category_ids([commitment.pk for commitment in commitments])
    return _compare(commitments, categories, previous, _category_ids([c.pk for c in previous]))


@dataclass
class AmbitionFigures:
    """Returning champions' ambition in a cycle (returning_champions_ambition): their commitments
    compared with last year's, how many raised, kept or lowered it, and per champion."""

    comparable: int = 0
    raised: int = 0
    same: int = 0
    lowered: int = 0
    not_compared: int = 0  # beside one of last year's, but of another kind or measure
    champions: int = 0  # returning champions with at least one comparable commitment
    champions_raised: int = 0  # of them, those who raised the ambition of at least one

    @property
    def raised_share(self):
        """The share of comparable commitments whose ambition rose (share_percent), or None."""
        return share_percent(self.raised, self.comparable)

    @property
    def champions_raised_share(self):
        """The share of returning champions who raised the ambition of at least one commitment."""
        return share_percent(self.champions_raised, self.champions)


def returning_champions_ambition(cycle, commitments=None):
    """For the annual report: of the cycle's approved commitments (or `commitments`, a query of them
    filtered as the report is), those of returning champions set beside last year's in the same
    category, by ambition_mark: how many compare, how many raised, kept or lowered the ambition, and
    how many of those champions raised at least one. Four queries whatever the network's size (the
    commitments, their categories, last year's commitments and theirs), each filtered in the
    database: no list of ids is sent back."""
    if commitments is None:
        commitments = Commitment.objects.filter(cycle=cycle, approval=Approval.APPROVED)
    commitments = commitments.order_by()
    current = list(commitments.only(*RULE_FIELDS))
    previous = list(_last_years(cycle, commitments.values("champion_id")).only(*RULE_FIELDS))
    compared = _compare(
        current,
        _category_ids(commitments.values("pk")),
        previous,
        _category_ids(_last_years(cycle, commitments.values("champion_id")).values("pk")),
    )
    figures = AmbitionFigures()
    champions, raising = set(), set()
    by_pk = {commitment.pk: commitment for commitment in current}
    for pk, last_year in compared.items():
        if last_year.previous is None:
            continue
        if last_year.mark is None:
            figures.not_compared += 1
            continue
        figures.comparable += 1
        champion = by_pk[pk].champion_id
        champions.add(champion)
        if last_year.mark == Ambition.RAISED:
            figures.raised += 1
            raising.add(champion)
        elif last_year.mark == Ambition.SAME:
            figures.same += 1
        else:
            figures.lowered += 1
    figures.champions, figures.champions_raised = len(champions), len(raising)
    return figures
