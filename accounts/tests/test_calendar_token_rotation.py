"""A calendar address does not outlive the password it was shared with, nor a deactivation: changed,
reset or reactivated, the account's old feed address answers 404 (attacked with the old address)."""

import re

import pytest
from django.core import mail

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from champions.tests.factories import ChampionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def champion_user():
    return ChampionFactory().user


def _feed(client, token):
    return client.get(f"/calendar/{token}.ics")


def test_changing_the_password_ends_the_old_address(client, champion_user):
    old = champion_user.calendar_token
    assert _feed(client, old).status_code == 200
    client.force_login(champion_user)

    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a new and long passphrase",
            "new_password2": "a new and long passphrase",
        },
    )

    assert response.status_code == 302
    champion_user.refresh_from_db()
    assert champion_user.calendar_token != old
    assert _feed(client, old).status_code == 404
    assert _feed(client, champion_user.calendar_token).status_code == 200


def test_resetting_the_password_ends_the_old_address(
    client, champion_user, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    old = champion_user.calendar_token
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password_reset/", {"email": champion_user.email})
    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"new_password1": "a new and long passphrase", "new_password2": "a new and long passphrase"},
    )

    champion_user.refresh_from_db()
    assert champion_user.check_password("a new and long passphrase")
    assert _feed(client, old).status_code == 404


def test_a_reactivated_account_gets_a_new_address(client, champion_user):
    old = champion_user.calendar_token
    champion_user.is_active = False
    champion_user.save()
    assert _feed(client, old).status_code == 404

    champion_user.is_active = True
    champion_user.save(update_fields=["is_active"])

    champion_user.refresh_from_db()
    assert champion_user.calendar_token != old
    assert _feed(client, old).status_code == 404
    assert _feed(client, champion_user.calendar_token).status_code == 200


def test_other_saves_keep_the_address(champion_user):
    old = champion_user.calendar_token
    champion_user.full_name = "Renamed"
    champion_user.save()
    User.objects.get(pk=champion_user.pk).save(update_fields=["full_name"])
    champion_user.refresh_from_db()
    assert champion_user.calendar_token == old


def test_a_new_users_address_is_made_with_it():
    user = UserFactory()
    assert user.calendar_token and User.objects.filter(calendar_token=user.calendar_token).count() == 1
