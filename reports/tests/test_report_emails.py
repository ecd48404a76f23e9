"""Who hears of a report: the office when the champion signs it off (at once if they asked, else in
the weekly digest), the champion's side when the office has reviewed it. Each email once, rendered
from its templates in its reader's language."""

import datetime

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Email
from accounts.tests.factories import OfficeMemberFactory
from commitments.tests.factories import CommitmentFactory, CycleFactory
from config.tests.helpers import at_eight
from reminders import delivery
from reports.models import Assessment, Level, Report, ReportStep
from reports.tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

YEAR = 2031
SIGNED_ON = datetime.date(YEAR, 12, 22)  # a Monday, the assessment window open
NEXT_MONDAY = SIGNED_ON + datetime.timedelta(days=7)


@pytest.fixture(autouse=True)
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture
def assessed(cast):
    """The cast's champion's two approved commitments of YEAR, both self-assessed."""
    cycle = CycleFactory(year=YEAR)
    commitments = [
        CommitmentFactory(champion=cast.champion, cycle=cycle, number=number, title=title)
        for number, title in [(1, "Meet women staff in the field"), (2, "Train the managers")]
    ]
    for commitment in commitments:
        AssessmentFactory(commitment=commitment, level=Level.SUBSTANTIAL)
    return Report.of(cast.champion, cycle)


@pytest.fixture
def office(cast):
    """Two office members: one reads of sign-offs at once (in French), one in the weekly digest."""
    at_once = OfficeMemberFactory(email="quick@example.org", notify_at_once=True, language="fr")
    return {"at_once": at_once, "digest": cast.office_member}


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _sign_off(cast, django_capture_on_commit_callbacks):
    with at_eight(SIGNED_ON), django_capture_on_commit_callbacks(execute=True):
        response = _client(cast.champion_user).post(
            f"/reports/{YEAR}/champions/{cast.champion.pk}/submit/", {"confirm": "1"}
        )
    assert response["Location"] == f"/reports/{YEAR}/champions/{cast.champion.pk}/"


def _review(cast, django_capture_on_commit_callbacks):
    with at_eight(SIGNED_ON), django_capture_on_commit_callbacks(execute=True):
        return _client(cast.office_member).post(
            f"/reports/{YEAR}/champions/{cast.champion.pk}/reviewed/", follow=True
        )


def test_a_sign_off_reaches_the_office_member_who_asked_at_once_once(
    cast, assessed, office, django_capture_on_commit_callbacks
):
    _sign_off(cast, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == ["quick@example.org"]
    assert message.subject.startswith("Chidi Champion")
    assert message.body.startswith("Bonjour")  # in the reader's language
    assert "22 décembre 2031" in message.body
    assert f"/reports/{YEAR}/champions/{cast.champion.pk}/" in message.body
    assert f"/reports/{YEAR}/champions/{cast.champion.pk}/" in message.alternatives[0][0]

    # Signed off again (a second click): nothing more.
    _sign_off(cast, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert Email.objects.filter(key__startswith="report-signed-off:").count() == 1


def test_the_other_office_members_read_it_in_the_next_weekly_digest_only(
    cast, assessed, office, django_capture_on_commit_callbacks
):
    _sign_off(cast, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with at_eight(NEXT_MONDAY):
        assert delivery.send_digest().state == "sent"
    by_reader = {tuple(message.to): message for message in mail.outbox}
    digest = by_reader[(cast.office_member.email,)].body
    assert "Reports signed off last week (1)" in digest
    assert f"Chidi Champion: the {YEAR} report" in digest
    report_url = f"/reports/{YEAR}/champions/{cast.champion.pk}/"
    assert report_url in digest
    told_at_once = by_reader[("quick@example.org",)].body
    assert report_url not in told_at_once  # told already, at once
    # The week after, it is not repeated.
    mail.outbox.clear()
    with at_eight(NEXT_MONDAY + datetime.timedelta(days=7)):
        delivery.send_digest()
    assert mail.outbox and all(report_url not in message.body for message in mail.outbox)


def test_the_review_reaches_the_champion_and_focal_point_once_each_with_the_ratings(
    cast, assessed, office, django_capture_on_commit_callbacks
):
    _sign_off(cast, django_capture_on_commit_callbacks)
    cast.focal_point.language = "fr"
    cast.focal_point.save()
    first, second = Assessment.objects.order_by("commitment__number")
    first.rate(cast.office_member, Level.SUBSTANTIAL)
    second.rate(cast.office_member, Level.LIMITED, "Half the managers were trained.")
    mail.outbox.clear()

    response = _review(cast, django_capture_on_commit_callbacks)
    assert "the champion now sees the office&#x27;s ratings" in response.content.decode()
    by_reader = {tuple(message.to): message for message in mail.outbox}
    assert set(by_reader) == {(cast.champion_user.email,), (cast.focal_point.email,)}
    english = by_reader[(cast.champion_user.email,)]
    assert english.subject == f"The office has reviewed Chidi Champion's {YEAR} report"
    assert "Self-assessment: Substantial · Office rating: Limited" in english.body
    assert "Half the managers were trained." in english.body
    assert "Half the managers were trained." in english.alternatives[0][0]
    french = by_reader[(cast.focal_point.email,)]
    assert french.body.startswith("Bonjour")
    assert "Substantiel" in french.body and "Limité" in french.body

    # A second click, or another office member at the same moment: nothing recorded or sent twice.
    response = _review(cast, django_capture_on_commit_callbacks)
    assert "marked reviewed already" in response.content.decode()
    assert len(mail.outbox) == 2
    assert ReportStep.objects.filter(action=ReportStep.Action.REVIEWED).count() == 1


def test_a_report_reviewed_again_after_it_was_reopened_is_announced_again(
    cast, assessed, office, django_capture_on_commit_callbacks
):
    _sign_off(cast, django_capture_on_commit_callbacks)
    _review(cast, django_capture_on_commit_callbacks)
    assessed.refresh_from_db()
    assessed.reopen(cast.office_member, "Commitment 2 needs its evidence.")
    _sign_off(cast, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    _review(cast, django_capture_on_commit_callbacks)
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [cast.champion_user.email, cast.focal_point.email]
    )
