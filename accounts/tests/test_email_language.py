"""Each person's emails are in the language they chose, else in the one they first signed in with:
signing in later from another browser never changes it behind their back. Subjects are one line."""

import pytest

from accounts.emails import render, subject_line
from accounts.tests.factories import PASSWORD, OfficeMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(client, user, browser_language):
    client.logout()
    client.cookies.pop("django_language", None)
    response = client.post(
        "/accounts/login/",
        {"username": user.email, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE=browser_language,
    )
    assert response.status_code == 302
    user.refresh_from_db()


def test_emails_keep_the_language_of_the_first_sign_in(client):
    user = UserFactory(email="fiona@example.org")
    assert user.email_language == "en"  # never signed in: the site's

    _sign_in(client, user, "fr-CH,fr;q=0.9")
    assert (user.first_sign_in_language, user.email_language) == ("fr", "fr")

    _sign_in(client, user, "en-GB,en;q=0.9")  # a colleague's browser, later
    assert (user.first_sign_in_language, user.email_language) == ("fr", "fr")


def test_a_language_chosen_in_the_preferences_wins_and_stays(client):
    user = UserFactory(email="fiona@example.org")
    _sign_in(client, user, "fr")
    response = client.post(
        "/accounts/preferences/",
        {
            "full_name": "Fiona Focal",
            "reminder_emails": "on",
            "reminder_frequency": "daily",
            "language": "en",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email_language == "en"

    _sign_in(client, user, "fr")
    assert (user.language, user.email_language) == ("en", "en")


def test_an_email_is_rendered_in_the_language_of_the_first_sign_in(client, cast):
    user = cast.focal_point
    _sign_in(client, user, "fr")
    _sign_in(client, user, "en")
    assert user.email_language == "fr", user.first_sign_in_language
    parts = render("commitments-approved", {"cycle": cast.cycle, "champion": cast.champion}, user)
    assert parts["subject"] == f"Vos engagements pour {cast.cycle.year} sont approuvés"


@pytest.mark.parametrize(
    ("rendered", "line"),
    [
        (" Rapport annuel attendu\n", "Rapport annuel attendu"),
        ("\n  Overdue:\n 1 commitment ", "Overdue: 1 commitment"),
        # French typography survives: the narrow no-break space before a colon is kept.
        ("\u202fEn retard\u202f: 1 engagement\n", "En retard\u202f: 1 engagement"),
    ],
)
def test_a_subject_is_one_trimmed_line(rendered, line):
    assert subject_line(rendered) == line


def test_every_french_subject_starts_with_a_word(cast):
    cast.focal_point.language = "fr"
    context = {
        "cycle": cast.cycle,
        "champion": cast.champion,
        "commitment": cast.commitment,
        "commitments": [cast.commitment],
        "headline": "",
        "today": cast.cycle.starts_on,
        "due_within_days": 30,  # the digest's (reminders.delivery.digest_context)
    }
    names = ["commitment-returned", "commitments-approved", "digest", "reminders", "invitation"]
    names += ["commitments-submitted", "report-signed-off", "report-reviewed"]
    for name in names:
        subject = render(name, context, cast.focal_point)["subject"]
        assert subject == subject.strip() and "\n" not in subject, name


def test_only_office_members_choose_to_hear_of_submissions_at_once(client):
    member = OfficeMemberFactory(email="office@example.org")
    client.force_login(member)
    assert 'name="notify_at_once"' in client.get("/accounts/preferences/").content.decode()
    response = client.post(
        "/accounts/preferences/",
        {
            "full_name": "Olivia Office",
            "reminder_emails": "on",
            "reminder_frequency": "daily",
            "language": "",
            "notify_at_once": "on",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.notify_at_once

    champion_side = UserFactory(email="fiona@example.org")
    client.force_login(champion_side)
    assert 'name="notify_at_once"' not in client.get("/accounts/preferences/").content.decode()
    client.post(
        "/accounts/preferences/",
        {
            "full_name": "Fiona Focal",
            "reminder_emails": "on",
            "reminder_frequency": "daily",
            "language": "",
            "notify_at_once": "on",
        },
    )
    champion_side.refresh_from_db()
    assert not champion_side.notify_at_once
