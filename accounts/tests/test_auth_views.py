import re

import pytest
from django.core import mail

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_it_signs_in_with_email_whatever_its_case(client):
    UserFactory(email="Focal.Point@example.org")
    response = client.post("/accounts/login/", {"username": "focal.point@EXAMPLE.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_it_refuses_a_wrong_password_with_a_message(client):
    UserFactory(email="fp@example.org")
    response = client.post("/accounts/login/", {"username": "fp@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct email address and password" in response.content.decode()


def test_the_sign_in_page_has_a_title_and_a_reset_link(client):
    page = client.get("/accounts/login/").content.decode()
    assert "<title>Sign in" in page
    assert 'href="/accounts/password_reset/"' in page


def test_it_signs_out_on_post(client):
    client.force_login(UserFactory())
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_it_emails_a_password_reset_link_that_works(client, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    user = UserFactory(email="fp@example.org", full_name="Fiona Focal")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password_reset/", {"email": "fp@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["fp@example.org"]
    assert message.subject == "Reset your Gender Champions password"
    assert "Hello Fiona Focal" in message.body
    link = re.search(re.escape(settings.SITE_URL) + r"(/accounts/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new = "a much longer passphrase for the field"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_it_sends_no_email_to_an_unknown_address_but_says_the_same(client):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_it_changes_a_password(client):
    user = UserFactory()
    client.force_login(user)
    new = "another long passphrase, easy to remember"
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/password_reset/", "/healthz"])
def test_these_pages_need_no_sign_in(client, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/", "/accounts/password_change/", "/events/export.csv"])
def test_other_pages_need_a_signed_in_user(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_preferences_choose_weekly_reminders_and_the_browsers_language(client):
    user = UserFactory(email="fp@example.org", language="fr")
    client.force_login(user)
    page = client.get("/accounts/preferences/").content.decode()
    assert "Weekly: one email each Monday" in page or "lundi" in page
    response = client.post(
        "/accounts/preferences/",
        {"full_name": "Fiona Focal", "reminder_emails": "on", "reminder_frequency": "weekly", "language": ""},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.reminder_frequency, user.language) == ("weekly", "")
