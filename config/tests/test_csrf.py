"""Cross-site request forgery, attacked: a page elsewhere makes a signed-in person's browser post to
the product. Without the form's token, every form that writes is refused (403) and nothing changes."""

import pytest
from django.test import Client

from commitments.models import Approval, ApprovalChange
from commitments.tests.factories import CommitmentFactory
from events.models import ProgressEvent

pytestmark = pytest.mark.django_db


def forged(user):
    """A browser that sends the session cookie but not the form's token, as a forged post does."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_forged_post_logs_no_progress(cast):
    response = forged(cast.champion_user).post(
        f"/commitments/{cast.commitment.pk}/log/",
        {"kind": "meeting", "title": "Forged", "occurred_on": cast.cycle.starts_on.isoformat()},
    )
    assert response.status_code == 403
    assert not ProgressEvent.objects.exists()


def test_a_forged_post_approves_nothing(cast):
    submitted = CommitmentFactory(
        champion=cast.champion, cycle=cast.cycle, number=2, approval=Approval.SUBMITTED
    )
    response = forged(cast.office_member).post(f"/dashboard/review/commitments/{submitted.pk}/approve/")
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.approval == Approval.SUBMITTED and not ApprovalChange.objects.exists()


def test_a_forged_post_changes_no_password(cast):
    user = cast.champion_user
    password = user.password
    response = forged(user).post(
        "/accounts/password_change/",
        {
            "old_password": "x",
            "new_password1": "a long new passphrase 1",
            "new_password2": "a long new passphrase 1",
        },
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.password == password
