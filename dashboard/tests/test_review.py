"""The office's review of submitted commitments: approve, return with a comment, approve a whole set."""

import pytest
from django.core import mail
from django.test import Client

from champions.tests.factories import ChampionFactory
from commitments.models import Approval
from commitments.tests.factories import CommitmentFactory, CycleFactory
from dashboard.reporting import for_dashboard
from events.tests.factories import ProgressEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_cycle():
    return CycleFactory(year=2027)


@pytest.fixture
def submitted(cast, next_cycle):
    commitments = []
    for number in (1, 2, 3):
        commitment = CommitmentFactory(
            champion=cast.champion, cycle=next_cycle, number=number, approval="draft"
        )
        commitment.submit(cast.focal_point)
        commitments.append(commitment)
    return commitments


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_it_lists_submitted_commitments_by_champion_the_longest_waiting_first(cast, next_cycle, submitted):
    later = ChampionFactory(full_name="Zara Later")
    CommitmentFactory(champion=later, cycle=next_cycle, number=1, approval="draft").submit(later.user)
    CommitmentFactory(champion=cast.other_champion, cycle=next_cycle, number=1, approval="draft")  # a draft
    response = _client(cast.office_member).get("/dashboard/review/?cycle=2027")
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [champion.full_name for champion, _ in groups] == ["Chidi Champion", "Zara Later"]
    assert [c.number for c in groups[0][1]] == [1, 2, 3]
    assert response.context["awaiting_count"] == 4
    hubs = {row["champion__hub__name"]: row["commitments"] for row in response.context["by_hub"]}
    assert sum(hubs.values()) == 4


def test_approving_records_who_and_when_and_is_harmless_twice(
    cast, submitted, django_capture_on_commit_callbacks
):
    office = _client(cast.office_member)
    with django_capture_on_commit_callbacks(execute=True):
        assert office.post(f"/dashboard/review/commitments/{submitted[0].pk}/approve/").status_code == 302
        office.post(f"/dashboard/review/commitments/{submitted[0].pk}/approve/")
    submitted[0].refresh_from_db()
    assert submitted[0].approval == Approval.APPROVED
    assert (
        submitted[0].approval_changes.filter(new_approval="approved").get().changed_by == cast.office_member
    )
    assert mail.outbox == []  # two are still awaiting review


def test_returning_needs_a_comment_and_emails_the_champions_side(
    cast, submitted, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    office = _client(cast.office_member)
    response = office.post(
        f"/dashboard/review/commitments/{submitted[1].pk}/return/", {"comment": " "}, follow=True
    )
    assert "Say what to change" in response.content.decode()
    submitted[1].refresh_from_db()
    assert submitted[1].approval == Approval.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        office.post(
            f"/dashboard/review/commitments/{submitted[1].pk}/return/",
            {"comment": "Give a number of meetings."},
        )
    submitted[1].refresh_from_db()
    assert submitted[1].approval == Approval.RETURNED
    # One email to each of them.
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [cast.champion_user.email, cast.focal_point.email]
    )
    for message in mail.outbox:
        assert message.subject == "Commitment 2 for 2027: the office asks for changes"
        assert "Give a number of meetings." in message.body
        assert "/cycles/2027/commitments/" in message.body
    # The champion's side sees the comment where they change it.
    page = _client(cast.focal_point).get("/cycles/2027/commitments/").content.decode()
    assert "Give a number of meetings." in page


def test_approving_a_whole_set_emails_once_all_are_approved(
    cast, submitted, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    cast.champion_user.language = "fr"
    cast.champion_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(cast.office_member).post(
            f"/dashboard/review/2027/champions/{cast.champion.pk}/approve/", {"confirm": "1"}
        )
    assert response.status_code == 302
    assert set(cast.champion.commitments.filter(cycle__year=2027).values_list("approval", flat=True)) == {
        "approved"
    }
    # One email to each of them, in their language.
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert len(mail.outbox) == 2
    assert "approuvés" in subjects[cast.champion_user.email]
    assert subjects[cast.focal_point.email] == "Your 2027 commitments are approved"


@pytest.mark.parametrize("who", ["champion_user", "focal_point", "other_focal_point"])
def test_the_champions_side_cannot_approve_or_return(cast, submitted, who):
    client = _client(getattr(cast, who))
    answers = {
        client.post(f"/dashboard/review/commitments/{submitted[0].pk}/approve/").status_code,
        client.post(f"/dashboard/review/commitments/{submitted[0].pk}/return/", {"comment": "x"}).status_code,
        client.post(f"/dashboard/review/2027/champions/{cast.champion.pk}/approve/").status_code,
    }
    assert answers == {403}
    submitted[0].refresh_from_db()
    assert submitted[0].approval == Approval.SUBMITTED


def test_an_admin_may_review(cast, submitted, admin_user):
    assert (
        _client(admin_user).post(f"/dashboard/review/commitments/{submitted[0].pk}/approve/").status_code
        == 302
    )
    submitted[0].refresh_from_db()
    assert submitted[0].approval == Approval.APPROVED


def test_the_office_sees_who_has_not_submitted_once_commitments_are_due(cast, next_cycle, submitted):
    office = _client(cast.office_member)
    next_cycle.commitments_due_on = next_cycle.starts_on
    next_cycle.save()
    page = office.get("/dashboard/review/?cycle=2027")
    late = [champion.full_name for champion in page.context["yet_to_submit"]]
    assert "Olga Other" in late
    assert "Chidi Champion" not in late  # submitted, awaiting review


def test_drafts_and_returned_commitments_change_no_figure(cast, next_cycle):
    """A dataset where counting them would change the dashboard's numbers."""
    approved = CommitmentFactory(champion=cast.champion, cycle=next_cycle, number=1, target_value=2)
    ProgressEventFactory(commitment=approved, occurred_on=next_cycle.starts_on)
    before = for_dashboard().filter(cycle=next_cycle).summary(today=next_cycle.starts_on)
    for number, approval in [(2, "draft"), (3, "returned"), (4, "submitted")]:
        CommitmentFactory(
            champion=cast.champion,
            cycle=next_cycle,
            number=number,
            approval=approval,
            due_on=next_cycle.starts_on,
        )
    CommitmentFactory(champion=cast.other_champion, cycle=next_cycle, number=1, approval="draft")
    after = for_dashboard().filter(cycle=next_cycle).summary(today=next_cycle.starts_on)
    assert after == before
    assert (after["commitments"], after["champions"]) == (1, 1)


def test_the_champion_page_flags_differing_assessments_and_escalations(cast):
    import datetime

    from django.utils import timezone

    from reminders.models import Escalation
    from reports.models import Assessment, Report

    report = Report.of(cast.champion, cast.cycle)
    assessment = Assessment.objects.create(
        commitment=cast.commitment, level="complete", proposed_level="complete", measured_progress=100
    )
    report.submitted_at = timezone.now()
    report.save()
    assessment.rate(cast.office_member, "limited")
    Escalation.objects.create(
        commitment=cast.commitment,
        deadline=cast.commitment.due_on,
        first_notice_on=timezone.localdate() - datetime.timedelta(days=21),
        escalated_on=timezone.localdate() - datetime.timedelta(days=7),
    )
    page = _client(cast.office_member).get(f"/dashboard/champions/{cast.champion.pk}/").content.decode()
    assert 'data-testid="differs"' in page
    assert "escalated 1\xa0week ago" in page
