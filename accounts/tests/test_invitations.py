"""Invitations: one email in the person's language with a one-time link that sets their password
and signs them in; links used, expired, replaced or made up are refused with a clear page."""

import datetime
import logging

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import formats, timezone, translation

from accounts.invitations import RESEND_AFTER, invite
from accounts.models import DeliveryState, Email, Invitation, SignInState, User, invitation_token_hash
from accounts.tests.factories import ImportedPersonFactory, OfficeMemberFactory, UserFactory
from accounts.tests.helpers import accept, invitation_link, invited
from accounts.tests.smtp import sending_to_smtp_server
from accounts.views import INVITATION_MISSES_PER_CLIENT
from champions.tests.factories import ChampionFactory
from config.logging import JsonFormatter

pytestmark = pytest.mark.django_db

PASSWORD = "a long and private passphrase"


@pytest.fixture
def office():
    return OfficeMemberFactory(email="olivia@example.org", full_name="Olivia Office")


@pytest.fixture
def person():
    """A focal point the import made: an account, no password."""
    person = ImportedPersonFactory(email="fatou@example.org", full_name="Fatou Focal")
    ChampionFactory(full_name="Chidi Champion", organization__acronym="UNODC", focal_points=[person])
    return person


def _path(invitation):
    return f"/accounts/invitation/{invitation.token}/"


def _closed(response):
    """Why the page says the link does not work (its data-reason)."""
    page = response.content.decode()
    marker = 'data-testid="invitation-closed" data-reason="'
    assert marker in page, page
    return page.split(marker)[1].split('"')[0]


def test_an_invitation_is_one_email_in_the_persons_language_with_a_link_that_signs_them_in(
    client, office, person, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    person.language = "fr"
    person.save(update_fields=["language"])

    with sending_to_smtp_server(settings) as smtp, django_capture_on_commit_callbacks(execute=True):
        invitation = invited(person, by=office)

    [message] = smtp.received()
    assert message["To"] == "fatou@example.org"
    subject = (
        "Olivia Office vous invite sur l'outil de suivi des engagements des Champions de l'égalité des genres"
    )
    # Folded onto the next line (encoded, it is long): parsed back, the header keeps that space.
    assert message["Subject"].strip() == subject
    text = message.get_body(("plain",)).get_content()
    assert "Bonjour Fatou Focal," in text
    assert "Chidi Champion (UNODC), comme point focal" in text
    expires = timezone.localtime(invitation.expires_at)
    assert expires - timezone.localtime(invitation.created_at) == datetime.timedelta(days=14)
    with translation.override("fr"):
        assert f"jusqu'au {formats.date_format(expires, 'DATETIME_FORMAT')}" in text
    assert "fatou@example.org" in text
    html = message.get_body(("html",)).get_content()
    assert f'href="{settings.SITE_URL}{_path(invitation)}"' in html
    # Sent once, as the Email the key names; its bodies (the link) are not kept once sent.
    email = Email.objects.get()
    assert (email.key, email.subject) == (f"invitation:{invitation.pk}:{person.pk}", subject)
    assert (email.state, email.text_body, email.html_body) == (DeliveryState.SENT, "", "")

    path = invitation_link(text)
    opened = client.get(path)
    # The form is at an address without the token: nothing logged about it can reveal the token.
    assert (opened.status_code, opened["Location"]) == (302, "/accounts/invitation/set-password/")
    form = client.get(opened["Location"])
    assert form.status_code == 200
    assert "fatou@example.org" in form.content.decode()
    response = accept(client, path, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert int(client.session[SESSION_KEY]) == person.pk
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert person.last_login is not None
    assert Invitation.objects.get().accepted_at is not None
    home = client.get("/", follow=True)
    assert (
        "Bienvenue\u202f: votre mot de passe est enregistré et vous êtes connecté·e." in home.content.decode()
    )
    # Used: the link is dead, for this visitor and any other.
    client.logout()
    again = client.get(path)
    assert again.status_code == 410
    assert _closed(again) == "used"
    assert accept(client, path, "another long passphrase").status_code == 410
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_the_email_names_the_champion_themselves_and_who_invited_them(office, settings):
    person = ImportedPersonFactory(email="chidi@example.org", full_name="Chidi Champion")
    ChampionFactory(user=person, organization__acronym="UNHCR")

    invited(person, by=office)

    email = Email.objects.get()
    assert email.subject == "Olivia Office invites you to the Gender Champions commitment tracker"
    assert "Olivia Office invites you to the International Gender Champions commitment tracker" in (
        email.text_body
    )
    assert "yourself, as Gender Champion (UNHCR)" in email.text_body
    assert "The link works once, until" in email.text_body
    assert "yourself, as Gender Champion (UNHCR)" in email.html_body


def test_only_the_tokens_hash_is_stored(person):
    invitation = invited(person)

    stored = Invitation.objects.values().get()
    assert stored["token_hash"] == invitation_token_hash(invitation.token)
    assert invitation.token not in str(stored)


def test_a_weak_password_is_refused_and_the_link_still_works(client, person):
    path = _path(invited(person))

    response = accept(client, path, "password")

    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert SESSION_KEY not in client.session
    assert accept(client, path, PASSWORD).status_code == 302


def test_the_form_without_a_link_opened_first_says_to_open_it(client, person):
    invited(person)

    response = client.post(
        "/accounts/invitation/set-password/", {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )

    assert response.status_code == 404
    assert _closed(response) == "reopen"
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_a_form_opened_before_a_new_invitation_was_sent_is_refused(client, person):
    yesterday = timezone.now() - RESEND_AFTER - datetime.timedelta(minutes=1)
    opened = client.get(_path(invited(person, now=yesterday)))
    invited(person)

    response = client.post(opened["Location"], {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert response.status_code == 410
    assert _closed(response) == "ended"


def test_a_made_up_or_tampered_link_is_not_found(client, person):
    invitation = invited(person)

    for token in ["not-a-token", invitation.token[:-1] + ("A" if invitation.token[-1] != "A" else "B")]:
        response = client.get(f"/accounts/invitation/{token}/")
        assert response.status_code == 404
        assert _closed(response) == "unknown"
        assert "Ask the chief-of-staff office for a new invitation." in response.content.decode()
        assert accept(client, f"/accounts/invitation/{token}/").status_code == 404


def test_an_expired_link_is_gone_and_says_to_ask_for_a_new_one(client, person):
    fifteen_days_ago = timezone.now() - datetime.timedelta(days=15)
    path = _path(invited(person, now=fifteen_days_ago))

    response = client.get(path)

    assert response.status_code == 410
    assert _closed(response) == "expired"
    assert "Ask the chief-of-staff office for a new invitation." in response.content.decode()
    assert accept(client, path).status_code == 410
    person.refresh_from_db()
    assert not person.has_usable_password()
    assert User.objects.with_sign_in_state().get(pk=person.pk).sign_in_state == SignInState.INVITATION_EXPIRED


def test_a_new_invitation_ends_the_earlier_link(client, person):
    yesterday = timezone.now() - RESEND_AFTER - datetime.timedelta(minutes=1)
    first = invited(person, now=yesterday)
    second = invited(person)

    response = client.get(_path(first))
    assert response.status_code == 410
    assert _closed(response) == "ended"
    assert accept(client, _path(second)).status_code == 302
    assert Email.objects.count() == 2


def test_a_person_is_invited_at_most_once_a_day(person):
    start = timezone.now() - datetime.timedelta(hours=30)
    invited(person, now=start)

    again = invite([person.pk], None, now=start + RESEND_AFTER - datetime.timedelta(minutes=1))
    assert (again.sent, again.too_soon) == ([], [person])
    assert again.resend_from(again.too_soon[0]) == start + RESEND_AFTER
    assert Invitation.objects.count() == Email.objects.count() == 1

    later = invite([person.pk], None, now=start + RESEND_AFTER)
    assert len(later.sent) == 1
    assert Invitation.objects.count() == Email.objects.count() == 2


def test_nobody_who_can_sign_in_or_is_deactivated_is_invited(person):
    signed_in = UserFactory()
    deactivated = ImportedPersonFactory(is_active=False)

    result = invite([signed_in.pk, deactivated.pk], None)

    assert result.sent == []
    assert sorted(user.pk for user in result.not_needed) == sorted([signed_in.pk, deactivated.pk])
    assert not Email.objects.exists()


def test_inviting_only_the_new_ones_leaves_the_invited_alone(person):
    newcomer = ImportedPersonFactory()
    invited(person, now=timezone.now() - datetime.timedelta(days=3))

    result = invite([person.pk, newcomer.pk], None, again=False)

    assert [invitation.user for invitation in result.sent] == [newcomer]
    assert result.already_invited == [person]


def test_a_deactivated_persons_link_no_longer_works(client, person):
    path = _path(invited(person))
    person.is_active = False
    person.save(update_fields=["is_active"])

    response = client.get(path)

    assert response.status_code == 410
    assert "Ask the chief-of-staff office for a new invitation." in response.content.decode()


def test_a_link_is_dead_once_a_password_was_set_another_way(client, person):
    path = _path(invited(person))
    person.set_password(PASSWORD)
    person.save(update_fields=["password"])

    assert _closed(client.get(path)) == "used"


def test_each_sign_in_state_has_its_dates(person):
    now = timezone.now()
    never = ImportedPersonFactory()
    expired = ImportedPersonFactory()
    invited(expired, now=now - datetime.timedelta(days=20))
    invitation = invited(person, now=now - datetime.timedelta(days=2))
    signed_in = UserFactory()
    deactivated = UserFactory(is_active=False)

    states = {
        user.pk: (user.sign_in_state, user.invited_at, user.invitation_expires_at)
        for user in User.objects.with_sign_in_state()
    }

    assert states[person.pk] == (SignInState.INVITED, invitation.created_at, invitation.expires_at)
    assert states[expired.pk][0] == SignInState.INVITATION_EXPIRED
    assert states[never.pk] == (SignInState.NOT_INVITED, None, None)
    assert states[signed_in.pk] == (SignInState.SIGNED_IN, None, None)
    assert states[deactivated.pk][0] == SignInState.DEACTIVATED
    people = [person, never, expired, signed_in, deactivated]
    assert list(User.objects.filter(pk__in=[p.pk for p in people]).able_to_sign_in()) == [signed_in]


def test_the_token_is_never_logged(client, person, caplog):
    invitation = invited(person)
    path = _path(invitation)

    with caplog.at_level(logging.DEBUG):
        client.get(path)
        accept(client, path, "password")  # refused: too common
        accept(client, path)
        client.get(path)  # used: 410
        client.get("/accounts/invitation/made-up-token-that-looks-real-0123456789/")

    assert caplog.records
    for record in caplog.records:
        written = JsonFormatter().format(record)  # what production writes of it
        for secret in (invitation.token, "made-up-token-that-looks-real-0123456789"):
            assert secret not in written
    assert "/accounts/invitation/[token]/" in caplog.text


def test_a_client_that_opens_too_many_unknown_links_is_refused_for_a_while(client, person):
    path = _path(invited(person))
    for attempt in range(INVITATION_MISSES_PER_CLIENT):
        assert client.get(f"/accounts/invitation/guess-{attempt}/").status_code == 404

    assert client.get("/accounts/invitation/guess-again/").status_code == 404  # the one over the limit
    refused = client.get(path)

    assert refused.status_code == 429
    assert _closed(refused) == "too_many"
    assert Client(REMOTE_ADDR="198.51.100.7").get(path).status_code == 302  # to the form
