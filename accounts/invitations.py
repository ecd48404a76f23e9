"""Invitations: people the office added without a sign-in (the network import, admin) choose their
password through a one-time link, emailed once in their language and valid INVITATION_DAYS days.

Inviting again (a resend) ends the links sent before; a person is sent at most one new invitation
a day (RESEND_AFTER), so that a double click, or two office members at once, emails nobody twice.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import emails
from accounts.models import Email, Invitation, SignInState, User
from accounts.tasks import send_after_commit

RESEND_AFTER = datetime.timedelta(days=1)


@dataclass
class Invited:
    """What inviting some people did: each person is in one list."""

    sent: list = field(default_factory=list)  # Invitation rows made now (their emails queued)
    too_soon: list = field(default_factory=list)  # people invited less than RESEND_AFTER ago
    not_needed: list = field(default_factory=list)  # people who can sign in, or are deactivated
    already_invited: list = field(default_factory=list)  # left alone: inviting only the new ones

    def resend_from(self, person):
        """When a person in `too_soon` may be invited again."""
        return person.invited_at + RESEND_AFTER


def invite(user_ids, invited_by, *, again=True, now=None):
    """Invite these people: a new invitation and its email for each who has no password yet, ending
    the links sent before. With `again` off, only those never invited (the office's "invite everyone
    not invited yet"). In a fixed number of queries whatever the number of people.

    Call it in the transaction that decides it; the emails are sent once it commits.
    """
    now = now or timezone.now()
    invitable = {SignInState.NOT_INVITED}
    if again:
        invitable |= {SignInState.INVITED, SignInState.INVITATION_EXPIRED}
    result = Invited()
    with transaction.atomic():
        # Why the lock: two office members inviting the same people at once would each see them not
        # invited yet; locked, the second sees the first's invitations (read after the lock).
        locked = list(
            User.objects.select_for_update()
            .filter(pk__in=list(user_ids))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        people = (
            User.objects.filter(pk__in=locked)
            .with_sign_in_state(now)
            .select_related("champion__organization")
            .prefetch_related("served_champions__organization")
            .order_by("pk")
        )
        to_invite = []
        for person in people:
            if person.sign_in_state in (SignInState.SIGNED_IN, SignInState.DEACTIVATED):
                result.not_needed.append(person)
            elif person.sign_in_state not in invitable:
                result.already_invited.append(person)
            elif person.invited_at and person.invited_at > now - RESEND_AFTER:
                result.too_soon.append(person)
            else:
                to_invite.append(person)
        if not to_invite:
            return result
        Invitation.objects.filter(user__in=to_invite).open(now).update(ended_at=now)
        result.sent = Invitation.objects.bulk_create(
            [Invitation.new(person, invited_by, now) for person in to_invite]
        )
        # Why not emails.make() each: every key is new (one per new invitation), so there is no row
        # to find first; one insert for all keeps inviting a whole network to a few queries.
        made = Email.objects.bulk_create([_email(invitation) for invitation in result.sent])
        send_after_commit(made)
    return result


def _email(invitation):
    """The invitation's email to its person, in their language, with the link only it carries."""
    person = invitation.user
    context = {
        "person": person,
        "invited_by": invitation.invited_by,
        "roles": person.champion_roles,
        "url": settings.SITE_URL + reverse("accept_invitation", args=[invitation.token]),
        "expires_at": invitation.expires_at,
    }
    return Email(
        key=f"invitation:{invitation.pk}:{person.pk}",
        user=person,
        address=person.email,
        **emails.render("invitation", context, person),
    )
