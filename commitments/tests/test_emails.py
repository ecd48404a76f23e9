"""The review's emails to the champion's side go out once to each person, against a real SMTP server
that drops the connection after each message it accepts."""

import pytest

from accounts.models import Email
from accounts.tasks import send_emails
from accounts.tests.smtp import sending_to_smtp_server
from commitments.emails import email_all_approved, email_returned
from commitments.tests.factories import CommitmentFactory, CycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_retries(settings):
    """Tasks run in this process, and a retry runs at once instead of after its countdown."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = False


@pytest.fixture
def submitted(cast):
    cycle = CycleFactory(year=2027)
    commitments = [
        CommitmentFactory(champion=cast.champion, cycle=cycle, number=number, approval="draft")
        for number in (1, 2)
    ]
    for commitment in commitments:
        commitment.submit(cast.focal_point)
    return commitments


def _readers(cast):
    return sorted([cast.champion_user.email, cast.focal_point.email])


def _decided_and_sent(decide, settings, django_capture_on_commit_callbacks):
    """Decide the emails in a transaction as the review does, then send them once it commits, to a
    server that hangs up after each message it accepts; returns the server."""
    # Left in reverse order: the callbacks run, and the emails go, while the server is still up.
    with (
        sending_to_smtp_server(settings, hanging_up=True) as smtp,
        django_capture_on_commit_callbacks(execute=True),
    ):
        decide()
    return smtp


def test_a_returned_commitment_reaches_each_person_once(
    cast, submitted, eager_retries, settings, django_capture_on_commit_callbacks
):
    commitment = submitted[1]

    def return_it():
        commitment.return_for_changes(cast.office_member, "Give a number of meetings.")
        email_returned(commitment)

    smtp = _decided_and_sent(return_it, settings, django_capture_on_commit_callbacks)

    # The first email accepted, the connection dropped: the second went on a retry, the first not again.
    assert (smtp.addressees(), smtp.conversations) == (_readers(cast), 2)
    for message in smtp.received():
        assert message["Subject"] == "Commitment 2 for 2027: the office asks for changes"
        body = message.get_body(("plain",)).get_content()
        assert "Give a number of meetings." in body
        assert f"The commitment as submitted:\r\n{commitment.text}" in body  # the text, not only the title
    assert sorted(Email.objects.values_list("state", flat=True)) == ["sent", "sent"]

    # A redelivered task, and the same return told twice, send nothing more.
    with sending_to_smtp_server(settings) as again, django_capture_on_commit_callbacks(execute=True):
        send_emails.delay(list(Email.objects.values_list("pk", flat=True)))
        email_returned(commitment)
    assert again.messages == []
    assert Email.objects.count() == 2


def test_approving_a_whole_set_reaches_each_person_once_in_their_language(
    cast, submitted, eager_retries, settings, django_capture_on_commit_callbacks
):
    cast.champion_user.language = "fr"
    cast.champion_user.save()

    def approve_all():
        for commitment in submitted:
            commitment.approve(cast.office_member)
        email_all_approved(cast.champion, submitted[0].cycle)

    smtp = _decided_and_sent(approve_all, settings, django_capture_on_commit_callbacks)

    assert (smtp.addressees(), smtp.conversations) == (_readers(cast), 2)
    subjects = {message["To"]: message["Subject"] for message in smtp.received()}
    assert "approuvés" in subjects[cast.champion_user.email]
    assert subjects[cast.focal_point.email] == "Your 2027 commitments are approved"

    with sending_to_smtp_server(settings) as again, django_capture_on_commit_callbacks(execute=True):
        email_all_approved(cast.champion, submitted[0].cycle)
    assert again.messages == []


def test_a_set_approved_again_after_a_return_is_announced_again(
    cast, submitted, eager_retries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for commitment in submitted:
            commitment.approve(cast.office_member)
        email_all_approved(cast.champion, submitted[0].cycle)
    # Later back in review (its approval set back to submitted), and approved again.
    submitted[0].approval = "submitted"
    submitted[0].save(update_fields=["approval"])
    with django_capture_on_commit_callbacks(execute=True):
        submitted[0].approve(cast.office_member)
        email_all_approved(cast.champion, submitted[0].cycle)
    assert Email.objects.filter(key__startswith="commitments-approved:").count() == 4
