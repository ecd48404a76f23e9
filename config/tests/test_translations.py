"""The French catalogue is complete: every string of the interface translated, none fuzzy."""

import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.tests.factories import PASSWORD
from events.tests.factories import ProgressEventFactory
from reminders import delivery

BASE_DIR = Path(settings.BASE_DIR)
CATALOGUE = BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"
# The same extraction as `make messages`.
MAKEMESSAGES = [
    "makemessages",
    "-l",
    "fr",
    "--no-obsolete",
    "--ignore=.venv/*",
    "--ignore=var/*",
    "--ignore=static/*",
    "--ignore=bench/*",
    "--ignore=*/tests/*",
    "--ignore=conftest.py",
]


def _statistics(po_file):
    if not shutil.which("msgfmt"):
        pytest.fail("msgfmt is missing: install gettext (apt-get install gettext)")
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po_file)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.strip()


def _untranslated(po_file):
    """msgids whose msgstr is empty, as the messages to show when the test fails."""
    text = po_file.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first entry is the header
    return [
        re.search(r'msgid "(.*)"', entry).group(1) or entry
        for entry in entries
        if re.search(r'^msgstr(\[\d\])? ""\n?$', entry, flags=re.M)
        and not re.search(r'^msgstr(\[\d\])? ""\n"', entry, flags=re.M)
    ]


def test_every_message_in_the_catalogue_is_translated_and_none_is_fuzzy():
    statistics = _statistics(CATALOGUE)
    assert "fuzzy" not in statistics, statistics
    assert "untranslated" not in statistics, statistics
    assert "#, fuzzy" not in CATALOGUE.read_text(encoding="utf-8")


@pytest.mark.slow  # runs makemessages
def test_no_string_of_the_interface_is_missing_from_the_catalogue(tmp_path):
    # Why a linked copy: makemessages writes into the locale folder beside the files it scans, so
    # it scans a folder of links to the project (with a copy of locale/) and the real catalogue
    # is left alone.
    project = tmp_path / "project"
    project.mkdir()
    for entry in BASE_DIR.iterdir():
        if entry.name not in ("locale", ".venv", "var", ".git", "node_modules"):
            (project / entry.name).symlink_to(entry)
    shutil.copytree(BASE_DIR / "locale", project / "locale")
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES, "--symlinks"],
        cwd=project,
        env={**os.environ, "LOCALE_DIR": str(project / "locale")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    extracted = project / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    statistics = _statistics(extracted)
    missing = _untranslated(extracted)
    assert "untranslated" not in statistics and "fuzzy" not in statistics, (
        f"{statistics}; run `make messages` and translate: {missing[:20]}"
    )


@pytest.fixture
def french_focal_point(cast):
    cast.focal_point.language = "fr"
    cast.focal_point.save()
    return cast


def test_a_french_speaking_focal_point_sees_the_interface_in_french(client, french_focal_point):
    cast = french_focal_point
    client.force_login(cast.focal_point)
    page = client.get("/").content.decode()
    assert '<html lang="fr">' in page
    assert "Mes engagements" in page
    assert "Enregistrer un progrès" in page
    form = client.get(f"/commitments/{cast.commitment.pk}/log/").content.decode()
    assert "Réunion avec le personnel" in form


def test_the_office_sees_the_dashboard_and_a_champions_page_in_french(client, cast):
    cast.office_member.language = "fr"
    cast.office_member.save()
    client.force_login(cast.office_member)
    dashboard = client.get("/dashboard/").content.decode()
    assert "Tableau de bord des engagements" in dashboard
    assert "Commitments dashboard" not in dashboard
    ProgressEventFactory(commitment=cast.commitment, occurred_on=cast.cycle.starts_on)
    champion = client.get(f"/dashboard/champions/{cast.champion.pk}/").content.decode()
    assert f"engagement {cast.commitment.number}" in champion
    assert f"commitment {cast.commitment.number}<" not in champion


def test_form_errors_are_in_french(client, french_focal_point):
    cast = french_focal_point
    client.force_login(cast.focal_point)
    response = client.post(
        f"/commitments/{cast.commitment.pk}/log/",
        {"kind": "panel", "occurred_on": "2000-01-01", "title": "", "women_count": -1, "men_count": 0},
    )
    errors = " ".join(str(e) for field in response.context["form"].errors.values() for e in field)
    assert "Ce champ est obligatoire." in errors  # Django's own French
    assert "cycle" in errors and "Choose a date" not in errors


def test_the_language_switcher_remembers_the_choice_on_the_account(client, cast):
    client.force_login(cast.focal_point)
    response = client.post("/accounts/language/", {"language": "fr", "next": "/"})
    assert response.status_code == 302
    cast.focal_point.refresh_from_db()
    assert cast.focal_point.language == "fr"
    assert "Mes engagements" in client.get("/").content.decode()
    client.post("/accounts/language/", {"language": "en", "next": "/"})
    assert "My commitments" in client.get("/").content.decode()


def test_the_language_switcher_refuses_an_unknown_language_and_a_foreign_next(client, cast):
    client.force_login(cast.focal_point)
    response = client.post("/accounts/language/", {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    cast.focal_point.refresh_from_db()
    assert cast.focal_point.language == ""  # nothing chosen


def test_a_french_reader_gets_the_reminder_in_french(french_focal_point, mailoutbox):
    cast = french_focal_point
    cast.commitment.due_on = timezone.localdate() + datetime.timedelta(days=7)
    cast.commitment.save()
    for reminder_id in delivery.sweep():
        delivery.deliver(reminder_id)
    subjects = {m.subject: m for m in mailoutbox if m.to == [cast.focal_point.email]}
    # The 7-day reminder, and (nothing logged since the cycle began) the no-progress nudge.
    assert set(subjects) == {
        "1 à échéance proche; 1 sans progrès récent",
    }
    body = subjects["1 à échéance proche; 1 sans progrès récent"].body
    assert "Enregistrer un progrès" in body
    assert f"Bonjour {cast.focal_point.full_name}," in body


def test_the_log_forms_date_is_an_iso_date_in_french_too(client, french_focal_point):
    cast = french_focal_point
    client.force_login(cast.focal_point)
    page = client.get(f"/commitments/{cast.commitment.pk}/log/").content.decode()
    today = timezone.localdate()
    expected = min(today, cast.cycle.ends_on).isoformat()
    assert f'type="date" name="occurred_on" value="{expected}"' in page


def test_before_any_choice_pages_follow_the_browser_and_after_one_they_keep_it(client, cast):
    user = cast.focal_point
    assert user.language == ""
    client.force_login(user)
    assert "Mes engagements" in client.get("/", HTTP_ACCEPT_LANGUAGE="fr-CH,fr;q=0.9").content.decode()
    assert "My commitments" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    client.post("/accounts/language/", {"language": "fr", "next": "/"})
    client.cookies.pop("django_language", None)  # another browser, say
    assert "Mes engagements" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()


def test_emails_follow_the_language_of_the_first_sign_in_until_one_is_chosen(client, cast):
    user = cast.focal_point
    assert user.email_language == "en"
    client.post("/accounts/login/", {"username": user.email, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="fr")
    user.refresh_from_db()
    assert (user.language, user.first_sign_in_language, user.email_language) == ("", "fr", "fr")
    user.language = "en"
    user.save()
    assert user.email_language == "en"
