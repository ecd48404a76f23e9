"""Handovers: a champion leaves and a successor of the same organisation takes over their open
commitments of the current cycle, with the whole history that hangs off them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from champions.models import Champion
from commitments.models.commitment import Commitment
from commitments.models.cycle import Cycle


def free_numbers(commitments, taken, maximum):
    """{commitment pk: the number it takes among `taken` numbers}: its own number where that is free,
    else the lowest free one from 1 to `maximum`; None when the numbers run out."""
    taken = set(taken)
    numbers = {c.pk: c.number for c in commitments if c.number not in taken}
    taken |= set(numbers.values())
    free = (n for n in range(1, maximum + 1) if n not in taken)
    for commitment in commitments:
        if commitment.pk not in numbers:
            number = next(free, None)
            if number is None:
                return None
            numbers[commitment.pk] = number
    return numbers


class HandoverQuerySet(models.QuerySet):
    def in_force(self):
        """Handovers not reversed."""
        return self.filter(reversed_at__isnull=True)

    @staticmethod
    def commitments_to_move(champion, cycle):
        """What a handover moves: the champion's approved, open commitments of `cycle` (drafts and
        commitments completed or not achieved stay with the champion who made them)."""
        return champion.commitments.approved().open().filter(cycle=cycle).order_by("number")

    def hand_over(self, champion, successor, effective_on, cycle, user):
        """Record the handover and do it, in one transaction: the champion leaves on `effective_on`
        (inactive at once if that day has come, else from that day by ChampionQuerySet.active), their
        open commitments of `cycle` move to `successor`, renumbered where the successor uses their
        numbers, each with a line in its status history; the champion's focal points serve the
        successor too. Raises ValidationError when the successor has too few free numbers left."""
        with transaction.atomic():
            # Why lock: two offices handing over the same champion at once must not both move.
            champion = Champion.objects.select_for_update().get(pk=champion.pk)
            if champion.left_on is not None:
                raise ValidationError(gettext("This champion has already handed over."))
            # of=("self",): the commitments' rows, not their cycle's (joined by open()), which event
            # writes lock after their commitment (commitments/rollups.py).
            moving = list(self.commitments_to_move(champion, cycle).select_for_update(of=("self",)))
            taken = successor.commitments.filter(cycle=cycle).values_list("number", flat=True)
            numbers = free_numbers(moving, taken, cycle.max_commitments)
            if numbers is None:
                raise ValidationError(too_few_numbers(successor, cycle, len(moving)))
            handover = self.create(
                from_champion=champion,
                to_champion=successor,
                effective_on=effective_on,
                cycle=cycle,
                created_by=user,
                numbers={str(c.pk): c.number for c in moving},
            )
            handover.commitments.set(moving)
            comment = gettext("Taken over from %(champion)s on %(day)s (handover).") % {
                "champion": champion.full_name,
                "day": formats.date_format(effective_on, "j F Y"),
            }
            # Moved one by one: the numbers may be swapped around, and each move is kept in the
            # commitment's history (who, when, from which champion) and its status history.
            for commitment in moving:
                commitment.champion = successor
                commitment.number = numbers[commitment.pk]
                commitment.taken_over_from = champion
                commitment.taken_over_on = effective_on
                commitment.save(
                    update_fields=["champion", "number", "taken_over_from", "taken_over_on", "updated_at"]
                )
                commitment.status_changes.create(
                    old_status=commitment.status,
                    new_status=commitment.status,
                    comment=comment,
                    changed_by=user,
                )
            # The organisation's focal points stay with it: they serve the successor too.
            added = champion.focal_points.exclude(pk__in=successor.focal_points.all())
            handover.focal_points_added = list(added.values_list("pk", flat=True))
            successor.focal_points.add(*handover.focal_points_added)
            handover.save(update_fields=["focal_points_added"])
            champion.left_on = effective_on
            champion.is_active = effective_on > timezone.localdate()
            champion.save(update_fields=["left_on", "is_active"])
        return handover


def too_few_numbers(successor, cycle, count):
    return gettext(
        "%(successor)s has too few free commitment numbers in %(year)s to take over %(count)s "
        "commitments (at most %(maximum)s each): raise the cycle's maximum in admin first."
    ) % {
        "successor": successor.full_name,
        "year": cycle.year,
        "count": count,
        "maximum": cycle.max_commitments,
    }


class Handover(models.Model):
    """A champion handed over to a successor on a day: which commitments moved, and whether the
    office reversed it."""

    from_champion = models.ForeignKey(
        Champion, verbose_name=_("leaving champion"), on_delete=models.PROTECT, related_name="handovers_made"
    )
    to_champion = models.ForeignKey(
        Champion, verbose_name=_("successor"), on_delete=models.PROTECT, related_name="handovers_received"
    )
    effective_on = models.DateField(verbose_name=_("effective on"))
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="handovers"
    )
    commitments = models.ManyToManyField(
        Commitment, verbose_name=_("commitments moved"), blank=True, related_name="handovers"
    )
    numbers = models.JSONField(
        verbose_name=_("numbers before"),
        default=dict,
        help_text=_("Each moved commitment's number with the leaving champion, restored on reversal."),
    )
    focal_points_added = models.JSONField(
        verbose_name=_("focal points added"),
        default=list,
        help_text=_("The leaving champion's focal points the successor did not have, removed on reversal."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    reversed_at = models.DateTimeField(verbose_name=_("reversed at"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reversed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = HandoverQuerySet.as_manager()

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_champion=models.F("to_champion")),
                name="commitments_handover_to_another_champion",
                violation_error_message=_("A champion cannot hand over to themselves."),
            ),
        ]

    def __str__(self):
        return f"{self.from_champion} → {self.to_champion} ({self.effective_on})"

    @property
    def is_reversed(self):
        return self.reversed_at is not None

    @property
    def is_reversible(self):
        """The office may reverse it while its cycle is not closed."""
        return not self.is_reversed and not self.cycle.is_closed

    def reverse(self, user):
        """Undo the handover, in one transaction: the commitments still with the successor go back with
        their numbers, the leaving champion is active again, the focal points added are removed.
        Raises ValidationError once the cycle is closed or a number is no longer free."""
        with transaction.atomic():
            handover = (
                Handover.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=self.pk)
            )
            if handover.is_reversed:
                raise ValidationError(gettext("This handover has already been reversed."))
            if handover.cycle.is_closed:
                raise ValidationError(
                    gettext("The cycle is closed: its handovers can no longer be reversed.")
                )
            champion = handover.from_champion
            comment = gettext("Handed back to %(champion)s (handover reversed).") % {
                "champion": champion.full_name
            }
            moving = handover.commitments.filter(champion=handover.to_champion).select_for_update(
                of=("self",)
            )
            try:
                with transaction.atomic():
                    for commitment in moving:
                        commitment.champion = champion
                        commitment.number = handover.numbers.get(str(commitment.pk), commitment.number)
                        commitment.taken_over_from = None
                        commitment.taken_over_on = None
                        commitment.save(
                            update_fields=[
                                "champion",
                                "number",
                                "taken_over_from",
                                "taken_over_on",
                                "updated_at",
                            ]
                        )
                        commitment.status_changes.create(
                            old_status=commitment.status,
                            new_status=commitment.status,
                            comment=comment,
                            changed_by=user,
                        )
            except IntegrityError as error:
                raise ValidationError(
                    gettext("%(champion)s uses these commitments' numbers again: renumber them first.")
                    % {"champion": champion.full_name}
                ) from error
            handover.to_champion.focal_points.remove(*handover.focal_points_added)
            champion.left_on = None
            champion.is_active = True
            champion.save(update_fields=["left_on", "is_active"])
            handover.reversed_at, handover.reversed_by = timezone.now(), user
            handover.save(update_fields=["reversed_at", "reversed_by"])
        self.reversed_at, self.reversed_by = handover.reversed_at, handover.reversed_by
        return handover
