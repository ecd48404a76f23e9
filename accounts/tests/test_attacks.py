"""The second security review's findings, each reproduced as the attack it was, now failing.

Sign-in lockout, client addresses behind a proxy, spellings of one account, password reset and
password change, session age, caching of private pages, and names that are text of their own.
"""

import datetime
import logging
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User, sign_in_name
from accounts.tests.factories import PASSWORD, UserFactory
from accounts.validators import validate_single_line

pytestmark = pytest.mark.django_db

WRONG = "Tr0ub4dor&3-not-it"
LOCKED = "Sign-in temporarily locked"
NGINX = "127.0.0.1"  # gunicorn's only client: every request comes through the proxy


def sign_in(client, email, password=PASSWORD, address="10.0.0.1", **headers):
    return client.post(
        "/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def through_nginx(client, email, password, client_address, sent_by_client=None):
    """A sign-in as nginx passes it on: X-Forwarded-For is what the client sent, if anything, with
    the client's own address appended ($proxy_add_x_forwarded_for), and REMOTE_ADDR is nginx."""
    forwarded = f"{sent_by_client}, {client_address}" if sent_by_client else client_address
    return sign_in(client, email, password, address=NGINX, HTTP_X_FORWARDED_FOR=forwarded)


def is_locked(response):
    return response.status_code == 429 and LOCKED in response.content.decode()


@pytest.fixture
def victim():
    return UserFactory(email="victim@example.org")


@pytest.fixture
def attacker():
    return UserFactory(email="attacker@example.org")


# 1. Any account holder could reset another account's lockout.


def test_signing_in_as_oneself_does_not_clear_failures_against_another_account(victim, attacker):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert not is_locked(sign_in(client, victim.email, WRONG))
    assert sign_in(client, attacker.email).status_code == 302  # this used to wipe the failures above
    client.logout()
    # The next guess is the limit's: the account is locked, even for the right password.
    assert is_locked(sign_in(client, victim.email, WRONG))
    assert is_locked(sign_in(Client(), victim.email, address="10.9.9.9"))


def test_a_success_clears_only_that_accounts_own_failures(victim, attacker):
    client = Client()
    sign_in(client, attacker.email, WRONG)
    sign_in(client, victim.email, WRONG)
    assert sign_in(client, attacker.email).status_code == 302
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [victim.email]


# 2. Behind the proxy, five failures locked out everyone.


def test_behind_one_trusted_proxy_failures_lock_the_forwarded_address_not_everyone(
    settings, victim, attacker
):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    settings.AXES_IPWARE_PROXY_COUNT = 0  # what PROXY_COUNT=1 sets (see settings.py)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        through_nginx(Client(), f"guess{attempt}@example.org", WRONG, "198.51.100.7")
    assert is_locked(through_nginx(Client(), victim.email, PASSWORD, "198.51.100.7"))
    assert through_nginx(Client(), victim.email, PASSWORD, "203.0.113.20").status_code == 302


def test_a_client_cannot_choose_its_address_by_sending_the_header_itself(settings, victim):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    settings.AXES_IPWARE_PROXY_COUNT = 0
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # A new made-up address each time, to spread the failures: nginx appends the real one.
        through_nginx(Client(), f"guess{attempt}@example.org", WRONG, "198.51.100.7", f"10.1.0.{attempt}")
    assert is_locked(through_nginx(Client(), victim.email, PASSWORD, "198.51.100.7", "10.1.0.99"))


def test_with_no_trusted_proxy_a_forged_header_changes_nothing(victim):
    # The default (PROXY_COUNT=0): the address is REMOTE_ADDR whatever X-Forwarded-For says.
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(
            Client(),
            f"guess{attempt}@example.org",
            WRONG,
            "192.0.2.7",
            HTTP_X_FORWARDED_FOR=f"10.2.0.{attempt}",
        )
    assert is_locked(sign_in(Client(), victim.email, PASSWORD, "192.0.2.7", HTTP_X_FORWARDED_FOR="10.2.0.50"))
    assert sign_in(Client(), victim.email, PASSWORD, "192.0.2.8").status_code == 302


def test_the_security_log_records_the_forwarded_address(settings, victim, caplog):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    settings.AXES_IPWARE_PROXY_COUNT = 0
    with caplog.at_level(logging.WARNING, logger="accounts.security"):
        through_nginx(Client(), victim.email, WRONG, "198.51.100.7", "10.3.0.1")
    assert "Failed sign-in for 'victim@example.org' from 198.51.100.7" in caplog.text
    assert "10.3.0.1" not in caplog.text


@pytest.mark.slow  # a subprocess
def test_proxy_count_configures_the_address_the_lockout_reads(tmp_path):
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.AXES_IPWARE_META_PRECEDENCE_ORDER, settings.AXES_IPWARE_PROXY_COUNT)"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "VAR_DIR": str(tmp_path),
        "PROXY_COUNT": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert result.stdout.strip() == "['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'] 0", result.stderr


# 3. One account, one spelling.


def test_every_spelling_that_reaches_an_account_counts_as_that_account(victim):
    spellings = [
        " Victim@Example.org",
        "VICTIM@EXAMPLE.ORG",
        "ｖｉｃｔｉｍ@example.org",
        "victim@example.org ",
    ]
    for spelling in spellings:
        assert sign_in_name(None, {"username": spelling}) == victim.email
    for attempt, spelling in enumerate([*spellings, victim.email]):
        sign_in(Client(), spelling, WRONG, address=f"10.4.0.{attempt}")
    assert is_locked(sign_in(Client(), victim.email, address="10.4.1.1"))


def test_sign_in_finds_the_account_as_the_unique_constraint_compares_emails(victim):
    assert User.objects.get_by_natural_key("VICTIM@example.ORG") == victim
    assert User.objects.for_sign_in(" victim@example.org").get() == victim


# 4. Password reset: no answer tells whether an address has an account; a flood sends a handful.


def _reset(client, email, address="10.5.0.1"):
    return client.post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=address, follow=True)


def test_a_reset_request_reads_nothing_of_accounts_and_answers_the_same(
    victim, django_capture_on_commit_callbacks
):
    answers = []
    for email in [victim.email, "nobody@example.org"]:
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as queued:
            response = _reset(Client(), email)
        page = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())
        answers.append((response.status_code, response.redirect_chain, page))
        # Nothing of the accounts is read while the visitor waits: the task looks the address up.
        assert not [query for query in queries if "accounts_user" in query["sql"]]
        assert len(queued) == 1
    assert answers[0] == answers[1]


def test_the_reset_email_is_sent_by_the_task_in_the_readers_language(
    victim, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    victim.language = "fr"
    victim.save()
    with django_capture_on_commit_callbacks(execute=True):
        _reset(Client(), victim.email)
        _reset(Client(), "nobody@example.org")
    (message,) = mail.outbox
    assert message.to == [victim.email]
    assert "mot de passe" in message.subject.lower()
    assert f"{settings.SITE_URL}/accounts/reset/" in message.body


def test_a_flood_of_reset_requests_sends_a_handful_of_emails(
    victim, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        for attempt in range(20):
            assert _reset(Client(), victim.email, address=f"10.6.0.{attempt}").status_code == 200
    assert len(mail.outbox) == settings.PASSWORD_RESETS_PER_ADDRESS


def test_one_client_cannot_flood_many_addresses(django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    for n in range(20):
        UserFactory(email=f"person{n}@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(20):
            _reset(Client(), f"person{n}@example.org", address="10.7.0.1")
    assert len(mail.outbox) == settings.PASSWORD_RESETS_PER_CLIENT


# 5. A person's name is their own text, not the product's.


@pytest.mark.parametrize(
    "name",
    ["Eve\u202eevil", "Eve\u200bSmith", "Eve\nSmith", "Eve\x00", "Eve\u2028Smith", "Eve\x1b[31m"],
    ids=["bidi-override", "zero-width", "newline", "nul", "line-separator", "escape"],
)
def test_control_and_format_characters_are_refused_in_a_name(client, victim, name):
    client.force_login(victim)
    response = client.post(
        "/accounts/preferences/",
        {"full_name": name, "language": "en", "reminder_emails": "on", "reminder_frequency": "daily"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["full_name"]  # NUL: Django's own "Null characters" message
    if "\x00" not in name:
        assert "invisible or control character" in response.content.decode()
    victim.refresh_from_db()
    assert victim.full_name != name


def test_names_in_any_script_are_accepted():
    for name in ["Zoë Ngũgĩ", "Леся Українка", "محمد الخطيب", "李小龍", "Ngozi Okonjo-Iweala"]:
        validate_single_line(name)
    with pytest.raises(ValidationError):
        validate_single_line("Zoë\u2066Ngũgĩ")


def test_renaming_oneself_is_kept_in_the_accounts_history(client, victim):
    client.force_login(victim)
    old_name = victim.full_name
    client.post(
        "/accounts/preferences/",
        {
            "full_name": "Someone Else",
            "language": "en",
            "reminder_emails": "on",
            "reminder_frequency": "daily",
        },
    )
    names = list(victim.history.order_by("history_date").values_list("full_name", flat=True))
    assert names[0] == old_name
    assert names[-1] == "Someone Else"


# 7. The password-change form and a stolen session.


def test_guessing_the_current_password_ends_the_session_at_the_limit(client, victim):
    client.force_login(victim)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(
            "/accounts/password_change/",
            {
                "old_password": WRONG,
                "new_password1": "a new pass phrase 2026",
                "new_password2": "a new pass phrase 2026",
            },
            REMOTE_ADDR="10.8.0.1",
        )
        assert response.status_code == 200
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": WRONG,
            "new_password1": "a new pass phrase 2026",
            "new_password2": "a new pass phrase 2026",
        },
        REMOTE_ADDR="10.8.0.1",
    )
    assert is_locked(response)
    assert client.get("/accounts/preferences/").status_code == 302  # signed out
    assert is_locked(sign_in(Client(), victim.email, address="10.8.9.9"))  # and the account is locked
    victim.refresh_from_db()
    assert victim.check_password(PASSWORD)


# 8. Sessions and caches.


def test_a_session_ends_after_its_maximum_age_however_active(client, victim):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert sign_in(client, victim.email).status_code == 302
    for hours in range(1, 12):
        with time_machine.travel(start + datetime.timedelta(hours=hours), tick=False):
            assert client.get("/accounts/preferences/").status_code == 200  # active every hour
    with time_machine.travel(start + datetime.timedelta(hours=12, minutes=1), tick=False):
        response = client.get("/accounts/preferences/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "Your session has ended" in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/accounts/preferences/", "/events/export.csv"])
def test_signed_in_pages_and_exports_are_not_stored_by_any_cache(client, cast, url):
    client.force_login(cast.champion_user)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_office_dashboard_and_its_export_are_not_stored_either(client, cast):
    client.force_login(cast.office_member)
    for url in ["/dashboard/", "/dashboard/export.csv"]:
        assert "no-store" in client.get(url)["Cache-Control"]
