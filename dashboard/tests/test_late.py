"""Who is late, on the office's review page: the champions who have not submitted their commitments
and, at year end, those who have not signed off their report, by name, with one action that reminds
them now, at most once a day each."""

import datetime
import functools

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import ReminderFrequency
from accounts.tests.factories import OfficeMemberFactory, UserFactory
from champions.tests.factories import ChampionFactory
from commitments.models import Approval
from commitments.tests.factories import CommitmentFactory, CycleFactory
from config.tests.helpers import at_eight, race
from reminders.models import Reminder, ReminderKind
from reports.models import Report

pytestmark = pytest.mark.django_db

YEAR = 2030  # a cycle of its own (the cast's is this year's)
BEFORE_DUE = datetime.date(YEAR, 1, 20)  # commitments are due by 31 January
AFTER_DUE = datetime.date(YEAR, 3, 1)
YEAR_END = datetime.date(YEAR, 12, 1)  # assessments open on 16 November; reports due 15 January
REVIEW = f"/dashboard/review/?cycle={YEAR}"
REMIND = f"/dashboard/review/{YEAR}/remind/"


@pytest.fixture
def cycle():
    return CycleFactory(year=YEAR)


@pytest.fixture
def late(cast, cycle):
    """Olga and Zara have not submitted; Chidi's commitments are approved."""
    CommitmentFactory(champion=cast.champion, cycle=cycle, number=1, approval=Approval.APPROVED)
    zara = ChampionFactory(full_name="Zara Zed", focal_points=[UserFactory(email="zara.focal@example.org")])
    return {"olga": cast.other_champion, "zara": zara}


def _office(cast, day):
    """The office member's browser, signed in on `day` (sessions last a working day)."""
    client = Client()
    with at_eight(day):
        client.force_login(cast.office_member)
    return client


def _get(client, day, url=REVIEW):
    with at_eight(day):
        return client.get(url)


def _remind(client, day, django_capture_on_commit_callbacks, **data):
    with at_eight(day), django_capture_on_commit_callbacks(execute=True):
        response = client.post(REMIND, data, follow=True)
    assert response.redirect_chain[0][0] == f"{REVIEW}#late-title"
    return " ".join(str(message) for message in response.context["messages"])


@pytest.fixture(autouse=True)
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


def _names(page, testid):
    """The names listed (by hub, then name: each factory's champion has a hub of their own)."""
    return sorted(champion.full_name for champion in page.context[testid])


def test_before_the_due_date_it_lists_who_has_yet_to_submit_by_name(cast, late):
    page = _get(_office(cast, BEFORE_DUE), BEFORE_DUE)
    assert _names(page, "yet_to_submit") == ["Olga Other", "Zara Zed"]
    html = page.content.decode()
    assert "2 champions have yet to submit" in html
    assert html.count("Remind now") == 2
    assert "Remind all 2 now" in html
    assert "yet_to_report" not in page.context  # not the year end yet


def test_after_the_due_date_they_are_late(cast, late):
    page = _get(_office(cast, AFTER_DUE), AFTER_DUE)
    assert "2 champions have not submitted" in page.content.decode()
    assert _names(page, "yet_to_submit") == ["Olga Other", "Zara Zed"]


def test_at_year_end_it_lists_who_has_not_signed_off_their_report(cast, late, cycle):
    signed = CommitmentFactory(cycle=cycle, number=1, approval=Approval.APPROVED).champion
    Report.objects.create(champion=signed, cycle=cycle, submitted_at=timezone.now())
    page = _get(_office(cast, YEAR_END), YEAR_END)
    # Those with approved commitments and no signed-off report; nobody with nothing to report on.
    assert _names(page, "yet_to_report") == ["Chidi Champion"]
    html = page.content.decode()
    assert "1 champion has not signed off their report" in html
    assert 'data-testid="yet-to-report"' in html


def test_one_champion_is_reminded_now_and_once_a_day_at_most(cast, late, django_capture_on_commit_callbacks):
    olga = late["olga"]
    office = _office(cast, AFTER_DUE)
    said = _remind(
        office, AFTER_DUE, django_capture_on_commit_callbacks, what="commitments", champion=olga.pk
    )
    assert said == "Reminder sent to 1 champion and their focal points."
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [olga.user.email, "other.focal@example.org"]
    )
    message = mail.outbox[0]
    assert message.subject == "commitments to submit"
    assert (
        f"The {YEAR} commitments were due by 31 January {YEAR}, 29 days ago, and are not all submitted yet."
        in message.body
    )
    assert f"/cycles/{YEAR}/commitments/" in message.alternatives[0][0]

    # A double click, the same day: nobody is emailed twice.
    said = _remind(
        office, AFTER_DUE, django_capture_on_commit_callbacks, what="commitments", champion=olga.pk
    )
    assert said == "Reminders sent to 0 champions and their focal points. 1 skipped: already reminded today."
    assert len(mail.outbox) == 2
    assert Reminder.objects.filter(champion=olga, kind=ReminderKind.COMMITMENTS_DUE).count() == 1
    page = _get(office, AFTER_DUE)
    assert {c.full_name: c.reminded_today for c in page.context["yet_to_submit"]} == {
        "Olga Other": True,
        "Zara Zed": False,
    }
    assert "Reminded today" in page.content.decode()

    # The next day they may be reminded again.
    next_day = AFTER_DUE + datetime.timedelta(days=1)
    said = _remind(
        _office(cast, next_day),
        next_day,
        django_capture_on_commit_callbacks,
        what="commitments",
        champion=olga.pk,
    )
    assert said == "Reminder sent to 1 champion and their focal points."
    assert len(mail.outbox) == 4


def test_remind_all_skips_those_reminded_today(cast, late, django_capture_on_commit_callbacks):
    office = _office(cast, AFTER_DUE)
    _remind(
        office, AFTER_DUE, django_capture_on_commit_callbacks, what="commitments", champion=late["zara"].pk
    )
    mail.outbox.clear()
    said = _remind(office, AFTER_DUE, django_capture_on_commit_callbacks, what="commitments")
    assert said == "Reminder sent to 1 champion and their focal points. 1 skipped: already reminded today."
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [late["olga"].user.email, "other.focal@example.org"]
    )


def test_before_the_due_date_the_reminder_says_how_long_is_left(
    cast, late, django_capture_on_commit_callbacks
):
    office = _office(cast, BEFORE_DUE)
    _remind(
        office, BEFORE_DUE, django_capture_on_commit_callbacks, what="commitments", champion=late["zara"].pk
    )
    message = mail.outbox[0]
    assert f"The {YEAR} commitments are due by 31 January {YEAR}, in 11 days" in message.body


def test_weekly_readers_get_it_today_too(cast, late, django_capture_on_commit_callbacks):
    focal_point = late["zara"].focal_points.get()
    focal_point.reminder_frequency = ReminderFrequency.WEEKLY
    focal_point.save()
    wednesday = datetime.date(YEAR, 3, 6)
    _remind(_office(cast, wednesday), wednesday, django_capture_on_commit_callbacks, what="commitments")
    assert "zara.focal@example.org" in {address for message in mail.outbox for address in message.to}


def test_a_champion_nobody_can_email_is_counted_apart(cast, late, django_capture_on_commit_callbacks):
    olga = late["olga"]
    for person in [olga.user, *olga.focal_points.all()]:
        person.reminder_emails = False
        person.save()
    said = _remind(
        _office(cast, AFTER_DUE), AFTER_DUE, django_capture_on_commit_callbacks, what="commitments"
    )
    assert said == (
        "Reminder sent to 1 champion and their focal points. "
        "1 not reminded: nobody on their side receives reminder emails."
    )


def test_at_year_end_the_report_reminder_goes_to_who_has_not_signed_off(
    cast, late, django_capture_on_commit_callbacks
):
    said = _remind(_office(cast, YEAR_END), YEAR_END, django_capture_on_commit_callbacks, what="report")
    assert said == "Reminder sent to 1 champion and their focal points."
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [cast.champion_user.email, cast.focal_point.email]
    )
    assert f"The {YEAR} annual report is due by 15 January {YEAR + 1}, in 45 days." in mail.outbox[0].body


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"what": "commitments", "champion": "chidi"}, "nothing left to do"),  # submitted
        ({"what": "holidays"}, "Select a valid choice."),
        ({"what": "commitments", "champion": "x"}, "Select a valid choice."),
        ({"what": "report"}, "cannot be signed off now"),  # not the year end yet
    ],
)
def test_bad_requests_remind_nobody_and_say_why(cast, late, data, error, django_capture_on_commit_callbacks):
    if data.get("champion") == "chidi":
        data = {**data, "champion": cast.champion.pk}
    said = _remind(_office(cast, AFTER_DUE), AFTER_DUE, django_capture_on_commit_callbacks, **data)
    assert error in said
    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_once_the_cycle_has_ended_nobody_is_reminded_of_its_commitments(
    cast, late, django_capture_on_commit_callbacks
):
    after = datetime.date(YEAR + 1, 1, 5)
    office = _office(cast, after)
    assert "Remind now" not in _get(office, after).content.decode().split("late-report-title")[0]
    said = _remind(office, after, django_capture_on_commit_callbacks, what="commitments")
    assert "no longer takes commitments" in said
    assert mail.outbox == []


def test_a_closed_cycle_lists_nobody(cast, late, cycle):
    cycle.is_closed = True
    cycle.save()
    page = _get(_office(cast, YEAR_END), YEAR_END)
    assert "yet_to_submit" not in page.context and "yet_to_report" not in page.context
    assert "Remind" not in page.content.decode()


@pytest.mark.parametrize("who", ["champion_user", "focal_point"])
def test_the_champions_side_cannot_remind(cast, late, who):
    client = Client()
    with at_eight(AFTER_DUE):
        client.force_login(getattr(cast, who))
        response = client.post(REMIND, {"what": "commitments"})
    assert response.status_code == 403
    assert not Reminder.objects.exists()


def test_the_page_costs_the_same_queries_with_two_late_or_many(cast, late, cycle, django_assert_num_queries):
    office = _office(cast, YEAR_END)
    _get(office, YEAR_END)  # the session's first activity is saved once

    def queries():
        with at_eight(YEAR_END), django_assert_num_queries(QUERIES) as captured:
            office.get(REVIEW)
        return len(captured)

    assert queries() == QUERIES
    for _ in range(6):
        CommitmentFactory(cycle=cycle, number=1, approval=Approval.APPROVED)  # 6 more yet to report
        ChampionFactory()  # and 6 more yet to submit
    assert queries() == QUERIES


# Session, user, office group; the cycle; the champions awaiting review (count), commitments awaiting
# (count), by hub; the two lists of who is late (each: names with whether reminded today, and the
# count); the cycles to choose from; the request's savepoint and its release.
QUERIES = 14


@pytest.mark.django_db(transaction=True)
def test_two_office_members_reminding_at_once_send_one_email_each(settings):
    if connection.vendor != "postgresql":
        pytest.skip("racing connections need PostgreSQL (SQLite serialises writers)")
    today = timezone.localdate()
    cycle = CycleFactory(year=today.year)  # open for commitments until it ends (the real clock)
    late = ChampionFactory(full_name="Lena Late", focal_points=[UserFactory()])
    members = [OfficeMemberFactory(), OfficeMemberFactory()]

    def remind(member):
        client = Client()
        client.force_login(member)
        client.post(f"/dashboard/review/{cycle.year}/remind/", {"what": "commitments", "champion": late.pk})

    assert race(*(functools.partial(remind, member) for member in members)) == []
    assert Reminder.objects.filter(champion=late).count() == 1
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        person.email for person in late.people()
    )
