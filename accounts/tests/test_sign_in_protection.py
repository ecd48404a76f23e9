"""Sign-in protection: lockouts, passwords, sessions, and what the logs say (and never say)."""

import datetime
import logging

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import PASSWORD, AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

LOCKED = "Sign-in temporarily locked"
WRONG = "Tr0ub4dor&3-not-it"
PASSPHRASE = "the quick brown fox jumps over the lazy dog near the river bank!"


def sign_in(client, email, password=PASSWORD, address="10.0.0.1"):
    return client.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address)


def is_signed_in(client):
    return client.get("/accounts/preferences/").status_code == 200


def assert_locked_out(response):
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


@pytest.fixture
def user():
    return UserFactory(email="fiona.focal@example.org")


def test_it_locks_an_account_after_the_failure_limit(client, user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, user.email, WRONG).status_code == 200
    assert_locked_out(sign_in(client, user.email, WRONG))

    assert_locked_out(sign_in(client, user.email))  # the right password
    assert not is_signed_in(client)


def test_it_locks_an_account_after_the_failure_limit_whatever_the_address(client, user):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, user.email, WRONG, address=f"10.0.1.{attempt}")
        assert response.status_code == 200
        assert "Please enter a correct email address and password" in response.content.decode()
    assert_locked_out(sign_in(client, user.email, WRONG, address="10.0.1.99"))

    assert_locked_out(sign_in(client, user.email, address="10.0.2.1"))  # the right password
    assert not is_signed_in(client)
    other = UserFactory()
    assert sign_in(Client(), other.email, address="10.0.2.1").status_code == 302


def test_it_counts_the_failures_of_an_account_whatever_the_case_of_its_email(client, user):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        email = user.email.upper() if attempt % 2 else user.email
        sign_in(client, email, WRONG, address=f"10.0.1.{attempt}")
    assert_locked_out(sign_in(client, user.email, address="10.0.2.1"))


def test_it_locks_an_address_that_fails_on_many_accounts(client, user):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"guess{attempt}@example.org", WRONG, address="192.0.2.7")

    assert_locked_out(sign_in(client, user.email, address="192.0.2.7"))
    assert not is_signed_in(client)
    assert sign_in(client, user.email, address="198.51.100.1").status_code == 302
    assert is_signed_in(client)


def test_a_lockout_ends_after_the_cool_off_time(client, user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, user.email, WRONG)
        assert_locked_out(sign_in(client, user.email))
        traveller.shift(datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1))
        assert sign_in(client, user.email).status_code == 302


def _lock_out(user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, user.email, WRONG)
    assert_locked_out(sign_in(client, user.email))
    return client


def test_an_admin_can_unlock_an_account_in_admin(user):
    client = _lock_out(user)
    admin = Client()
    admin.force_login(AdminFactory())
    listing = admin.get("/admin/axes/accessattempt/?locked_out=yes")
    assert listing.status_code == 200
    assert user.email in listing.content.decode()
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    assert sign_in(client, user.email).status_code == 302
    assert is_signed_in(client)


def test_axes_reset_unlocks_an_account(user):
    client = _lock_out(user)
    assert reset(username=user.email) >= 1
    assert sign_in(client, user.email).status_code == 302


def test_a_success_before_the_limit_clears_the_failures(client, user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, user.email, WRONG)
    assert sign_in(client, user.email).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, user.email, WRONG)
    assert sign_in(client, user.email).status_code == 302


def test_it_accepts_a_long_passphrase():
    assert len(PASSPHRASE) == 64
    validate_password(PASSPHRASE)  # raises if refused


@pytest.mark.parametrize("password", ["password123", "qwertyuiop"])
def test_it_refuses_a_common_password(password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert "password_too_common" in [error.code for error in refused.value.error_list]


def test_it_refuses_a_short_password():
    with pytest.raises(ValidationError) as refused:
        validate_password("Kx7#pQ2!")
    assert [error.code for error in refused.value.error_list] == ["password_too_short"]


def test_signing_in_gives_a_new_session_key(client, user):
    session = client.session  # an anonymous session, as an attacker could plant one
    session["planted"] = True
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert sign_in(client, user.email).status_code == 302

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not SessionStore().exists(before)
    planted = Client()
    planted.cookies[settings.SESSION_COOKIE_NAME] = before
    assert not is_signed_in(planted)


def test_signing_out_ends_the_session_on_the_server(client, user):
    sign_in(client, user.email)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore().exists(key)

    assert client.post("/accounts/logout/").status_code == 302

    assert not SessionStore().exists(key)
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    response = replay.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_a_session_expires_after_the_idle_time_and_activity_keeps_it(client, user, settings):
    settings.SESSION_MAX_AGE = 7 * 24 * 60 * 60  # the idle time alone (the maximum age: test_attacks.py)
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, user.email)
        for _ in range(3):  # a request just before the end pushes it on, three times over
            traveller.shift(idle - datetime.timedelta(minutes=1))
            assert client.get("/").status_code == 200
        traveller.shift(idle + datetime.timedelta(minutes=1))
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/"


def test_activity_saves_the_session_at_most_once_a_minute(client, user):
    def session_writes():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return [
            query["sql"]
            for query in queries
            if query["sql"].startswith("UPDATE") and "django_session" in query["sql"]
        ]

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, user.email)
        assert len(session_writes()) == 1  # the first page after signing in
        traveller.shift(datetime.timedelta(seconds=59))
        assert session_writes() == []  # nothing changed but the time: no write
        traveller.shift(datetime.timedelta(seconds=1))
        assert len(session_writes()) == 1  # a minute on: the expiry is pushed on


def test_changing_the_password_signs_out_the_other_sessions_only(user):
    here, elsewhere = Client(), Client()
    sign_in(here, user.email)
    sign_in(elsewhere, user.email, address="10.0.0.2")
    assert is_signed_in(here) and is_signed_in(elsewhere)

    response = here.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": PASSPHRASE, "new_password2": PASSPHRASE},
    )

    assert response.status_code == 302
    assert is_signed_in(here)
    stale = elsewhere.get("/")
    assert stale.status_code == 302
    assert stale["Location"] == "/accounts/login/?next=/"
    assert sign_in(Client(), user.email, PASSPHRASE).status_code == 302


def test_a_deactivated_user_is_signed_out_on_their_next_request(client, user):
    sign_in(client, user.email)
    assert client.get("/").status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_it_logs_failed_sign_ins_without_the_password(client, user, caplog):
    caplog.set_level(logging.INFO)
    sign_in(client, user.email, WRONG, address="203.0.113.5")
    failures = [r for r in caplog.records if r.name == "accounts.security"]
    assert [r.levelno for r in failures] == [logging.WARNING]
    assert user.email in failures[0].getMessage()
    assert "203.0.113.5" in failures[0].getMessage()
    assert WRONG not in caplog.text
    (failure,) = AccessFailureLog.objects.all()
    assert failure.username == user.email
    for attempt in AccessAttempt.objects.all():
        assert WRONG not in attempt.post_data + attempt.get_data


def test_it_logs_refused_accesses_without_the_password_or_the_session_key(client, cast, caplog):
    caplog.set_level(logging.INFO)
    sign_in(client, cast.champion_user.email)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    other = f"/commitments/{cast.other_commitment.pk}/"
    assert client.get(other).status_code == 404
    assert client.get("/dashboard/").status_code == 403

    refused = [(r.name, r.levelno, r.getMessage()) for r in caplog.records if r.name == "django.request"]
    assert ("django.request", logging.WARNING, f"Not Found: {other}") in refused
    assert ("django.request", logging.WARNING, "Forbidden (Permission denied): /dashboard/") in refused
    for text in [caplog.text, *(str(r.args) for r in caplog.records)]:
        assert key not in text
        assert PASSWORD not in text


def test_a_refused_access_is_logged_with_who_and_what(client, cast, caplog):
    client.force_login(cast.other_focal_point)
    with caplog.at_level("WARNING", logger="accounts.security"):
        assert client.get(f"/commitments/{cast.commitment.pk}/").status_code == 404
        assert client.get("/dashboard/").status_code == 403
    lines = [r.getMessage() for r in caplog.records if r.name == "accounts.security"]
    assert (
        f"Refused GET /commitments/{cast.commitment.pk}/ (404) to user {cast.other_focal_point.pk} from 127.0.0.1"
        in lines
    )
    assert f"Refused GET /dashboard/ (403) to user {cast.other_focal_point.pk} from 127.0.0.1" in lines
    session_key = client.cookies["sessionid"].value
    assert all(session_key not in line for line in lines)
