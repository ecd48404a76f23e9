"""Setting a cycle's commitments in the browser: drafting, submitting, and who may do what."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commitments.models import Approval, ApprovalChange, Commitment, Cycle, Status
from commitments.tests.factories import CommitmentFactory, CycleFactory, category
from events.tests.factories import ProgressEventFactory

pytestmark = pytest.mark.django_db

NEXT_YEAR = 2027
# What a confirmation page's Confirm button posts (config.confirmation).
CONFIRM = {"confirm": "1"}


@pytest.fixture
def next_cycle():
    return CycleFactory(year=NEXT_YEAR)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _draft_data(**fields):
    return {
        "text": "Hold quarterly town halls with women staff.",
        "description": "Four a year, one in the field.",
        "target_kind": "count",
        "target_value": 4,
        "counts_kind": "meeting",
        "due_on": f"{NEXT_YEAR}-12-31",
        **fields,
    }


def _add(client, cast, **fields):
    return client.post(
        f"/cycles/{NEXT_YEAR}/champions/{cast.champion.pk}/commitments/new/", _draft_data(**fields)
    )


def test_a_focal_point_drafts_numbered_commitments_up_to_the_maximum(cast, next_cycle):
    client = _client(cast.focal_point)
    for number in range(1, next_cycle.max_commitments + 1):
        response = _add(client, cast, text=f"Commitment {number}")
        assert response.status_code == 302, response.context["form"].errors
    drafts = list(next_cycle.commitments.order_by("number").values_list("number", "approval"))
    assert drafts == [(n, Approval.DRAFT) for n in range(1, 6)]
    response = _add(client, cast, text="A sixth")
    assert response.status_code == 302
    assert next_cycle.commitments.count() == 5
    page = client.get(response["Location"]).content.decode()
    assert "the most a cycle allows" in page


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"text": ""}, "text", "This field is required."),
        ({"target_kind": "count", "target_value": ""}, "target_value", "A count target needs how many"),
        ({"target_kind": "percentage", "target_value": 150}, "target_value", "share of women, from 1 to 100"),
        ({"due_on": f"{NEXT_YEAR + 1}-01-10"}, "due_on", "must be within the 2027 cycle"),
        ({"categories": ["999999"]}, "categories", "Select a valid choice"),
        ({"title": "Town\u202ehalls"}, "title", "invisible or control character"),
        ({"text": "x" * 2001}, "text", "at most 2000 characters"),
        (
            {"target_kind": "indicator", "target_value": ""},
            "target_value",
            "An indicator needs the value to reach",
        ),
    ],
    ids=[
        "no-title",
        "count-without-value",
        "percentage-over-100",
        "due-after-the-cycle",
        "category",
        "control",
        "text-too-long",
        "indicator-without-target",
    ],
)
def test_every_field_is_validated_with_a_clear_message(cast, next_cycle, fields, field, message):
    response = _add(_client(cast.champion_user), cast, **fields)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not next_cycle.commitments.exists()


def test_the_fields_follow_the_kind_of_target(cast, next_cycle):
    client = _client(cast.champion_user)
    _add(client, cast, target_kind="milestone", target_value=7, counts_kind="panel")
    _add(client, cast, target_kind="percentage", target_value=50, counts_kind="meeting")
    milestone, percentage = next_cycle.commitments.order_by("number")
    assert (milestone.target_value, milestone.counts_kind) == (None, "")
    assert (percentage.target_value, percentage.counts_kind) == (50, "")


def test_drafts_are_edited_and_deleted_then_all_submitted_at_once(cast, next_cycle):
    client = _client(cast.focal_point)
    _add(client, cast, title="First")
    _add(client, cast, title="Second")
    first, second = next_cycle.commitments.order_by("number")
    response = client.post(
        f"/cycles/{NEXT_YEAR}/commitments/{first.pk}/edit/", _draft_data(title="First, edited")
    )
    assert response.status_code == 302
    assert client.post(f"/cycles/{NEXT_YEAR}/commitments/{second.pk}/delete/", CONFIRM).status_code == 302
    assert list(next_cycle.commitments.values_list("title", flat=True)) == ["First, edited"]

    response = client.post(
        f"/cycles/{NEXT_YEAR}/champions/{cast.champion.pk}/submit/", {"confirm": "1"}, follow=True
    )
    assert "Submitted 1 commitment for the office&#x27;s review." in response.content.decode()
    first.refresh_from_db()
    assert first.approval == Approval.SUBMITTED
    step = first.approval_changes.get()
    assert (step.old_approval, step.new_approval, step.changed_by) == ("draft", "submitted", cast.focal_point)
    # Submitted: no longer the champion's to change.
    assert client.get(f"/cycles/{NEXT_YEAR}/commitments/{first.pk}/edit/").status_code == 404
    assert client.post(f"/cycles/{NEXT_YEAR}/commitments/{first.pk}/delete/", CONFIRM).status_code == 404


@pytest.mark.parametrize("who", ["other_champion", "other_focal_point", "office_member", "anonymous"])
def test_nobody_else_drafts_edits_or_submits_a_champions_commitments(cast, next_cycle, who):
    draft = CommitmentFactory(champion=cast.champion, cycle=next_cycle, number=1, approval=Approval.DRAFT)
    user = {"other_champion": cast.other_champion.user, "other_focal_point": cast.other_focal_point,
            "office_member": cast.office_member, "anonymous": None}[who]  # fmt: skip
    client = _client(user) if user else Client()
    answers = [
        _add(client, cast).status_code,
        client.post(
            f"/cycles/{NEXT_YEAR}/commitments/{draft.pk}/edit/", _draft_data(title="Taken")
        ).status_code,
        client.post(f"/cycles/{NEXT_YEAR}/commitments/{draft.pk}/delete/", CONFIRM).status_code,
        client.post(f"/cycles/{NEXT_YEAR}/commitments/{draft.pk}/submit/", {"confirm": "1"}).status_code,
        client.post(
            f"/cycles/{NEXT_YEAR}/champions/{cast.champion.pk}/submit/", {"confirm": "1"}
        ).status_code,
    ]
    assert set(answers) == ({302} if user is None else {404})
    draft.refresh_from_db()
    assert (draft.title, draft.approval) != ("Taken", Approval.SUBMITTED)
    assert draft.approval == Approval.DRAFT
    assert next_cycle.commitments.count() == 1


def test_a_cycle_that_has_ended_is_not_set_any_more(cast):
    past = CycleFactory(year=2020)
    client = _client(cast.champion_user)
    assert (
        client.post(
            f"/cycles/{past.year}/champions/{cast.champion.pk}/commitments/new/", _draft_data()
        ).status_code
        == 404
    )
    assert "This cycle has ended" in client.get(f"/cycles/{past.year}/commitments/").content.decode()


def test_a_draft_cannot_have_progress_logged_nor_its_status_moved(cast, next_cycle):
    draft = CommitmentFactory(champion=cast.champion, cycle=next_cycle, number=1, approval=Approval.DRAFT)
    assert _client(cast.champion_user).get(f"/commitments/{draft.pk}/log/").status_code == 404
    with pytest.raises(ValidationError):
        draft.change_status(Status.ON_TRACK, cast.champion_user)
    draft.refresh_from_db()
    assert draft.status == Status.NOT_STARTED


def test_starting_from_last_years_links_both_and_shows_the_old_history(cast, next_cycle):
    old = cast.commitment  # the current cycle's, unfinished
    ProgressEventFactory(commitment=old, title="Town hall in Goma")
    done = CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=2, status=Status.COMPLETED)
    client = _client(cast.champion_user)
    page = client.get(f"/cycles/{NEXT_YEAR}/commitments/").content.decode()
    assert old.title in page
    assert f"/cycles/{NEXT_YEAR}/commitments/{done.pk}/carry/" not in page  # finished: nothing to carry

    response = client.post(f"/cycles/{NEXT_YEAR}/commitments/{old.pk}/carry/")
    assert response.status_code == 302
    new = next_cycle.commitments.get()
    assert (new.carried_from, new.approval, new.title, new.target_value) == (
        old,
        "draft",
        old.title,
        old.target_value,
    )
    assert new.due_on == datetime.date(NEXT_YEAR, 12, 31)
    # Only once.
    client.post(f"/cycles/{NEXT_YEAR}/commitments/{old.pk}/carry/")
    assert next_cycle.commitments.count() == 1
    # Both pages show the link; the new one shows the old one's history.
    new_page = client.get(f"/commitments/{new.pk}/").content.decode()
    assert f"/commitments/{old.pk}/" in new_page
    assert "Town hall in Goma" in new_page
    assert f"/commitments/{new.pk}/" in client.get(f"/commitments/{old.pk}/").content.decode()


def test_only_the_previous_cycles_unfinished_commitments_of_ones_own_are_carried(cast, next_cycle):
    client = _client(cast.champion_user)
    assert (
        client.post(f"/cycles/{NEXT_YEAR}/commitments/{cast.other_commitment.pk}/carry/").status_code == 404
    )
    closed = CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=3, status=Status.NOT_ACHIEVED)
    assert client.post(f"/cycles/{NEXT_YEAR}/commitments/{closed.pk}/carry/").status_code == 404
    assert not next_cycle.commitments.exists()


def test_the_home_page_leads_to_setting_commitments_while_some_are_to_set(cast, next_cycle):
    client = _client(cast.focal_point)
    assert f"/cycles/{NEXT_YEAR}/commitments/" in client.get("/").content.decode()
    for number in (1, 2):
        CommitmentFactory(
            champion=cast.champion, cycle=next_cycle, number=number, approval=Approval.SUBMITTED
        )
    assert f"/cycles/{NEXT_YEAR}/commitments/" not in client.get("/").content.decode()


def test_the_approval_transitions(cast, next_cycle):
    draft = CommitmentFactory(champion=cast.champion, cycle=next_cycle, number=1, approval=Approval.DRAFT)
    assert draft.approve(cast.office_member) is None  # a draft is not approved before it is submitted
    assert draft.return_for_changes(cast.office_member, "Why?") is None
    assert draft.submit(cast.champion_user)
    with pytest.raises(ValidationError):
        draft.return_for_changes(cast.office_member, "   ")
    assert draft.return_for_changes(cast.office_member, "Make it measurable.")
    assert draft.submit(cast.focal_point)
    assert draft.approve(cast.office_member)
    assert draft.approve(cast.office_member) is None  # harmless
    assert draft.submit(cast.champion_user) is None  # approved stays approved
    steps = list(ApprovalChange.objects.filter(commitment=draft).order_by("changed_at", "id").values_list(
        "old_approval", "new_approval", "comment"))  # fmt: skip
    assert steps == [
        ("draft", "submitted", ""),
        ("submitted", "returned", "Make it measurable."),
        ("returned", "submitted", ""),
        ("submitted", "approved", ""),
    ]


def test_existing_and_admin_made_commitments_are_approved(cast):
    assert cast.commitment.approval == Approval.APPROVED
    assert Commitment(cycle=Cycle.for_year(2030)).approval == Approval.APPROVED


def test_the_current_cycle_contains_today_else_started_last_else_comes_first():
    with time_machine.travel(datetime.date(2031, 6, 1)):
        assert Cycle.objects.current() is None
        later = Cycle.for_year(2033)
        assert Cycle.objects.current() == later  # none has started: the first
        earlier = Cycle.for_year(2029)
        assert Cycle.objects.current() == earlier  # none contains today: the last started
        this_year = Cycle.for_year(2031)
        assert Cycle.objects.current() == this_year
        with CaptureQueriesContext(connection) as queries:
            cycles = Cycle.objects.all()
            list(cycles)
            assert cycles.current() == this_year
        assert len(queries) == 1  # chosen among cycles read already


def test_a_new_draft_keeps_the_categories_chosen(cast, next_cycle):
    culture = category("culture")

    response = _add(_client(cast.focal_point), cast, categories=[culture.pk])

    assert response.status_code == 302
    assert list(next_cycle.commitments.get().categories.all()) == [culture]
