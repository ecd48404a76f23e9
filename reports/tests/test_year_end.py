"""The year end: the assessment window, proposed levels, sign-off, the office's rating and its flag."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from commitments.tests.factories import CommitmentFactory, CycleFactory
from config.tests.helpers import at_eight
from reminders import delivery
from reminders.models import Reminder, ReminderKind
from reports.models import Assessment, Level, Report, assessment_opens_on

pytestmark = pytest.mark.django_db

YEAR = 2031
ENDS = datetime.date(YEAR, 12, 31)
DUE = datetime.date(YEAR + 1, 1, 15)
OPENS = ENDS - datetime.timedelta(days=45)
# What the confirmation page's Confirm button posts (config.confirmation).
CONFIRM = {"confirm": "1"}


@pytest.fixture
def cycle():
    return CycleFactory(year=YEAR, report_due_on=DUE)


@pytest.fixture
def commitments(cast, cycle):
    """Three approved commitments of the cast's champion, at 0 %, 50 % and 100 % of a count of 4."""
    made = []
    for number, counted in [(1, 0), (2, 2), (3, 4)]:
        made.append(CommitmentFactory(champion=cast.champion, cycle=cycle, number=number, target_value=4,
                                      counted_events=counted))  # fmt: skip
    return made


def on(day):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), tick=False
    )


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _assess(client, commitment, level, narrative="What was done, and what was not."):
    return client.post(
        f"/reports/commitments/{commitment.pk}/assess/", {"level": level, "narrative": narrative}
    )


@pytest.mark.parametrize(
    "percent, level",
    [
        (0, "not_started"),
        (1, "limited"),
        (49, "limited"),
        (50, "substantial"),
        (99, "substantial"),
        (100, "complete"),
    ],
)
def test_the_proposed_level_follows_measured_progress_at_each_boundary(percent, level):
    assert Level.proposed_for(percent) == level


def test_the_window_opens_45_days_before_the_cycle_ends(cast, cycle, commitments):
    assert assessment_opens_on(cycle) == OPENS
    with on(OPENS - datetime.timedelta(days=1)):
        client = _client(cast.focal_point)
        assert _assess(client, commitments[0], "not_started").status_code == 404
        page = client.get(f"/reports/{YEAR}/champions/{cast.champion.pk}/").content.decode()
        assert "Assessments open on" in page
    with on(OPENS):
        assert _assess(_client(cast.focal_point), commitments[0], "not_started").status_code == 302
    assert Assessment.objects.get().level == "not_started"


def test_the_window_follows_the_setting(cast, cycle, commitments, settings):
    settings.ASSESSMENT_OPENS_DAYS_BEFORE_END = 10
    with on(ENDS - datetime.timedelta(days=11)):
        assert _assess(_client(cast.focal_point), commitments[0], "not_started").status_code == 404


def test_the_form_proposes_the_level_and_asks_why_when_another_is_chosen(cast, commitments):
    with on(OPENS):
        client = _client(cast.focal_point)
        page = client.get(f"/reports/commitments/{commitments[1].pk}/assess/")
        assert page.context["form"].initial["level"] == "substantial"
        assert "50%" in page.content.decode()
        # Complete, as measured: no narrative needed.
        assert _assess(client, commitments[2], "complete", narrative="").status_code == 302
        # Short of complete: a narrative is needed.
        response = _assess(client, commitments[1], "substantial", narrative="")
        assert "a narrative is needed unless complete" in response.content.decode()
        # Complete though measured at 50 %: the narrative must say why.
        response = _assess(client, commitments[1], "complete", narrative="")
        assert "say why in the narrative" in response.content.decode()
        assert (
            _assess(
                client, commitments[1], "complete", narrative="The last two trainings were held in December."
            ).status_code
            == 302
        )
        response = _assess(client, commitments[0], "limited", narrative="x" * 2001)
        assert "at most 2000 characters" in response.content.decode()
    assessment = Assessment.objects.get(commitment=commitments[1])
    assert (assessment.level, assessment.proposed_level, assessment.measured_progress) == (
        "complete",
        "substantial",
        50,
    )


def _assess_all(cast, commitments, levels=("not_started", "limited", "complete")):
    client = _client(cast.focal_point)
    for commitment, level in zip(commitments, levels, strict=True):
        assert _assess(client, commitment, level).status_code == 302


def test_only_the_champion_signs_off_and_only_once_everything_is_assessed(cast, commitments):
    url = f"/reports/{YEAR}/champions/{cast.champion.pk}/submit/"
    with on(OPENS):
        _assess_all(cast, commitments[:2], ("not_started", "limited"))
        response = _client(cast.champion_user).post(url, follow=True)
        assert "Assess every commitment before submitting the report." in response.content.decode()
        _assess(_client(cast.focal_point), commitments[2], "complete")
        _client(cast.focal_point).post(url, CONFIRM)  # a focal point cannot
        assert not Report.objects.get().is_submitted
        assert _client(cast.other_focal_point).post(url).status_code == 404
        assert _client(cast.office_member).post(url).status_code == 404
        _client(cast.champion_user).post(url, CONFIRM)
    report = Report.objects.get()
    assert (report.is_submitted, report.submitted_by, report.late) == (True, cast.champion_user, False)
    # Read-only afterwards, for the champion's side.
    with on(OPENS + datetime.timedelta(days=1)):
        assert _assess(_client(cast.focal_point), commitments[0], "limited").status_code == 404
        assert _assess(_client(cast.champion_user), commitments[0], "limited").status_code == 404
    assert Assessment.objects.get(commitment=commitments[0]).level == "not_started"


def test_a_report_submitted_after_the_due_date_is_late(cast, commitments):
    with on(DUE + datetime.timedelta(days=1)):
        _assess_all(cast, commitments)
        _client(cast.champion_user).post(f"/reports/{YEAR}/champions/{cast.champion.pk}/submit/", CONFIRM)
    assert Report.objects.get().late


def test_the_office_reopens_with_a_comment_and_the_champion_can_change_and_resubmit(cast, commitments):
    with on(OPENS):
        _assess_all(cast, commitments)
        _client(cast.champion_user).post(f"/reports/{YEAR}/champions/{cast.champion.pk}/submit/", CONFIRM)
        office = _client(cast.office_member)
        reopen = f"/reports/{YEAR}/champions/{cast.champion.pk}/reopen/"
        office.post(reopen, {"note": ""})
        assert Report.objects.get().is_submitted
        office.post(reopen, {"note": "Commitment 2 needs a narrative on the trainings."})
        assert not Report.objects.get().is_submitted
        assert _assess(_client(cast.focal_point), commitments[1], "substantial").status_code == 302
        steps = list(Report.objects.get().steps.values_list("action", "comment"))
    assert steps == [("reopened", "Commitment 2 needs a narrative on the trainings."), ("submitted", "")]


def _ratings(*rows):
    """The report's rating form as posted: a (level, reason) per commitment."""
    data = {"rating-TOTAL_FORMS": len(rows), "rating-INITIAL_FORMS": len(rows)}
    for index, (level, reason) in enumerate(rows):
        data.update({f"rating-{index}-office_level": level, f"rating-{index}-office_comment": reason})
    return data


def test_only_the_office_rates_and_two_steps_apart_is_flagged(cast, commitments):
    with on(OPENS):
        _assess_all(cast, commitments, ("not_started", "limited", "complete"))
        rate = f"/reports/{YEAR}/champions/{cast.champion.pk}/ratings/"
        office = _client(cast.office_member)
        rows = _ratings(("limited", "One meeting."), ("limited", ""), ("limited", "Two of four."))
        office.post(rate, rows)  # before submission: refused
        assert not Assessment.objects.get(commitment=commitments[0]).office_level
        _client(cast.champion_user).post(f"/reports/{YEAR}/champions/{cast.champion.pk}/submit/", CONFIRM)
        for user in (cast.champion_user, cast.focal_point):
            assert _client(user).post(rate, rows).status_code == 403
        # One step from the first (no flag), the same as the second, two steps from the third.
        assert office.post(rate, rows).status_code == 302
    one, two = (
        Assessment.objects.get(commitment=commitments[0]),
        Assessment.objects.get(commitment=commitments[2]),
    )
    assert (one.office_level, one.diverges) == ("limited", False)
    assert (two.office_level, two.diverges) == ("limited", True)
    assert list(Assessment.objects.differing()) == [two]
    page = office.get(f"/reports/{YEAR}/champions/{cast.champion.pk}/").content.decode()
    assert page.count('data-testid="differs"') == 1
    # The champion's side sees the office's rating only once the report is reviewed.
    champion_page = _client(cast.champion_user).get(f"/reports/{YEAR}/champions/{cast.champion.pk}/")
    assert "Two of four." not in champion_page.content.decode()
    office.post(f"/reports/{YEAR}/champions/{cast.champion.pk}/reviewed/")
    champion_page = _client(cast.champion_user).get(f"/reports/{YEAR}/champions/{cast.champion.pk}/")
    assert "Two of four." in champion_page.content.decode()
    # Resolved with a note, the flag is down.
    office.post(f"/reports/commitments/{commitments[2].pk}/resolve/", {"note": "Agreed on a call: limited."})
    assert not Assessment.objects.differing().exists()


def test_the_divergence_steps():
    assert Level.steps_between("not_started", "limited") == 1
    assert Level.steps_between("not_started", "substantial") == 2
    assert Level.steps_between("complete", "not_started") == 3


def test_report_reminders_stop_once_the_report_is_submitted(cast, commitments, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    week_before = DUE - datetime.timedelta(days=7)
    with on(OPENS):
        _assess_all(cast, commitments)
    with at_eight(week_before - datetime.timedelta(days=23)):  # 30 days before: reminded
        messages = delivery.sweep()  # planned and put in the champion's message, not sent yet
        report = Reminder.objects.get(kind=ReminderKind.REPORT_DUE, champion=cast.champion)
    with on(week_before - datetime.timedelta(days=1)):
        _client(cast.champion_user).post(f"/reports/{YEAR}/champions/{cast.champion.pk}/submit/", CONFIRM)
    with at_eight(week_before):
        delivery.sweep()
    planned = Reminder.objects.filter(
        kind=ReminderKind.REPORT_DUE, champion=cast.champion, due_on=week_before
    )
    assert not planned.exists()
    # The reminder planned before the submission is dropped when its message comes to be sent.
    with at_eight(week_before):
        for message in messages:
            delivery.deliver(message)
    assert not Reminder.objects.filter(pk=report.pk).exists()
    assert not any("annual report" in message.subject for message in mail.outbox)


def test_the_model_refuses_a_focal_point_signing_off(cast, commitments):
    report = Report.of(cast.champion, commitments[0].cycle)
    with pytest.raises(ValidationError):
        report.submit(cast.focal_point, now=timezone.now())
    assert mail.outbox == []
