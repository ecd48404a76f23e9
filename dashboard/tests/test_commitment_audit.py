import csv
import datetime
import io
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commitments.models import Status
from commitments.tests.factories import category
from dashboard.detail import AUDIT_ROWS
from events.tests.factories import ProgressEventFactory


def test_the_office_sees_who_changed_what_on_a_commitment(client, cast):
    client.force_login(cast.focal_point)
    today = timezone.localdate().isoformat()
    client.post(
        f"/commitments/{cast.commitment.pk}/log/",
        {"kind": "meeting", "occurred_on": today, "title": "Town hall", "women_count": 9, "men_count": 1},
    )
    event = cast.commitment.events.get()
    client.post(
        f"/events/{event.pk}/edit/",
        {
            "kind": "meeting",
            "occurred_on": today,
            "title": "Town hall in Juba",
            "women_count": 9,
            "men_count": 2,
        },
    )
    client.force_login(cast.office_member)
    response = client.get(f"/dashboard/commitments/{cast.commitment.pk}/")
    assert response.status_code == 200
    audit = response.context["audit"]
    assert [(entry.action, entry.title) for entry in audit[:2]] == [
        ("changed", "Town hall in Juba"),
        ("created", "Town hall"),
    ]
    assert audit[0].who == cast.focal_point
    assert [(str(change.field), change.old, change.new) for change in audit[0].changes] == [
        ("title", "Town hall", "Town hall in Juba"),
        ("men count", 1, 2),
    ]
    page = response.content.decode()
    assert "Audit trail" in page
    assert "Fiona Focal" in page


def test_the_audit_trail_records_admin_edits_to_the_commitment(client, cast, admin_user):
    client.force_login(admin_user)
    cast.commitment.title = "A sharper commitment"
    cast.commitment._history_user = admin_user
    cast.commitment.save()
    client.force_login(cast.office_member)
    audit = client.get(f"/dashboard/commitments/{cast.commitment.pk}/").context["audit"]
    assert (audit[0].action, audit[0].who, [str(change.field) for change in audit[0].changes]) == (
        "changed",
        admin_user,
        ["short title"],
    )


def test_champions_and_focal_points_cannot_open_the_office_commitment_page(client, cast):
    for user in (cast.champion_user, cast.focal_point):
        client.force_login(user)
        assert client.get(f"/dashboard/commitments/{cast.commitment.pk}/").status_code == 403


def test_the_office_commitment_page_costs_the_same_queries_with_3_and_30_events(client, cast):
    client.force_login(cast.office_member)
    url = f"/dashboard/commitments/{cast.commitment.pk}/"
    ProgressEventFactory.create_batch(3, commitment=cast.commitment)

    def count():
        client.get(
            url
        )  # A session's first request saves it (its activity: accounts.middleware); the count is of the next.
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    ProgressEventFactory.create_batch(27, commitment=cast.commitment)
    assert count() == few


def test_the_office_sees_who_did_what_by_the_email_they_sign_in_with(client, cast):
    """A person's name is their own text: renaming oneself does not rewrite who did what."""
    from django.test import Client
    from django.utils import timezone

    focal = Client()
    focal.force_login(cast.focal_point)
    response = focal.post(
        f"/commitments/{cast.commitment.pk}/log/",
        {"kind": "meeting", "occurred_on": timezone.localdate().isoformat(), "title": "Town hall",
         "women_count": 3, "men_count": 1, "new_status": "on_track", "status_comment": "Good start."},
    )  # fmt: skip
    assert response.status_code == 302
    cast.focal_point.full_name = "Chief of Staff"  # after the fact, to mislead
    cast.focal_point.save()
    client.force_login(cast.office_member)
    page = client.get(f"/dashboard/commitments/{cast.commitment.pk}/").content.decode()
    assert 'Chief of Staff <span class="text-muted">&lt;focal@example.org&gt;</span>' in page
    assert page.count("&lt;focal@example.org&gt;") >= 3  # the event, the status change, the audit trail
    # And the accounts' own history keeps the name as it was.
    names = list(cast.focal_point.history.order_by("history_date").values_list("full_name", flat=True))
    assert names[0] == "Fiona Focal" and names[-1] == "Chief of Staff"


def _edited(commitment, user, **fields):
    for name, value in fields.items():
        setattr(commitment, name, value)
    commitment._history_user = user
    commitment.save()


def test_an_edit_records_each_fields_value_before_and_after_as_people_read_them(client, cast, admin_user):
    _edited(
        cast.commitment,
        admin_user,
        status=Status.AT_RISK,
        due_on=datetime.date(cast.cycle.year, 11, 30),
        target_value=Decimal("6"),
        text="Hold meetings\nwith women staff in the field",
    )
    cast.commitment.categories.set([category("gbv")])
    client.force_login(cast.office_member)

    response = client.get(f"/dashboard/commitments/{cast.commitment.pk}/")

    audit = response.context["audit"]
    # Setting categories removes the old ones, then adds the new: two changes.
    added, removed = [
        entry.changes for entry in audit if entry.changes and str(entry.changes[0].field) == "categories"
    ][:2]
    assert [(c.old, c.new) for c in removed + added] == [
        ("Organisational culture", None),
        (None, "Gender-based violence"),
    ]
    edit = next(entry for entry in audit if entry.changes and len(entry.changes) == 4)
    assert {str(change.field): (change.old, change.new) for change in edit.changes} == {
        "commitment": (cast.commitment.history.earliest().text, cast.commitment.text),
        "target value": ("4", "6"),
        "due on": (cast.cycle.ends_on, datetime.date(cast.cycle.year, 11, 30)),
        "status": ("Not started", "At risk"),  # labels, not codes
    }
    page = response.content.decode()
    assert '<span class="text-muted"><span class="audit-value">Not started</span></span>' in page
    assert f"30 November {cast.cycle.year}" in page and f"31 December {cast.cycle.year}" in page
    assert "Gender-based violence" in page and "gbv" not in page


def test_a_change_whose_earlier_values_were_not_kept_shows_a_dash(client, cast, admin_user):
    _edited(cast.commitment, admin_user, title="A sharper commitment")
    latest = cast.commitment.history.latest()
    cast.commitment.history.exclude(pk=latest.pk).delete()  # a row older than its history
    client.force_login(cast.office_member)

    response = client.get(f"/dashboard/commitments/{cast.commitment.pk}/")

    entry = response.context["audit"][0]
    assert (entry.title, entry.changes) == ("A sharper commitment", None)
    assert 'data-testid="audit-unknown">—' in response.content.decode()


def test_the_oldest_change_shown_is_compared_with_the_version_before_it(client, cast, admin_user):
    event = ProgressEventFactory(commitment=cast.commitment, title="Edit 0")
    for number in range(1, AUDIT_ROWS + 5):
        event.title = f"Edit {number}"
        event._history_user = admin_user
        event.save()
    client.force_login(cast.office_member)

    audit = client.get(f"/dashboard/commitments/{cast.commitment.pk}/").context["audit"]

    changes = [entry for entry in audit if entry.what == "progress event"]
    assert len(changes) == AUDIT_ROWS  # the newest changes, the event's creation out of the window
    oldest = changes[-1]
    number = int(oldest.title.split()[-1])
    assert [(c.old, c.new) for c in oldest.changes] == [(f"Edit {number - 1}", f"Edit {number}")]


def test_the_page_costs_the_same_queries_with_few_and_many_changes(client, cast, admin_user):
    client.force_login(cast.office_member)
    url = f"/dashboard/commitments/{cast.commitment.pk}/"
    event = ProgressEventFactory(commitment=cast.commitment)

    def count(commitment_edits, event_edits):
        for number in range(commitment_edits):  # three versions each: the save, the removal, the addition
            _edited(cast.commitment, admin_user, title=f"Title {number}")
            cast.commitment.categories.set([category("gbv" if number % 2 else "culture")])
        for number in range(event_edits):
            event.title, event.women_count = f"Edit {number}", number
            event._history_user = admin_user
            event.save()
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few, many, more = count(1, 1), count(18, AUDIT_ROWS), count(10, 10)
    # Once the oldest versions shown are not their rows' first, one query per kind of row reads the
    # versions before them (here the commitment's and the event's).
    assert (many, more) == (few + 2, few + 2)


def test_it_exports_the_whole_history_as_csv(client, cast, admin_user):
    _edited(cast.commitment, admin_user, status=Status.AT_RISK, title="=A sharper commitment")
    client.force_login(cast.office_member)

    page = client.get(f"/dashboard/commitments/{cast.commitment.pk}/").content.decode()
    url = f"/dashboard/commitments/{cast.commitment.pk}/history.csv"
    assert f'href="{url}"' in page
    response = client.get(url)

    assert response["Content-Disposition"] == (
        f'attachment; filename="commitment-{cast.cycle.year}-{cast.commitment.pk}-history.csv"'
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["when", "who", "email", "what", "change", "title", "field", "before", "after"]
    first = cast.commitment.history.earliest().title
    changed = [row[1:] for row in rows[1:] if row[2] == "admin@example.org"]
    assert sorted(changed) == [
        [
            admin_user.full_name,
            "admin@example.org",
            "commitment",
            "changed",
            "'=A sharper commitment",
            *change,
        ]
        for change in sorted(
            [["short title", first, "'=A sharper commitment"], ["status", "Not started", "At risk"]]
        )
    ]
    created = rows[-1]
    assert created[3:7] == ["commitment", "created", first, ""]


def test_the_history_csv_is_the_offices_as_the_page_is(client, cast):
    url = f"/dashboard/commitments/{cast.commitment.pk}/history.csv"
    for user in (cast.champion_user, cast.focal_point, cast.other_champion.user, cast.other_focal_point):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(cast.office_member)
    assert client.get(url).status_code == 200
    assert client.get("/dashboard/commitments/999999/history.csv").status_code == 404


def test_the_history_csv_costs_the_same_queries_with_few_and_many_changes(client, cast, admin_user):
    client.force_login(cast.office_member)
    url = f"/dashboard/commitments/{cast.commitment.pk}/history.csv"
    event = ProgressEventFactory(commitment=cast.commitment)

    def count(edits):
        for number in range(edits):
            event.title = f"Edit {number}"
            event._history_user = admin_user
            event.save()
            _edited(cast.commitment, admin_user, status=Status.AT_RISK if number % 2 else Status.ON_TRACK)
            cast.commitment.categories.set([category("gbv" if number % 2 else "culture")])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
        return len(queries), len(rows)

    (few, few_rows), (many, many_rows) = count(2), count(15)
    assert many_rows > few_rows + 40
    assert many == few
