"""Emails about setting commitments: to the champion and their focal points, in each reader's language."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.emails import build_emails
from champions.models import Champion
from commitments.models import Approval, Commitment, Cycle


def _set_url(cycle):
    return settings.SITE_URL + reverse("set_commitments", args=[cycle.year])


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def email_returned(commitment_id):
    """The office returned a commitment: say which, and what to change."""
    commitment = Commitment.objects.select_related("champion__user", "cycle").get(pk=commitment_id)
    step = commitment.approval_changes.filter(new_approval=Approval.RETURNED).first()
    people = commitment.champion.people()
    context = {
        "champion": commitment.champion,
        "commitment": commitment,
        "comment": step.comment if step else "",
        "set_url": _set_url(commitment.cycle),
    }
    _send("commitment-returned", context, people)


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def email_all_approved(champion_id, cycle_id):
    """Every commitment of the champion's cycle is approved: they are ready for logging progress."""
    champion = Champion.objects.select_related("user").get(pk=champion_id)
    cycle = Cycle.objects.get(pk=cycle_id)
    commitments = list(cycle.commitments.filter(champion=champion).order_by("number"))
    if not commitments or any(not commitment.is_approved for commitment in commitments):
        return  # something changed since it was queued
    context = {
        "champion": champion,
        "cycle": cycle,
        "commitments": commitments,
        "home_url": settings.SITE_URL + reverse("home") + f"?cycle={cycle.year}",
    }
    _send("commitments-approved", context, champion.people())


def _send(name, context, people):
    from django.core.mail import get_connection

    if people:
        with get_connection() as connection:
            connection.send_messages(build_emails(name, context, people))
