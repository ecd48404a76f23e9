from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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
    assert [(entry["action"], entry["title"]) for entry in audit[:2]] == [
        ("changed", "Town hall in Juba"),
        ("created", "Town hall"),
    ]
    assert audit[0]["who"] == cast.focal_point
    assert {str(field) for field in audit[0]["fields"]} == {"title", "men count"}
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
    assert (audit[0]["action"], audit[0]["who"], [str(f) for f in audit[0]["fields"]]) == (
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
