"""The office hears when a champion's side submits commitments: at once, by email, the members who
asked to (once per submission); the others in the weekly digest."""

import datetime

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Email
from accounts.tests.factories import OfficeMemberFactory
from commitments.tests.factories import CommitmentFactory, CycleFactory
from config.tests.helpers import at_eight
from reminders import delivery

pytestmark = pytest.mark.django_db

YEAR = 2031
SUBMITTED_ON = datetime.date(YEAR, 1, 14)  # a Tuesday
NEXT_MONDAY = datetime.date(YEAR, 1, 20)


@pytest.fixture(autouse=True)
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture
def drafts(cast):
    cycle = CycleFactory(year=YEAR)
    return [
        CommitmentFactory(champion=cast.champion, cycle=cycle, number=number, title=title, approval="draft")
        for number, title in [(1, "Meet women staff in the field"), (2, "Train the managers")]
    ]


@pytest.fixture
def quick(cast):
    """An office member who asked to hear at once; the cast's office member did not."""
    return OfficeMemberFactory(email="quick@example.org", full_name="Quinn Quick", notify_at_once=True)


def _post(user, url, django_capture_on_commit_callbacks):
    client = Client()
    with at_eight(SUBMITTED_ON), django_capture_on_commit_callbacks(execute=True):
        client.force_login(user)  # signed in that day: a session ends within a day
        response = client.post(url, {"confirm": "1"})  # the confirmation page's Confirm
    assert response.status_code == 302
    assert response["Location"].startswith(f"/cycles/{YEAR}/")


def _submit_all(cast, django_capture_on_commit_callbacks):
    url = f"/cycles/{YEAR}/champions/{cast.champion.pk}/submit/"
    _post(cast.focal_point, url, django_capture_on_commit_callbacks)


def test_a_submission_reaches_the_office_member_who_asked_at_once_once(
    cast, drafts, quick, django_capture_on_commit_callbacks
):
    _submit_all(cast, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == ["quick@example.org"]
    assert message.subject == f"Chidi Champion submitted 2 commitments for {YEAR}"
    assert f"Fiona Focal submitted Chidi Champion's commitments for {YEAR}" in message.body
    assert "1. Meet women staff in the field" in message.body
    assert "2. Train the managers" in message.body
    assert f"/dashboard/review/?cycle={YEAR}" in message.body
    assert "Train the managers" in message.alternatives[0][0]

    # Submitted again with nothing left to submit (a second click): nothing more.
    _submit_all(cast, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert Email.objects.filter(key__startswith="commitments-submitted:").count() == 1


def test_a_returned_commitment_submitted_again_is_told_again(
    cast, drafts, quick, django_capture_on_commit_callbacks
):
    _submit_all(cast, django_capture_on_commit_callbacks)
    drafts[1].return_for_changes(cast.office_member, "Say how many managers.")
    mail.outbox.clear()
    _post(
        cast.focal_point,
        f"/cycles/{YEAR}/commitments/{drafts[1].pk}/submit/",
        django_capture_on_commit_callbacks,
    )
    (message,) = mail.outbox
    assert message.subject == f"Chidi Champion submitted 1 commitment for {YEAR}"
    assert "Train the managers" in message.body
    assert "Meet women staff" not in message.body


def test_the_other_office_members_read_it_in_the_next_weekly_digest(
    cast, drafts, quick, django_capture_on_commit_callbacks
):
    _submit_all(cast, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with at_eight(NEXT_MONDAY):
        assert delivery.send_digest().state == "sent"
    by_reader = {tuple(message.to): message for message in mail.outbox}
    digest = by_reader[("office@example.org",)]
    assert "Commitments submitted last week (1)" in digest.body
    assert f"Chidi Champion: 2 commitments for {YEAR}" in digest.body
    assert f"Chidi Champion: 2 commitments for {YEAR}" in digest.alternatives[0][0]
    told_at_once = by_reader[("quick@example.org",)].body
    assert "Commitments submitted last week" not in told_at_once
    assert "reach you at once" in told_at_once


def test_nobody_is_emailed_at_once_when_nobody_asked(cast, drafts, django_capture_on_commit_callbacks):
    _submit_all(cast, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert not Email.objects.exists()
