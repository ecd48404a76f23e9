"""Emails about setting commitments: one to the champion and one to each focal point (or, for a
submission, to the office members who asked to hear at once), each in its reader's language, made
once (accounts.Email) in the transaction that decides them and sent after it commits."""

from django.conf import settings
from django.urls import reverse

from accounts import emails
from accounts.models import User
from accounts.tasks import send_after_commit
from commitments.models import Approval, ApprovalChange


def email_returned(commitment):
    """The office has just returned a commitment: say which, and what to change. One email a
    person per return (the step that returned it)."""
    step = commitment.approval_changes.filter(new_approval=Approval.RETURNED).first()
    context = {
        "champion": commitment.champion,
        "commitment": commitment,
        "comment": step.comment,
        "set_url": settings.SITE_URL + reverse("set_commitments", args=[commitment.cycle.year]),
    }
    _make_and_send(f"commitment-returned:{step.pk}", "commitment-returned", context, commitment.champion)


def email_all_approved(champion, cycle):
    """Every commitment of the champion's cycle has just been approved: they are ready for logging
    progress. One email a person per approval that completed the set (the latest step), so a set
    approved again after a return is announced again."""
    commitments = list(cycle.commitments.filter(champion=champion).order_by("number"))
    last_step = ApprovalChange.objects.filter(commitment__in=commitments).first()  # newest first
    context = {
        "champion": champion,
        "cycle": cycle,
        "commitments": commitments,
        "home_url": settings.SITE_URL + reverse("home") + f"?cycle={cycle.year}",
    }
    key = f"commitments-approved:{champion.pk}:{cycle.pk}:{last_step.pk}"
    _make_and_send(key, "commitments-approved", context, champion)


def email_comment(comment):
    """A comment was just posted: email it to the other side, each reader once (the comment's key).
    An office comment goes to the champion and their focal points (Champion.people); a comment of
    the champion's side to the office's members who can sign in. Never to its author."""
    commitment = comment.commitment
    if comment.from_office:
        readers = commitment.champion.people()
        page = reverse("commitment_detail", args=[commitment.pk])
    else:
        readers = list(User.objects.office_members().able_to_sign_in())
        page = reverse("dashboard_commitment", args=[commitment.pk])
    context = {
        "comment": comment,
        "commitment": commitment,
        "champion": commitment.champion,
        "author": comment.author,
        "url": f"{settings.SITE_URL}{page}#comments",
    }
    made = [
        emails.make(f"comment:{comment.pk}:{user.pk}", user, **emails.render("comment", context, user))
        for user in readers
        if user.pk != comment.author_id
    ]
    send_after_commit(made)


def email_office_submitted(champion, cycle, changes):
    """The champion's side has just submitted commitments (`changes`: the approval steps that did):
    the office members who chose to hear at once are told now, one email each per submission (its
    latest step); the others read it in the weekly digest (reminders.delivery.digest_context)."""
    readers = list(User.objects.told_at_once())
    if not changes or not readers:
        return
    latest = max(changes, key=lambda change: change.pk)
    context = {
        "champion": champion,
        "cycle": cycle,
        "commitments": sorted((change.commitment for change in changes), key=lambda c: c.number),
        "submitted_by": latest.changed_by,
        "review_url": settings.SITE_URL + reverse("dashboard_review") + f"?cycle={cycle.year}",
    }
    send_after_commit(
        emails.make_each(f"commitments-submitted:{latest.pk}", "commitments-submitted", context, readers)
    )


def _make_and_send(key, name, context, champion):
    send_after_commit(emails.make_each(key, name, context, champion.people()))
