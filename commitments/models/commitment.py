"""Commitments: a champion's numbered, measurable commitments for a cycle, and the one definition
of their progress, status and approval."""

import contextlib
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Floor, Greatest, Least
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.validators import validate_single_line
from champions.models import Champion, Pledge, PledgeSignature
from commitments import data_version
from commitments.models.category import Category, JoinedLabels, label_in_language
from commitments.models.cycle import Cycle, changes_stored
from commitments.models.status_check import (
    status_check_expression,
    status_check_of,
    status_disagrees_condition,
)
from commitments.models.vocabulary import (
    CLOSED_STATUSES,
    COMMITMENT_FIELDS_COUNTED,
    EDITABLE_APPROVALS,
    ROLLUP_FIELDS,
    STATUS_PERCENT,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Approval,
    EventKind,
    Status,
    TargetKind,
    counted_unit_wording,
    event_kind_unit,
    kinds_counted,
    percent_wording,
    plain_number,
    share_percent,
    stale_cutoff,
    target_wording,
    title_from_text,
    women_share,
)

# A commitment's roll-ups of the panels logged on it, and of their split between panels its
# organisers confirmed and panels self-reported (ProgressEventQuerySet.panel_parity).
PANEL_ROLLUPS = [
    "panels_logged",
    "panels_balanced",
    "panels_single_sex",
    "panel_women",
    "panel_men",
    "confirmed_panels",
    "confirmed_women",
    "confirmed_men",
    "self_reported_women",
    "self_reported_men",
]


class ParityShares:
    """The split of panel parity as pages and exports read it from roll-ups (a commitment's, or
    PanelFigures' sums of them): the panels self-reported and both women's shares. The sums are
    ProgressEventQuerySet.panel_parity's, kept by the roll-ups."""

    @property
    def self_reported_panels(self):
        return self.panels_logged - self.confirmed_panels

    @property
    def confirmed_share(self):
        return women_share(self.confirmed_women, self.confirmed_men)

    @property
    def self_reported_share(self):
        return women_share(self.self_reported_women, self.self_reported_men)


@dataclass
class PanelFigures(ParityShares):
    """Panel roll-ups added up over commitments, and the shares pages show of them.

    (A report signed off before the split was kept has none of its figures: 0, as nothing
    confirmed.)"""

    panels_logged: int = 0
    panels_balanced: int = 0
    panels_single_sex: int = 0
    panel_women: int = 0
    panel_men: int = 0
    confirmed_panels: int = 0
    confirmed_women: int = 0
    confirmed_men: int = 0
    self_reported_women: int = 0
    self_reported_men: int = 0

    def __add__(self, other):
        """The figures of both, added up (the figures of all hubs, say)."""
        return PanelFigures(**{name: getattr(self, name) + getattr(other, name) for name in PANEL_ROLLUPS})

    @property
    def balanced_share(self):
        return share_percent(self.panels_balanced, self.panels_logged)

    @property
    def single_sex_share(self):
        return share_percent(self.panels_single_sex, self.panels_logged)

    @property
    def women_share(self):
        return women_share(self.panel_women, self.panel_men)


@dataclass
class CarryOver:
    """What CommitmentQuerySet.carry_into did: the drafts it made (`copied`), and the commitments it
    did not copy because their champion's cycle was full or they were carried already."""

    copied: list = field(default_factory=list)
    cycle_full: list = field(default_factory=list)
    already_carried: list = field(default_factory=list)


class CommitmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Commitments of the champions a user is or serves as focal point (see Champion.served_by)."""
        return self.filter(champion__in=Champion.objects.served_by(user))

    def next_number(self, champion, cycle):
        """The lowest number a new commitment of `champion` in `cycle` can take, or None at the maximum."""
        taken = set(self.filter(champion=champion, cycle=cycle).values_list("number", flat=True))
        return next((n for n in range(1, cycle.max_commitments + 1) if n not in taken), None)

    def to_carry_into(self, cycle):
        """The unfinished commitments of the cycle before `cycle` not yet carried into it: what a
        champion may start `cycle` from (approved, neither completed nor not achieved)."""
        carried = Commitment.objects.filter(cycle=cycle, carried_from__isnull=False).values("carried_from")
        return (
            self.approved()
            .filter(cycle__year=cycle.year - 1)
            .exclude(status__in=CLOSED_STATUSES)
            .exclude(pk__in=carried)
        )

    def carry_into(self, cycle):
        """Copy these commitments into `cycle` as drafts, each linked to the one it continues
        (carried_from), in the order of their numbers, each under its champion's next free number:
        the one way commitments are carried over, one or all at once. Returns a CarryOver saying
        which were copied and which not (the champion's cycle full, or carried already).

        Why the row lock: two carries of the same commitment at once (a double click, two focal
        points) wait for each other, and the second sees the first's draft, so none is copied twice.
        """
        result = CarryOver()
        with transaction.atomic():
            for previous in self.select_related("champion").order_by("champion", "number"):
                Commitment.objects.select_for_update().filter(pk=previous.pk).first()
                if Commitment.objects.filter(cycle=cycle, carried_from=previous).exists():
                    result.already_carried.append(previous)
                    continue
                draft = previous.draft_for(cycle)
                if not draft.save_numbered():
                    result.cycle_full.append(previous)
                    continue
                draft.categories.set(previous.categories.all())
                result.copied.append(draft)
        return result

    def approved(self):
        """Approved commitments: the only ones measured, shown in figures, logged on and reminded of."""
        return self.filter(approval=Approval.APPROVED)

    def published_to(self, user):
        """Approved commitments of the champions the public pages and the API show `user`
        (Champion.objects.published_to): never a draft, a submitted or a returned one."""
        return self.approved().filter(champion__in=Champion.objects.published_to(user))

    def awaiting_review(self):
        return self.filter(approval=Approval.SUBMITTED)

    def to_submit(self, champions, today=None):
        """The drafts and returned commitments of `champions` in cycles still open for commitments
        (Cycle.is_open_for_commitments): what their side has yet to submit."""
        today = today or timezone.localdate()
        return self.filter(
            champion__in=champions,
            approval__in=EDITABLE_APPROVALS,
            cycle__is_closed=False,
            cycle__ends_on__gte=today,
        )

    def reports_to_sign_off(self, champions, today=None):
        """The champions (as `champion`, their pk) of `champions` with approved commitments in a cycle
        whose assessment window is open (CycleQuerySet.assessing) and whose report is not signed off,
        with the cycle's `year` and `report_due_on`: as values, one per champion and cycle."""
        # Reports are read through the champion's reverse relation (the reports app is above this one):
        # conditions in one filter() call are about the same report.
        signed_off = Champion.objects.filter(
            pk=OuterRef("champion"), reports__cycle=OuterRef("cycle"), reports__submitted_at__isnull=False
        )
        return (
            self.approved()
            .filter(champion__in=champions, cycle__in=Cycle.objects.assessing(today))
            .exclude(Exists(signed_off))
            .values("champion", year=F("cycle__year"), report_due_on=F("cycle__report_due_on"))
            .order_by("year", "champion")
            .distinct()
        )

    def open(self):
        """Commitments still being worked on: see open_condition()."""
        return self.filter(self.open_condition())

    @staticmethod
    def open_condition():
        """Still being worked on: neither completed nor not achieved, in a cycle not closed (a past
        year kept as history: nothing in it is overdue, stale or reminded of)."""
        return ~Q(status__in=CLOSED_STATUSES) & Q(cycle__is_closed=False)

    def lock(self):
        """Lock these commitments' rows until the transaction ends, in id order; returns their ids.

        Every writer of a commitment's roll-ups locks it first (ProgressEvent.save and the others).
        Why: under READ COMMITTED, two events saved at once would each recount without the other's
        row; holding the commitment row until commit makes the second recount start after the
        first commits, so it sees both. The lock order of commitments/rollups.py: the
        commitments in id order, then their cycles; so two writers never deadlock. `of=("self",)`:
        a filter across a relation (cycle__year) locks no other table's rows.
        """
        return list(self.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))

    def recount_rollups(self):
        """Recompute the event roll-ups of these commitments from their events (see rollups.recount)."""
        from commitments.rollups import recount

        return recount(self)

    def overdue(self, today=None):
        """Open commitments whose due date has passed: the one definition of "overdue"."""
        return self.filter(self.overdue_condition(today))

    def due_within(self, days=None, today=None):
        """Open commitments due from today to `days` days from now: by default the setting
        DUE_SOON_DAYS, the one definition of "due soon" (the dashboard and the office digest)."""
        return self.filter(self.due_within_condition(days, today))

    @staticmethod
    def due_within_condition(days=None, today=None):
        today = today or timezone.localdate()
        soon = today + datetime.timedelta(days=settings.DUE_SOON_DAYS if days is None else days)
        return CommitmentQuerySet.open_condition() & Q(due_on__gte=today, due_on__lte=soon)

    def stale(self, today=None):
        """Open commitments with no progress logged for STALE_AFTER_DAYS: the one definition of "stale".

        A commitment with no event at all counts from the start of its cycle.
        """
        return self.filter(self.stale_condition(today))

    @staticmethod
    def stale_condition(today=None):
        """Commitment.is_stale() as a condition: open, and quiet since before stale_cutoff()."""
        cutoff = stale_cutoff(today)
        quiet = Q(last_event_on__lt=cutoff) | Q(last_event_on__isnull=True, cycle__starts_on__lt=cutoff)
        return CommitmentQuerySet.open_condition() & quiet

    @staticmethod
    def overdue_condition(today=None):
        return CommitmentQuerySet.open_condition() & Q(due_on__lt=today or timezone.localdate())

    def status_disagreeing(self, today=None):
        """Commitments whose self-set status disagrees with their measured progress, not kept as
        they are by the champion's side since: the one rule (commitments/models/status_check.py)."""
        return self.filter(self.status_disagrees_condition(today))

    @staticmethod
    def status_disagrees_condition(today=None):
        return status_disagrees_condition(today)

    def with_status_check(self, today=None):
        """Annotate `status_disagreement`: how each commitment's status disagrees with its measured
        progress (a StatusDisagreement value), or None (see status_disagreeing)."""
        return self.annotate(status_disagreement=status_check_expression(today))

    def with_category_labels(self):
        """Annotate `category_labels`: the commitment's categories in the reader's language, in their
        order, joined by "; " (one correlated subquery, for exports of many rows)."""
        links = (
            Commitment.categories.through.objects.filter(commitment=OuterRef("pk"))
            .order_by()
            .values("commitment")
            .annotate(labels=JoinedLabels(label_in_language("category__"), F("category__order")))
            .values("labels")
        )
        return self.annotate(
            category_labels=Coalesce(Subquery(links), Value(""), output_field=models.TextField())
        )

    def per_month(self):
        """Events logged, and panel speakers by gender, per month, for these commitments."""
        from commitments.models.months import CommitmentMonth  # (it refers to Commitment)

        return CommitmentMonth.objects.filter(commitment__in=self.order_by().values("pk")).totals()

    def toward_pledges(self, cycle):
        """The commitments whose panels count toward their champions' pledges in `cycle`: every
        approved one of the cycle, whatever its categories or target (every panel a signer logs, on
        any commitment, counts toward a pledge that counts panels)."""
        return self.approved().filter(cycle=cycle)

    def panels_by(self, field):
        """{value of `field`: PanelFigures of these commitments' panels}, added up per value (one query)."""
        rows = self.order_by().values(value=F(field)).annotate(**{name: Sum(name) for name in PANEL_ROLLUPS})
        return {row.pop("value"): PanelFigures(**row) for row in rows}

    def pledge_signatures(self, champions, cycle, panels=None):
        """The pledges `champions` signed by the end of `cycle`, as their signatures (with the pledge),
        each with `panels`: for a pledge that counts panels, the PanelFigures of its signer's panels
        in the cycle (toward_pledges); else None. Two queries. `panels`, a function of the signers'
        commitments giving {champion id: PanelFigures}, counts them otherwise than by their
        roll-ups (a report as of a day: reports/as_of.py)."""
        signatures = list(
            PledgeSignature.objects.signed_by(cycle.ends_on)
            .filter(champion__in=champions)
            .select_related("pledge")
            .order_by("champion", "pledge__order", "pledge__name_en")
        )
        commitments = self.toward_pledges(cycle).filter(champion__in=champions)
        panels = panels(commitments) if panels else commitments.panels_by("champion")
        for signature in signatures:
            counted = signature.pledge.counts_panels
            signature.panels = panels.get(signature.champion_id, PanelFigures()) if counted else None
        return signatures

    def pledge_figures(self, cycle, panels=None):
        """The pledges offered, each with its figures for these commitments' champions (a dashboard's
        or a report's, filtered): `signer_count`, how many of them signed it by the end of `cycle`,
        and `panels`, for a pledge that counts panels, the PanelFigures of those signers' panels in
        the cycle on every commitment of theirs (toward_pledges), whatever the filters chose; else
        None. Two queries at any size. `panels`, a function of the signatures giving {pledge id:
        PanelFigures}, counts them otherwise than by their roll-ups (a report as of a day:
        reports/as_of.py)."""
        signatures = PledgeSignature.objects.signed_by(cycle.ends_on).filter(
            champion__in=self.order_by().values("champion")
        )
        pledges = list(
            Pledge.objects.offered().annotate(
                signer_count=Count("signatures", filter=Q(signatures__in=signatures))
            )
        )
        if panels:
            panels = panels(signatures)
        else:
            panels = (
                Commitment.objects.toward_pledges(cycle)
                .filter(champion__pledge_signatures__in=signatures)
                .panels_by("champion__pledge_signatures__pledge")
            )
        for pledge in pledges:
            pledge.panels = panels.get(pledge.pk, PanelFigures()) if pledge.counts_panels else None
        return pledges

    def with_progress(self):
        """Annotate `annotated_progress`: each commitment's progress, the roll-up kept on its row
        (see progress_expression), for rows read as values."""
        return self.annotate(annotated_progress=F("progress"))

    def refresh_progress(self):
        """Work these commitments' stored progress out anew from their roll-ups and targets (one
        statement): after a write that changes them without Commitment.save or a recount."""
        return self.update(progress=self.progress_expression())

    @staticmethod
    def progress_expression():
        """Progress as the database works it out from a commitment's roll-ups and target: the mirror
        of Commitment.progress_percent (whole percentages rounded down, as there; a test holds the
        two to each other). It is stored on the commitment (`progress`), kept by the roll-ups'
        recount and by saves that change a target or a status, so pages sum a column, not this."""
        decimal = models.DecimalField(max_digits=20, decimal_places=6)
        integer = models.IntegerField()
        # A count's or a percentage's target is a whole number (Commitment.clean): as an integer, the
        # quotient is an integer division, rounded down as in Python.
        whole_target = Cast("target_value", integer)

        def whole_percent(part, whole):
            # Why the casts: an indicator's values are decimals; the quotient rounded down.
            return Cast(Floor(Cast(part, decimal) * 100 / Cast(whole, decimal)), integer)

        baseline = Coalesce(F("baseline"), Value(0), output_field=decimal)
        return Case(
            When(
                target_kind=TargetKind.COUNT,
                then=Least(Value(100), F("counted_events") * 100 / whole_target),
            ),
            When(
                Q(target_kind=TargetKind.PERCENTAGE) & Q(panel_women__gt=0),
                then=Least(
                    Value(100),
                    F("panel_women") * 10000 / ((F("panel_women") + F("panel_men")) * whole_target),
                ),
            ),
            When(target_kind=TargetKind.PERCENTAGE, then=Value(0)),
            When(
                Q(target_kind=TargetKind.INDICATOR) & Q(latest_value__isnull=False),
                then=Least(
                    Value(100),
                    Greatest(
                        Value(0),
                        whole_percent(F("latest_value") - baseline, F("target_value") - baseline),
                    ),
                ),
            ),
            When(target_kind=TargetKind.INDICATOR, then=Value(0)),
            *[When(status=status, then=Value(percent)) for status, percent in STATUS_PERCENT.items()],
            default=Value(0),
            output_field=integer,
        )


class Commitment(ParityShares, models.Model):
    """One of a champion's numbered, measurable commitments for a cycle."""

    champion = models.ForeignKey(
        Champion, verbose_name=_("champion"), on_delete=models.CASCADE, related_name="commitments"
    )
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="commitments"
    )
    number = models.PositiveSmallIntegerField(
        verbose_name=_("number"), help_text=_("1 to the cycle's maximum (usually 5).")
    )
    text = models.TextField(
        verbose_name=_("commitment"),
        max_length=TEXT_MAX_LENGTH,
        help_text=_("The commitment as published, parts a), b)... on lines of their own."),
    )
    title = models.CharField(
        verbose_name=_("short title"),
        max_length=TITLE_MAX_LENGTH,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Shown in lists. Empty: the text's first sentence."),
    )
    description = models.TextField(
        verbose_name=_("how it is measured"),
        blank=True,
        max_length=5000,
        help_text=_("Notes on what will be done and how it will be known to be done."),
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True, related_name="commitments"
    )
    target_kind = models.CharField(
        verbose_name=_("target kind"), max_length=20, choices=TargetKind.choices, default=TargetKind.COUNT
    )
    target_value = models.DecimalField(
        verbose_name=_("target value"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "How many, for a count; the share of women speakers in percent, for a percentage; the value "
            "to reach, for an indicator; empty for a milestone."
        ),
    )
    baseline = models.DecimalField(
        verbose_name=_("baseline"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For an indicator: the value at the start (empty: 0)."),
    )
    unit = models.CharField(
        verbose_name=_("unit"),
        max_length=60,
        blank=True,
        help_text=_("What is counted or measured, for example 'meetings' or '% of D-level staff'."),
        validators=[validate_single_line],
    )
    counts_kind = models.CharField(
        _("events that count"),
        max_length=20,
        choices=EventKind.choices,
        blank=True,
        help_text=_("For a count target: which kind of progress event counts toward it (empty: every kind)."),
    )
    due_on = models.DateField(verbose_name=_("due on"), db_index=True)
    status = models.CharField(
        verbose_name=_("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.NOT_STARTED,
        db_index=True,
    )
    approval = models.CharField(
        verbose_name=_("approval"),
        max_length=10,
        choices=Approval.choices,
        # Why approved by default: commitments made by admins or imported by the office are
        # approved; the champion's side drafts theirs explicitly (commitments/views.py).
        default=Approval.APPROVED,
        db_index=True,
    )
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("carried from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_into",
        help_text=_("The previous cycle's commitment this one continues."),
    )
    # The status and measured progress the champion's side kept it at, where the two disagreed
    # (confirm_status): the disagreement is not raised again until either changes.
    status_confirmed = models.CharField(
        verbose_name=_("status kept"), max_length=20, choices=Status.choices, blank=True, editable=False
    )
    status_confirmed_progress = models.PositiveSmallIntegerField(
        verbose_name=_("progress (%) the status was kept at"), null=True, blank=True, editable=False
    )
    taken_over_from = models.ForeignKey(
        Champion,
        verbose_name=_("taken over from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The champion who handed this commitment over to its champion (a handover)."),
    )
    taken_over_on = models.DateField(verbose_name=_("taken over on"), null=True, blank=True)
    # Roll-ups of the commitment's progress events, kept by recount_rollups() in the same
    # transaction as each event is saved or deleted, so pages read one row, not every event.
    events_in_cycle = models.PositiveIntegerField(
        verbose_name=_("events in cycle"), default=0, editable=False
    )
    counted_events = models.PositiveIntegerField(verbose_name=_("counted events"), default=0, editable=False)
    counted_in_field = models.PositiveIntegerField(
        verbose_name=_("counted in field"), default=0, editable=False
    )
    panels_logged = models.PositiveIntegerField(verbose_name=_("panels logged"), default=0, editable=False)
    panels_balanced = models.PositiveIntegerField(
        verbose_name=_("panels balanced"),
        default=0,
        editable=False,
        help_text=_("Panels with at least half women speakers."),
    )
    panels_single_sex = models.PositiveIntegerField(
        verbose_name=_("panels single sex"), default=0, editable=False
    )
    panel_women = models.PositiveIntegerField(verbose_name=_("panel women"), default=0, editable=False)
    panel_men = models.PositiveIntegerField(verbose_name=_("panel men"), default=0, editable=False)
    # The panels above split as ProgressEventQuerySet.panel_parity splits them: those whose organiser
    # answered the link (with the organiser's figures) and the rest (with the logged figures).
    # Why stored rather than counted per page: every page and export that sums the panel roll-ups
    # (the dashboard, the pledges, the exports, the network report's table) gets the split from
    # the same query, whatever the network's size; an organiser's answer recounts its commitment
    # (PanelConfirmation.answer) as an event write does.
    confirmed_panels = models.PositiveIntegerField(
        verbose_name=_("panels confirmed by organisers"), default=0, editable=False
    )
    confirmed_women = models.PositiveIntegerField(
        verbose_name=_("women on confirmed panels"), default=0, editable=False
    )
    confirmed_men = models.PositiveIntegerField(
        verbose_name=_("men on confirmed panels"), default=0, editable=False
    )
    self_reported_women = models.PositiveIntegerField(
        verbose_name=_("women on self-reported panels"), default=0, editable=False
    )
    self_reported_men = models.PositiveIntegerField(
        verbose_name=_("men on self-reported panels"), default=0, editable=False
    )
    last_event_on = models.DateField(
        verbose_name=_("last progress on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The day of the latest progress event or check-in."),
    )
    latest_value = models.DecimalField(
        verbose_name=_("latest value"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    latest_value_on = models.DateField(
        verbose_name=_("latest value on"), null=True, blank=True, editable=False
    )
    progress = models.PositiveSmallIntegerField(
        verbose_name=_("progress (%)"),
        default=0,
        editable=False,
        help_text=_("Kept up to date from the progress events, check-ins, target and status."),
    )
    # The draft form's key: the same form posted twice (a double click, a request resent to the
    # other app server) saves one draft.
    submission_key = models.UUIDField(
        verbose_name=_("submission key"), null=True, blank=True, unique=True, editable=False
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = CommitmentQuerySet.as_manager()
    # Who changed what and when. Roll-ups are derived from events (which have their own history).
    history = HistoricalRecords(
        excluded_fields=[*ROLLUP_FIELDS, "updated_at", "submission_key"], m2m_fields=[categories]
    )

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["cycle", "champion", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["champion", "cycle", "number"],
                name="commitments_commitment_unique_number",
                violation_error_message=_(
                    "This champion already has a commitment with this number in this cycle."
                ),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="commitments_commitment_number_positive",
                violation_error_message=_("Commitments are numbered from 1."),
            ),
            models.CheckConstraint(
                condition=(
                    # Why isnull: a CHECK passes when it evaluates to NULL, as `NULL >= 1` does.
                    Q(target_kind=TargetKind.COUNT, target_value__isnull=False, target_value__gte=1)
                    | Q(
                        target_kind=TargetKind.PERCENTAGE,
                        target_value__isnull=False,
                        target_value__gte=1,
                        target_value__lte=100,
                    )
                    | (
                        Q(target_kind=TargetKind.INDICATOR, target_value__isnull=False)
                        # (an empty baseline is 0: progress divides by the distance between them)
                        & ~Q(
                            target_value=Coalesce(F("baseline"), Value(0), output_field=models.DecimalField())
                        )
                    )
                    | Q(target_kind=TargetKind.MILESTONE)
                ),
                name="commitments_commitment_target_fits_kind",
                violation_error_message=(
                    "A count target needs a value of at least 1; a percentage target a value from 1 to 100; "
                    "an indicator a target other than its baseline."
                ),
            ),
            models.CheckConstraint(
                condition=Q(target_kind__in=TargetKind.values),
                name="commitments_commitment_target_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="commitments_commitment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(approval__in=Approval.values),
                name="commitments_commitment_approval_valid",
            ),
            models.CheckConstraint(
                # Only an approved commitment is measured, so only its status can move.
                condition=Q(approval=Approval.APPROVED) | Q(status=Status.NOT_STARTED),
                name="commitments_commitment_status_moves_once_approved",
                violation_error_message=_(
                    "A commitment's status can change once the office has approved it."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "status"]),
            models.Index(fields=["cycle", "due_on"]),
            # The stale list: open commitments whose last event is the oldest, first.
            models.Index(fields=["cycle", "last_event_on"]),
        ]

    def __str__(self):
        return f"{self.champion} #{self.number}: {self.title}"

    def save(self, *args, **kwargs):
        if not self.title.strip():
            self.title = title_from_text(self.text)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "title"}
        if not self._state.adding and kwargs.get("update_fields") is None:
            # Roll-ups are written by their recount alone: a full save of an instance loaded before
            # an event was logged must not write its older figures back.
            kwargs["update_fields"] = EDITABLE_FIELDS
        # Which events count changes with the kind that counts or the cycle, and only with them.
        recount = changes_stored(self, COMMITMENT_FIELDS_COUNTED, kwargs.get("update_fields"))
        # Progress changes with the target and the status too (a milestone's is its status's).
        reprogress = changes_stored(self, PROGRESS_FIELDS, kwargs.get("update_fields"))
        if self._state.adding:
            # From the roll-ups it is made with; a target the database refuses has no progress.
            with contextlib.suppress(TypeError, ArithmeticError):
                self.progress = self.progress_percent
        super().save(*args, **kwargs)
        if recount:
            Commitment.objects.filter(pk=self.pk).recount_rollups()
            self.refresh_from_db(fields=ROLLUP_FIELDS)
        elif reprogress:
            Commitment.objects.filter(pk=self.pk).refresh_progress()
            self.refresh_from_db(fields=["progress"])
            data_version.changed()

    def draft_for(self, cycle):
        """A new draft of `cycle` (unsaved, unnumbered) copying this commitment and continuing it."""
        return Commitment(
            champion=self.champion,
            cycle=cycle,
            approval=Approval.DRAFT,
            carried_from=self,
            text=self.text,
            title=self.title,
            description=self.description,
            target_kind=self.target_kind,
            target_value=self.target_value,
            baseline=self.baseline,
            unit=self.unit,
            counts_kind=self.counts_kind,
            due_on=cycle.a_year_after(self.due_on),
        )

    def save_numbered(self):
        """Save this new commitment under its champion's lowest free number in its cycle; False
        when the cycle has as many as it allows."""
        for _attempt in range(3):
            self.number = Commitment.objects.next_number(self.champion, self.cycle)
            if self.number is None:
                return False
            try:
                with transaction.atomic():
                    self.save()
                return True
            except IntegrityError:  # another commitment took the number meanwhile: take the next one
                self.pk = None
                self._state.adding = True
        return False

    @property
    def progress_percent(self):
        """Progress from 0 to 100: the one definition, mirrored in CommitmentQuerySet.with_progress()."""
        if self.target_kind == TargetKind.COUNT:
            return min(100, int(self.counted_events * 100 // self.target_value))
        if self.target_kind == TargetKind.PERCENTAGE:
            if not self.panel_women:
                return 0
            speakers = self.panel_women + self.panel_men
            return min(100, int(self.panel_women * 10000 // (speakers * self.target_value)))
        if self.target_kind == TargetKind.INDICATOR:
            if self.latest_value is None:
                return 0
            baseline = self.baseline or 0
            share = (self.latest_value - baseline) * 100 // (self.target_value - baseline)
            return max(0, min(100, int(share)))
        return STATUS_PERCENT[self.status]

    @property
    def counted_kinds(self):
        """The kinds of progress event that move this commitment's measured progress (kinds_counted)."""
        return kinds_counted(self.target_kind, self.counts_kind)

    @property
    def counted_kind(self):
        """The one kind of event that counts toward the target, where only one does: the kind the
        log form opens on; else None."""
        kinds = self.counted_kinds
        return kinds[0] if len(kinds) == 1 else None

    def counts_for_nothing(self, kind):
        """Whether an event of `kind` adds nothing to measured progress where other kinds would (a
        meeting toward a count of trainings; anything but a panel toward a percentage of speakers)."""
        kinds = self.counted_kinds
        return bool(kinds) and kind not in kinds

    @property
    def counted_kinds_label(self):
        """The kinds of event that count, in words: "trainings", "panels"."""
        return ", ".join(event_kind_unit(kind, 2) for kind in self.counted_kinds)

    @property
    def counted_unit(self):
        """What a count target counts, in the reader's language where the kind of event says it."""
        return counted_unit_wording(self.counts_kind, self.unit, self.target_value)

    @property
    def target_label(self):
        """The target in words, the one wording of it (pages, admin, exports, emails)."""
        return target_wording(self.target_kind, self.target_value, self.counts_kind, self.unit, self.baseline)

    @property
    def women_share(self):
        """Women's share of panel speakers in percent, or None before any speaker is logged."""
        return women_share(self.panel_women, self.panel_men)

    @property
    def progress_figure(self):
        """The figure behind the percentage, in words: "3 of 6 meetings, 1 in the field"."""
        if self.target_kind == TargetKind.COUNT:
            figure = gettext("%(done)s of %(target)s %(unit)s") % {
                "done": self.counted_events,
                "target": plain_number(self.target_value),
                "unit": self.counted_unit,
            }
            if self.counted_in_field:
                figure += gettext(", %(count)s in the field") % {"count": self.counted_in_field}
            return figure
        if self.target_kind == TargetKind.PERCENTAGE:
            if self.women_share is None:
                return gettext("No speakers logged yet (target %(target)s%% women)") % {
                    "target": plain_number(self.target_value)
                }
            return ngettext(
                "%(share)s%% women speakers across %(count)s panel (target %(target)s%%)",
                "%(share)s%% women speakers across %(count)s panels (target %(target)s%%)",
                self.panels_logged,
            ) % {
                "share": self.women_share,
                "count": self.panels_logged,
                "target": plain_number(self.target_value),
            }
        if self.target_kind == TargetKind.INDICATOR:
            if self.latest_value is None:
                return gettext("No value reported yet (target %(target)s)") % {"target": self.target_label}
            return gettext("%(value)s %(unit)s on %(day)s (target %(target)s)") % {
                "value": plain_number(self.latest_value),
                "unit": self.unit,
                "day": formats.date_format(self.latest_value_on),
                "target": self.target_label,
            }
        return gettext("Milestone: %(status)s") % {"status": self.get_status_display().lower()}

    @property
    def parity_split_figure(self):
        """A women's-share commitment's panels in words, organiser-confirmed apart from self-reported:
        "Organiser-confirmed: 50% women (2 panels) · self-reported: 40% women (3 panels)"; empty for
        another target or before any panel. The one wording of the split under a progress figure:
        pages (commitments/_parity_split_line.html), reminder emails and calendar feeds."""
        if self.target_kind != TargetKind.PERCENTAGE or not self.panels_logged:
            return ""
        confirmed = ngettext(
            "Organiser-confirmed: %(share)s women (%(panels)s panel)",
            "Organiser-confirmed: %(share)s women (%(panels)s panels)",
            self.confirmed_panels,
        ) % {"share": percent_wording(self.confirmed_share), "panels": self.confirmed_panels}
        self_reported = ngettext(
            "self-reported: %(share)s women (%(panels)s panel)",
            "self-reported: %(share)s women (%(panels)s panels)",
            self.self_reported_panels,
        ) % {"share": percent_wording(self.self_reported_share), "panels": self.self_reported_panels}
        return f"{confirmed} · {self_reported}"

    def days_left(self, today=None):
        """Days until the due date: negative once it has passed."""
        return (self.due_on - (today or timezone.localdate())).days

    @property
    def is_open(self):
        """Still being worked on: see CommitmentQuerySet.open_condition()."""
        return self.status not in CLOSED_STATUSES and not self.cycle.is_closed

    def is_overdue(self, today=None):
        return self.is_open and self.days_left(today) < 0

    @property
    def quiet_since(self):
        """The last day progress was logged, or the cycle's start before any was."""
        return self.last_event_on or self.cycle.starts_on

    def is_stale(self, today=None):
        """Open with no progress logged for STALE_AFTER_DAYS: the one definition of "stale", mirrored
        in SQL by CommitmentQuerySet.stale()."""
        return self.is_open and self.quiet_since < stale_cutoff(today)

    @property
    def is_approved(self):
        """Measured, reminded of and logged on: see CommitmentQuerySet.approved()."""
        return self.approval == Approval.APPROVED

    @property
    def last_return(self):
        """The office's latest return of this commitment (its comment says what to change), or None;
        read from the prefetched approval_changes, newest first."""
        return next(
            (step for step in self.approval_changes.all() if step.new_approval == Approval.RETURNED), None
        )

    @property
    def is_editable_by_champion(self):
        """A draft, or returned by the office: the champion's side may edit, delete and submit it."""
        return self.approval in EDITABLE_APPROVALS

    def submit(self, user):
        """The champion's side submits a draft or a returned commitment for the office's review."""
        return self._move_approval(EDITABLE_APPROVALS, Approval.SUBMITTED, user)

    def approve(self, user):
        """The office approves a submitted commitment; approving an approved one changes nothing."""
        return self._move_approval({Approval.SUBMITTED}, Approval.APPROVED, user)

    def return_for_changes(self, user, comment):
        """The office sends a submitted commitment back, saying what to change."""
        if not comment.strip():
            raise ValidationError(_("Say what to change: the comment goes to the champion."))
        return self._move_approval({Approval.SUBMITTED}, Approval.RETURNED, user, comment)

    def _move_approval(self, allowed_from, to, user, comment=""):
        """One transition of the approval workflow, kept in its history; None when it does not apply
        (already there, or not from a state it moves from). The row is locked while it moves."""
        with transaction.atomic():
            current = (
                Commitment.objects.select_for_update().values_list("approval", flat=True).get(pk=self.pk)
            )
            if current == to or current not in allowed_from:
                self.approval = current
                return None
            change = self.approval_changes.create(
                old_approval=current, new_approval=to, comment=comment, changed_by=user
            )
            self.approval = to
            self.save(update_fields=["approval", "updated_at"])
        return change

    def status_check(self, today=None):
        """How the status disagrees with measured progress (a StatusDisagreement), or None: the
        rule of CommitmentQuerySet.status_disagreeing, for one commitment."""
        return status_check_of(self, today)

    def confirm_status(self, user, comment=""):
        """The champion's side keeps the status where it disagrees with measured progress: kept in
        the status history, and not asked again until the status or the measured progress changes."""
        with transaction.atomic():
            current = Commitment.objects.select_for_update().values("status", "progress").get(pk=self.pk)
            self.status, self.progress = current["status"], current["progress"]
            self.status_confirmed, self.status_confirmed_progress = self.status, self.progress
            self.save(update_fields=["status_confirmed", "status_confirmed_progress", "updated_at"])
            return self.status_changes.create(
                old_status=self.status, new_status=self.status, comment=comment, changed_by=user
            )

    def change_status(self, status, user, comment="", *, save=True):
        """Set a new status and keep it in the history: the one way a status changes.

        Nothing happens if it is unchanged and there is no comment, or the same comment as the
        latest change (the same form sent twice). With save=False the caller saves the commitment
        (admin, which saves its other fields with it). Only an approved commitment's status moves.
        """
        if status == self.status and (
            not comment
            or self.status_changes.order_by("-changed_at", "-id").values_list("new_status", "comment").first()
            == (status, comment)
        ):
            return None
        if not self.is_approved:
            raise ValidationError(_("A commitment's status can change once the office has approved it."))
        change = self.status_changes.create(
            old_status=self.status, new_status=status, comment=comment, changed_by=user
        )
        self.status = status
        if save:
            self.save(update_fields=["status", "updated_at"])
        return change

    def clean(self):
        """The rules a commitment is set by, in words (the database's constraints stand behind them)."""
        super().clean()
        value = self.target_value
        whole = value is not None and value == int(value)
        if self.target_kind == TargetKind.COUNT and not (whole and value >= 1):
            raise ValidationError(
                {"target_value": gettext("A count target needs how many, a whole number: at least 1.")}
            )
        if self.target_kind == TargetKind.PERCENTAGE and not (whole and 1 <= value <= 100):
            raise ValidationError(
                {"target_value": gettext("A percentage target needs the share of women, from 1 to 100.")}
            )
        if self.target_kind == TargetKind.INDICATOR:
            if value is None:
                raise ValidationError({"target_value": gettext("An indicator needs the value to reach.")})
            if value == (self.baseline or 0):
                raise ValidationError(
                    {"target_value": gettext("The value to reach must differ from the baseline.")}
                )
        if self.approval != Approval.APPROVED and self.status != Status.NOT_STARTED:
            raise ValidationError(
                {"status": gettext("A commitment's status can change once the office has approved it.")}
            )
        cycle = getattr(self, "cycle", None) if self.cycle_id else None
        if cycle and self.due_on and not cycle.contains(self.due_on):
            raise ValidationError(
                {
                    "due_on": gettext(
                        "The due date must be within the %(year)s cycle, from %(start)s to %(end)s."
                    )
                    % {"year": cycle.year, "start": cycle.starts_on, "end": cycle.ends_on}
                }
            )
        if cycle and self.number and self.number > cycle.max_commitments:
            raise ValidationError(
                {
                    "number": (
                        gettext(
                            "The %(year)s cycle allows at most %(maximum)s commitments per champion: "
                            "number %(number)s is too high."
                        )
                        % {"year": cycle.year, "maximum": cycle.max_commitments, "number": self.number}
                    )
                }
            )


# Which stored fields progress is worked out from, beside the roll-ups (Commitment.save).
PROGRESS_FIELDS = {"target_kind", "target_value", "baseline", "status"}

# What a save() of an existing commitment writes: every field but its id and roll-ups.
EDITABLE_FIELDS = [
    field.name
    for field in Commitment._meta.concrete_fields
    if not field.primary_key and field.name not in ROLLUP_FIELDS
]
