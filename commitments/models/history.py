"""A commitment's history: each step of its approval and each change of its status."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commitments.models.commitment import Commitment
from commitments.models.vocabulary import Approval, Status


class CommitmentChange(models.Model):
    """One entry of a commitment's history: why, by whom, when; the newest first. Each kind of
    change has its `commitment` (under a name of its own) and what changed."""

    comment = models.TextField(verbose_name=_("comment"), blank=True, max_length=2000)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(verbose_name=_("changed at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["commitment", "-changed_at"])]


class ApprovalChange(CommitmentChange):
    """One step of a commitment's approval: submitted, approved or returned, by whom, when, and why."""

    commitment = models.ForeignKey(
        "Commitment", verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="approval_changes"
    )
    old_approval = models.CharField(verbose_name=_("from"), max_length=10, choices=Approval.choices)
    new_approval = models.CharField(verbose_name=_("to"), max_length=10, choices=Approval.choices)

    class Meta(CommitmentChange.Meta):
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")

    def __str__(self):
        return f"{self.commitment}: {self.get_old_approval_display()} → {self.get_new_approval_display()}"


class StatusChange(CommitmentChange):
    """One entry in a commitment's status history."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status = models.CharField(verbose_name=_("old status"), max_length=20, choices=Status.choices)
    new_status = models.CharField(verbose_name=_("new status"), max_length=20, choices=Status.choices)

    class Meta(CommitmentChange.Meta):
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.commitment}: {self.get_old_status_display()} → {self.get_new_status_display()}"
