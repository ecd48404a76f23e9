"""The conversation on a commitment: the champion's side and the office comment on both pages, each
comment emailed to the other side once, kept in the audit trail, read only in admin."""

import uuid

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Email
from accounts.tests.factories import AdminFactory, ImportedPersonFactory, OfficeMemberFactory
from commitments.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sent_in_process(settings):
    """The emails' task runs in this process once the comment commits."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _url(commitment):
    return f"/commitments/{commitment.pk}/comments/"


def _post(user, commitment, text, key=None):
    return _client(user).post(_url(commitment), {"text": text, "submission_key": str(key or uuid.uuid4())})


def _addresses():
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_focal_points_comment_reaches_the_office_once_and_shows_on_both_pages(
    cast, django_capture_on_commit_callbacks
):
    OfficeMemberFactory(email="second.office@example.org")
    OfficeMemberFactory(email="away@example.org", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(cast.focal_point, cast.commitment, "The town hall moved to March:\nis that fine?")
    assert response.status_code == 302
    assert response["Location"] == f"/commitments/{cast.commitment.pk}/#comments"
    comment = Comment.objects.get()
    assert (comment.author, comment.from_office, comment.commitment) == (
        cast.focal_point,
        False,
        cast.commitment,
    )
    # To the office's members who can sign in; not to the champion's side.
    assert _addresses() == ["office@example.org", "second.office@example.org"]
    message = mail.outbox[0]
    assert message.subject == f"Chidi Champion, commitment 1 for {cast.cycle.year}: a new comment"
    assert "Fiona Focal commented on Chidi Champion's commitment 1" in message.body
    assert "The town hall moved to March:\nis that fine?" in message.body
    assert f"/dashboard/commitments/{cast.commitment.pk}/#comments" in message.body
    html = message.alternatives[0][0]
    assert "The town hall moved to March:<br>is that fine?" in html
    # Shown on the champion's page and the office's.
    for user, url in (
        (cast.champion_user, f"/commitments/{cast.commitment.pk}/"),
        (cast.office_member, f"/dashboard/commitments/{cast.commitment.pk}/"),
    ):
        page = _client(user).get(url).content.decode()
        assert "The town hall moved to March:<br>is that fine?" in page
        assert f'action="/commitments/{cast.commitment.pk}/comments/"' in page


def test_an_office_comment_reaches_the_champion_and_focal_points_once(
    cast, django_capture_on_commit_callbacks
):
    cast.champion.focal_points.add(ImportedPersonFactory(email="not.yet@example.org"))  # cannot sign in yet
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(cast.office_member, cast.commitment, "Could you add the <minutes>?")
    assert response["Location"] == f"/dashboard/commitments/{cast.commitment.pk}/#comments"
    assert Comment.objects.get().from_office is True
    assert _addresses() == sorted([cast.champion_user.email, cast.focal_point.email])
    message = mail.outbox[0]
    assert message.subject == f"Commitment 1 for {cast.cycle.year}: a comment from the office"
    assert "of the chief-of-staff office, commented on Chidi Champion's commitment 1" in message.body
    assert "Could you add the <minutes>?" in message.body
    assert "Could you add the &lt;minutes&gt;?" in message.alternatives[0][0]
    assert f"/commitments/{cast.commitment.pk}/#comments" in message.body
    assert Email.objects.filter(key__startswith="comment:").count() == 2


def test_the_author_is_not_emailed_their_own_comment(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _post(cast.champion_user, cast.commitment, "Done, see the minutes.")
        _post(cast.office_member, cast.commitment, "Thank you.")
    to = {
        text: sorted(a for m in mail.outbox if text in m.body for a in m.to) for text in ("Done", "Thank you")
    }
    assert to["Done"] == [cast.office_member.email]
    # The office member wrote it: to the champion's side only (the champion and their focal point).
    assert to["Thank you"] == sorted([cast.champion_user.email, cast.focal_point.email])


def test_an_office_member_who_is_also_a_focal_point_writes_for_the_champions_side(
    cast, django_capture_on_commit_callbacks
):
    cast.champion.focal_points.add(cast.office_member)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(cast.office_member, cast.commitment, "As focal point: done.")
    assert response["Location"] == f"/commitments/{cast.commitment.pk}/#comments"
    assert Comment.objects.get().from_office is False
    assert mail.outbox == []  # the office is only them


def test_the_same_form_posted_twice_posts_one_comment_and_one_email_each(
    cast, django_capture_on_commit_callbacks
):
    key = uuid.uuid4()
    client = _client(cast.champion_user)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(_url(cast.commitment), {"text": "Sent twice?", "submission_key": str(key)})
        second = client.post(_url(cast.commitment), {"text": "Sent twice?", "submission_key": str(key)})
    assert first.status_code == second.status_code == 302
    assert Comment.objects.count() == 1
    assert len(mail.outbox) == 1
    messages = [str(message) for message in client.get(second["Location"]).context["messages"]]
    assert "This comment was already sent." in messages


def test_a_thread_reads_oldest_first_with_the_newest_last(cast):
    for user, text in [
        (cast.focal_point, "First, from the focal point."),
        (cast.office_member, "Second, from the office."),
        (cast.champion_user, "Third, from the champion."),
    ]:
        _post(user, cast.commitment, text)
    page = _client(cast.focal_point).get(f"/commitments/{cast.commitment.pk}/").content.decode()
    first, second, third = (page.index(text) for text in ("First,", "Second,", "Third,"))
    assert first < second < third
    assert page.count('data-testid="comment"') == 3


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_an_empty_or_too_long_comment_is_refused_with_a_message(cast, text):
    client = _client(cast.champion_user)
    response = client.post(
        _url(cast.commitment), {"text": text, "submission_key": str(uuid.uuid4())}, follow=True
    )
    assert response.status_code == 200
    assert Comment.objects.count() == 0
    page = response.content.decode()
    assert "Write the comment before sending it." in page or "at most 2000 characters" in page


@pytest.mark.parametrize("role", ["other_champion", "other_focal_point"])
def test_everybody_else_gets_404_and_posts_nothing(cast, role):
    user = cast.other_champion.user if role == "other_champion" else cast.other_focal_point
    assert _post(user, cast.commitment, "Not mine.").status_code == 404
    assert Comment.objects.count() == 0


def test_a_comment_is_posted_not_fetched_and_needs_a_sign_in(cast):
    assert _client(cast.champion_user).get(_url(cast.commitment)).status_code == 405
    response = Client().post(_url(cast.commitment), {"text": "Anonymous"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert _post(cast.champion_user, type(cast.commitment)(pk=999999), "Gone").status_code == 404
    assert Comment.objects.count() == 0


def test_each_comment_is_in_the_offices_audit_trail(cast):
    _post(cast.focal_point, cast.commitment, "Is March fine for the town hall?")
    response = _client(cast.office_member).get(f"/dashboard/commitments/{cast.commitment.pk}/")
    entries = [entry for entry in response.context["audit"] if entry.what == "comment"]
    assert len(entries) == 1
    assert (entries[0].who, str(entries[0].action), entries[0].title) == (
        cast.focal_point,
        "created",
        "Is March fine for the town hall?",
    )
    assert "Comment created: Is March fine for the town hall?" in response.content.decode()


def _queries(client, url):
    client.get(url)  # the session's first request saves it (accounts.middleware): not the page's
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("side", ["champion", "office"])
def test_the_pages_cost_the_same_queries_with_1_and_11_comments(cast, side):
    user, url = {
        "champion": (cast.champion_user, f"/commitments/{cast.commitment.pk}/"),
        "office": (cast.office_member, f"/dashboard/commitments/{cast.commitment.pk}/"),
    }[side]
    client = _client(user)
    _post(cast.focal_point, cast.commitment, "One.")
    small = _queries(client, url)
    for number in range(10):
        _post(cast.office_member if number % 2 else cast.champion_user, cast.commitment, f"More {number}.")
    assert _queries(client, url) == small


def test_admin_lists_comments_read_only(cast):
    _post(cast.focal_point, cast.commitment, "Is March fine?")
    comment = Comment.objects.get()
    admin = _client(AdminFactory())
    listing = admin.get("/admin/commitments/comment/")
    assert listing.status_code == 200
    assert "Is March fine?" in listing.content.decode()
    assert admin.get(f"/admin/commitments/comment/{comment.pk}/change/").status_code == 200
    assert admin.get("/admin/commitments/comment/add/").status_code == 403
    admin.post(f"/admin/commitments/comment/{comment.pk}/change/", {"text": "Edited"})
    admin.post(f"/admin/commitments/comment/{comment.pk}/delete/", {"post": "yes"})
    comment.refresh_from_db()
    assert comment.text == "Is March fine?"
