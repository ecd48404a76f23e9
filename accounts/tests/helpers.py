"""Helpers shared by the tests of invitations (accounts, the office's people page, reminders)."""

import re

from django.conf import settings

from accounts.invitations import invite


def invitation_link(message_text):
    """The path of the invitation link in an email's text (the part after SITE_URL)."""
    match = re.search(re.escape(settings.SITE_URL) + r"(/accounts/invitation/[^/\s]+/)", message_text)
    assert match, f"no invitation link in:\n{message_text}"
    return match.group(1)


def invited(person, by=None, now=None):
    """Invite one person as the office does; returns their invitation (its `token` set)."""
    [invitation] = invite([person.pk], by, now=now).sent
    return invitation


def accept(client, path, password="a long and private passphrase"):
    """Open an invitation's link and choose a password, as the person does; returns the answer to
    the form, or to the link when it does not lead to the form."""
    opened = client.get(path)
    if opened.status_code != 302:
        return opened
    return client.post(opened["Location"], {"new_password1": password, "new_password2": password})
