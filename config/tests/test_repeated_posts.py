"""Every POST that creates something is harmless when it is sent twice.

nginx sends a request whose app server died with it to the other server, POSTs included
(deploy/nginx/gender-champions.conf, proxy_next_upstream non_idempotent): the first server may
have saved it before it died. Each form that creates a row carries a submission key (the same key
saves once) or is a transition that applies once, or an update. Each test here posts the same
request twice and counts the rows.
"""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import Email, Invitation
from champions.tests.factories import ChampionFactory
from commitments.models import Approval, ApprovalChange, Commitment, Status, StatusChange, TargetKind
from commitments.tests.factories import CommitmentFactory, CycleFactory
from commitments.tests.network_rows import as_csv, network_rows
from dashboard.models import ImportJob
from events.models import CheckIn, ProgressEvent
from events.tests.factories import ProgressEventFactory
from reports.models import Assessment, Report, ReportStep
from reports.tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NEXT_YEAR = TODAY.year + 1


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def twice(client, url, data=None):
    """The same POST sent twice, as nginx resends it; both answers. Posts are confirmed (a form that
    asks first sends confirm=1 with what it acts on: config/confirmation.py)."""
    data = {"confirm": "1", **(data or {})}
    return client.post(url, data), client.post(url, data)


def emails_twice(capture_on_commit, client, url, data=None):
    """The same POST sent twice, each committed and its tasks run; how many emails each made."""
    counts = []
    data = {"confirm": "1", **(data or {})}
    for _ in range(2):
        before = Email.objects.count()
        with capture_on_commit(execute=True):
            client.post(url, data)
        counts.append(Email.objects.count() - before)
    return counts


@pytest.fixture(autouse=True)
def _tasks_run_here(settings):
    """The tasks a POST queues (its emails) run in this process, as a worker would run them."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def next_cycle():
    return CycleFactory(year=NEXT_YEAR)


@pytest.fixture
def year_end(settings):
    """The assessment window is open on the cast's cycle."""
    settings.ASSESSMENT_OPENS_DAYS_BEFORE_END = 400


# The champion's side ---------------------------------------------------------------------------


def test_logging_progress(cast):
    form = signed_in(cast.focal_point).get(f"/commitments/{cast.commitment.pk}/log/").context["form"]
    data = {
        "kind": "meeting",
        "occurred_on": TODAY.isoformat(),
        "title": "Town hall",
        "women_count": 12,
        "men_count": 3,
        "submission_key": form["submission_key"].value(),
    }

    first, second = twice(signed_in(cast.focal_point), f"/commitments/{cast.commitment.pk}/log/", data)

    assert (first.status_code, second.status_code) == (302, 302)
    assert ProgressEvent.objects.count() == 1


def test_logging_progress_with_a_status_change(cast):
    data = {
        "kind": "meeting",
        "occurred_on": TODAY.isoformat(),
        "title": "Town hall",
        "women_count": 12,
        "men_count": 3,
        "new_status": Status.AT_RISK,
        "status_comment": "Two town halls cancelled.",
        "submission_key": str(uuid.uuid4()),
    }

    twice(signed_in(cast.focal_point), f"/commitments/{cast.commitment.pk}/log/", data)

    assert ProgressEvent.objects.count() == 1
    assert StatusChange.objects.count() == 1


def test_editing_an_event_with_a_status_comment(cast):
    event = ProgressEventFactory(commitment=cast.commitment, logged_by=cast.focal_point)
    data = {
        "kind": "meeting",
        "occurred_on": event.occurred_on.isoformat(),
        "title": "Town hall, minutes added",
        "scope": "hq",
        "women_count": 12,
        "men_count": 3,
        "new_status": Status.AT_RISK,
        "status_comment": "Two town halls cancelled.",
    }

    first, second = twice(signed_in(cast.focal_point), f"/events/{event.pk}/edit/", data)

    assert (first.status_code, second.status_code) == (302, 302)
    assert StatusChange.objects.count() == 1


def test_a_second_status_comment_is_recorded(cast):
    """(What the rule above does not swallow: a new comment on the same status.)"""
    cast.commitment.change_status(Status.AT_RISK, cast.focal_point, "Two town halls cancelled.")
    cast.commitment.change_status(Status.AT_RISK, cast.focal_point, "A third one cancelled.")
    cast.commitment.change_status(Status.AT_RISK, cast.focal_point, "A third one cancelled.")

    assert StatusChange.objects.count() == 2


def test_reporting_a_value(cast):
    indicator = CommitmentFactory(
        champion=cast.champion,
        cycle=cast.cycle,
        number=2,
        target_kind=TargetKind.INDICATOR,
        baseline=28,
        target_value=40,
        unit="% women",
        counts_kind="",
    )
    data = {
        "value": "30",
        "measured_on": TODAY.isoformat(),
        "comment": "Payroll",
        "evidence_file": SimpleUploadedFile("payroll.pdf", b"%PDF-1.4\n%%EOF\n"),
        "submission_key": str(uuid.uuid4()),
    }
    client = signed_in(cast.focal_point)

    client.post(f"/commitments/{indicator.pk}/check-in/", data)
    data["evidence_file"] = SimpleUploadedFile("payroll.pdf", b"%PDF-1.4\n%%EOF\n")
    client.post(f"/commitments/{indicator.pk}/check-in/", data)

    assert CheckIn.objects.count() == 1


def test_drafting_a_commitment(cast, next_cycle):
    url = f"/cycles/{NEXT_YEAR}/champions/{cast.champion.pk}/commitments/new/"
    client = signed_in(cast.focal_point)
    page = client.get(url)
    form = page.context["form"]
    assert f'value="{form["submission_key"].value()}"' in page.content.decode()  # in the page, hidden
    data = {
        "text": "Hold quarterly town halls with women staff.",
        "target_kind": "count",
        "target_value": 4,
        "counts_kind": "meeting",
        "due_on": f"{NEXT_YEAR}-12-31",
        "submission_key": form["submission_key"].value(),
    }

    first, second = twice(client, url, data)

    assert (first.status_code, second.status_code) == (302, 302)
    assert next_cycle.commitments.count() == 1
    assert "This draft was already saved." in client.get(second["Location"]).content.decode()


def test_drafting_the_last_commitment_a_cycle_allows(cast, next_cycle):
    for number in range(1, next_cycle.max_commitments):
        CommitmentFactory(champion=cast.champion, cycle=next_cycle, number=number, approval=Approval.DRAFT)
    url = f"/cycles/{NEXT_YEAR}/champions/{cast.champion.pk}/commitments/new/"
    data = {
        "text": "The last one.",
        "target_kind": "milestone",
        "due_on": f"{NEXT_YEAR}-12-31",
        "submission_key": str(uuid.uuid4()),
    }
    client = signed_in(cast.focal_point)

    twice(client, url, data)

    assert next_cycle.commitments.count() == next_cycle.max_commitments
    messages = [str(m) for m in client.get(f"/cycles/{NEXT_YEAR}/commitments/").context["messages"]]
    assert messages[-1] == "This draft was already saved."  # not "has 5 commitments already"


def test_two_draft_forms_save_two_drafts(cast, next_cycle):
    url = f"/cycles/{NEXT_YEAR}/champions/{cast.champion.pk}/commitments/new/"
    data = {"text": "Hold town halls.", "target_kind": "milestone", "due_on": f"{NEXT_YEAR}-12-31"}
    client = signed_in(cast.focal_point)

    client.post(url, {**data, "submission_key": str(uuid.uuid4())})
    client.post(url, {**data, "submission_key": str(uuid.uuid4())})

    assert next_cycle.commitments.count() == 2


def test_carrying_a_commitment_into_the_next_year(cast, next_cycle):
    twice(signed_in(cast.focal_point), f"/cycles/{NEXT_YEAR}/commitments/{cast.commitment.pk}/carry/")

    assert next_cycle.commitments.filter(carried_from=cast.commitment).count() == 1


def test_submitting_a_champions_commitments(cast, next_cycle):
    draft = CommitmentFactory(champion=cast.champion, cycle=next_cycle, number=1, approval=Approval.DRAFT)

    twice(signed_in(cast.focal_point), f"/cycles/{NEXT_YEAR}/champions/{cast.champion.pk}/submit/")

    assert ApprovalChange.objects.filter(commitment=draft, new_approval=Approval.SUBMITTED).count() == 1


def test_submitting_one_commitment(cast, next_cycle):
    draft = CommitmentFactory(champion=cast.champion, cycle=next_cycle, number=1, approval=Approval.DRAFT)

    twice(signed_in(cast.focal_point), f"/cycles/{NEXT_YEAR}/commitments/{draft.pk}/submit/")

    assert ApprovalChange.objects.filter(commitment=draft, new_approval=Approval.SUBMITTED).count() == 1


def test_assessing_a_commitment(cast, year_end):
    data = {"level": "limited", "narrative": "Two of four town halls held."}

    first, second = twice(
        signed_in(cast.focal_point), f"/reports/commitments/{cast.commitment.pk}/assess/", data
    )

    assert (first.status_code, second.status_code) == (302, 302)
    assert Assessment.objects.count() == 1


def test_signing_the_report_off(cast, year_end):
    AssessmentFactory(commitment=cast.commitment)

    twice(signed_in(cast.champion_user), f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}/submit/")

    assert ReportStep.objects.filter(action=ReportStep.Action.SUBMITTED).count() == 1


# The office -----------------------------------------------------------------------------------


@pytest.fixture
def submitted(cast, next_cycle):
    commitment = CommitmentFactory(
        champion=cast.champion, cycle=next_cycle, number=1, approval=Approval.DRAFT
    )
    commitment.submit(cast.focal_point)
    return commitment


def test_approving(cast, submitted, django_capture_on_commit_callbacks):
    emails = emails_twice(
        django_capture_on_commit_callbacks,
        signed_in(cast.office_member),
        f"/dashboard/review/commitments/{submitted.pk}/approve/",
    )

    assert ApprovalChange.objects.filter(new_approval=Approval.APPROVED).count() == 1
    assert emails[0] >= 1 and emails[1] == 0  # "all approved", once


def test_approving_a_champions_set(cast, submitted, django_capture_on_commit_callbacks):
    url = f"/dashboard/review/{NEXT_YEAR}/champions/{cast.champion.pk}/approve/"
    emails = emails_twice(django_capture_on_commit_callbacks, signed_in(cast.office_member), url)

    assert ApprovalChange.objects.filter(new_approval=Approval.APPROVED).count() == 1
    assert emails[0] >= 1 and emails[1] == 0


def test_returning_a_commitment(cast, submitted, django_capture_on_commit_callbacks):
    url = f"/dashboard/review/commitments/{submitted.pk}/return/"
    emails = emails_twice(
        django_capture_on_commit_callbacks,
        signed_in(cast.office_member),
        url,
        {"comment": "Say how many town halls."},
    )

    assert ApprovalChange.objects.filter(new_approval=Approval.RETURNED).count() == 1
    assert emails[0] >= 1 and emails[1] == 0


@pytest.fixture
def signed_off(cast, year_end):
    AssessmentFactory(commitment=cast.commitment)
    report = Report.of(cast.champion, cast.cycle)
    report.submit(cast.champion_user)
    return report


def test_rating_a_report(cast, signed_off):
    data = {
        "rating-TOTAL_FORMS": 1,
        "rating-INITIAL_FORMS": 1,
        "rating-0-office_level": "limited",
        "rating-0-office_comment": "Agreed.",
    }

    url = f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}/ratings/"
    twice(signed_in(cast.office_member), url, data)

    assessment = Assessment.objects.get()
    assert (assessment.office_level, assessment.office_comment) == ("limited", "Agreed.")


def test_resolving_a_difference(cast, signed_off):
    Assessment.objects.get().rate(cast.office_member, "complete")

    twice(
        signed_in(cast.office_member),
        f"/reports/commitments/{cast.commitment.pk}/resolve/",
        {"note": "Agreed on a call."},
    )

    assert Assessment.objects.get().divergence_note == "Agreed on a call."


def test_marking_a_report_reviewed(cast, signed_off):
    url = f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}/reviewed/"

    twice(signed_in(cast.office_member), url)

    assert ReportStep.objects.filter(action=ReportStep.Action.REVIEWED).count() == 1


def test_reopening_a_report(cast, signed_off):
    url = f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}/reopen/"

    twice(signed_in(cast.office_member), url, {"note": "Commitment 1 needs evidence."})

    assert ReportStep.objects.filter(action=ReportStep.Action.REOPENED).count() == 1


@pytest.fixture
def newcomer(cast):
    champion = ChampionFactory(full_name="Nadia New")
    champion.user.set_unusable_password()
    champion.user.save(update_fields=["password"])
    return champion.user


def test_inviting_a_person(cast, newcomer, django_capture_on_commit_callbacks):
    emails = emails_twice(
        django_capture_on_commit_callbacks,
        signed_in(cast.office_member),
        f"/dashboard/people/{newcomer.pk}/invite/",
    )

    assert Invitation.objects.filter(user=newcomer).count() == 1
    assert emails == [1, 0]


def test_inviting_everyone_not_invited_yet(cast, newcomer, django_capture_on_commit_callbacks):
    emails = emails_twice(
        django_capture_on_commit_callbacks, signed_in(cast.office_member), "/dashboard/people/invite/"
    )

    assert Invitation.objects.filter(user=newcomer).count() == 1
    assert emails[0] >= 1 and emails[1] == 0


def test_confirming_an_import(cast):
    office = signed_in(cast.office_member)
    content = as_csv(network_rows(TODAY.year, TODAY.year - 2))
    key = office.post(
        "/dashboard/commitments/import/", {"file": SimpleUploadedFile("n.csv", content)}
    ).context["key"]
    before = Commitment.objects.count()

    twice(office, "/dashboard/commitments/import/confirm/", {"key": key})

    assert Commitment.objects.count() == before + 4


def test_uploading_a_large_file(cast, settings):
    settings.IMPORT_PREVIEW_IN_REQUEST_ROWS = 2
    office = signed_in(cast.office_member)
    key = office.get("/dashboard/commitments/import/").context["form"]["submission_key"].value()
    content = as_csv(network_rows(TODAY.year, TODAY.year - 2))

    for _ in range(2):
        office.post(
            "/dashboard/commitments/import/",
            {"file": SimpleUploadedFile("n.csv", content), "submission_key": key},
        )

    assert ImportJob.objects.count() == 1


def test_confirming_a_large_files_import(cast, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_PREVIEW_IN_REQUEST_ROWS = 2
    office = signed_in(cast.office_member)
    content = as_csv(network_rows(TODAY.year, TODAY.year - 2))
    with django_capture_on_commit_callbacks(execute=True):  # the preview's task runs
        office.post("/dashboard/commitments/import/", {"file": SimpleUploadedFile("n.csv", content)})
    job = ImportJob.objects.get()
    before = Commitment.objects.count()

    with django_capture_on_commit_callbacks(execute=True):  # and the import's
        twice(office, f"/dashboard/commitments/import/jobs/{job.pk}/confirm/")

    assert Commitment.objects.count() == before + 4
