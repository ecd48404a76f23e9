"""A panel confirmed by its organiser: the log form's organiser_email, the emailed single-use link,
the public page behind it, the office's flag on a correction, and the parity figures split."""

import datetime
import re
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Email
from commitments import data_version
from commitments.models import TargetKind
from commitments.tests.factories import CommitmentFactory
from events.emails import ask_organiser
from events.models import ConfirmationOutcome, PanelConfirmation, ProgressEvent, panel_token_hash
from events.tests.factories import PanelFactory
from events.views import PANEL_CONFIRMATION_ATTEMPTS

ORGANISER = "organiser@conference.example"
LINK = re.compile(r"/panels/confirm/([\w-]+)/")


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def logged_in(client, cast):
    client.force_login(cast.focal_point)
    return client


def _panel(cast, **overrides):
    data = {
        "kind": "panel",
        "occurred_on": cast.cycle.starts_on.isoformat(),
        "title": "Panel on women in peacekeeping",
        "notes": "Secret note: the moderator was late.",
        "women_count": 2,
        "men_count": 2,
        "panel_outcome": "balanced",
        "organiser_email": ORGANISER,
        "log_anyway": "on",  # the cast's commitment counts meetings: a panel counts for nothing toward it
    }
    data.update(overrides)
    return data


def _log(client, cast, capture, **overrides):
    with capture(execute=True):
        response = client.post(f"/commitments/{cast.commitment.pk}/log/", _panel(cast, **overrides))
    assert response.status_code == 302
    return ProgressEvent.objects.latest("created_at")


def _token(message):
    return LINK.search(message.body).group(1)


def _asked(event, capture):
    """A panel's organiser asked the way the log form asks (events.emails): the link's token."""
    with capture(execute=True):
        confirmation = ask_organiser(event, ORGANISER)
    token = _token(mail.outbox[-1])
    assert confirmation.token_hash == panel_token_hash(token)
    return token


@pytest.fixture
def panel(cast, django_capture_on_commit_callbacks):
    event = PanelFactory(commitment=cast.commitment, title="Peace operations panel", notes="Private notes")
    return event, _asked(event, django_capture_on_commit_callbacks)


def _url(token):
    return f"/panels/confirm/{token}/"


def test_it_emails_the_organiser_once_with_a_single_use_link(
    logged_in, cast, django_capture_on_commit_callbacks
):
    submission_key = "0b8f5a2e-7a53-4b0c-9a55-2d2c1f6e8a10"
    event = _log(logged_in, cast, django_capture_on_commit_callbacks, submission_key=submission_key)
    _log(logged_in, cast, django_capture_on_commit_callbacks, submission_key=submission_key)  # posted twice
    assert ProgressEvent.objects.count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ORGANISER]
    assert "Chidi Champion" in message.subject
    assert "Panel on women in peacekeeping" in message.body
    token = _token(message)
    assert f"{settings.SITE_URL}/panels/confirm/{token}/" in message.body
    assert _url(token) in message.alternatives[0][0]
    confirmation = PanelConfirmation.objects.get()
    assert (confirmation.event, confirmation.organiser_email) == (event, ORGANISER)
    assert confirmation.outcome == ConfirmationOutcome.PENDING
    # Only the token's hash is kept; the sent email's bodies are emptied.
    assert confirmation.token_hash == panel_token_hash(token) != token
    assert token not in str(PanelConfirmation.objects.values().get())
    email = Email.objects.get()
    assert (email.user, email.address, email.text_body) == (None, ORGANISER, "")
    expected = timezone.now() + datetime.timedelta(days=30)
    assert abs(confirmation.expires_at - expected) < datetime.timedelta(minutes=1)


def test_it_writes_to_the_organiser_in_the_champions_language(
    logged_in, cast, django_capture_on_commit_callbacks
):
    cast.champion_user.language = "fr"
    cast.champion_user.save(update_fields=["language"])
    _log(logged_in, cast, django_capture_on_commit_callbacks, occurred_on=cast.cycle.starts_on.isoformat())
    body = mail.outbox[0].body
    assert "1 janvier" in body  # Django's French date: the email is rendered in French
    assert "January" not in body


def test_it_asks_nobody_for_another_kind_nor_without_an_address(
    logged_in, cast, django_capture_on_commit_callbacks
):
    _log(logged_in, cast, django_capture_on_commit_callbacks, kind="meeting", scope="hq")
    _log(logged_in, cast, django_capture_on_commit_callbacks, organiser_email="")
    assert mail.outbox == []
    assert not PanelConfirmation.objects.exists()


def test_an_invalid_address_is_a_form_error(logged_in, cast):
    response = logged_in.post(f"/commitments/{cast.commitment.pk}/log/", _panel(cast, organiser_email="nope"))
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert not ProgressEvent.objects.exists()


def test_an_edit_asks_a_new_address_once_and_the_same_one_not_again(
    logged_in, cast, django_capture_on_commit_callbacks
):
    event = _log(logged_in, cast, django_capture_on_commit_callbacks)
    edit_page = logged_in.get(f"/events/{event.pk}/edit/").content.decode()
    assert f'value="{ORGANISER}"' in edit_page
    data = _panel(cast)
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post(f"/events/{event.pk}/edit/", data)
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post(f"/events/{event.pk}/edit/", {**data, "organiser_email": "chair@conference.example"})
    assert [message.to for message in mail.outbox] == [[ORGANISER], ["chair@conference.example"]]
    assert event.confirmations.count() == 2


def test_the_page_shows_the_panel_and_nothing_else(panel, cast):
    event, token = panel
    response = Client().get(_url(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Peace operations panel" in page
    assert "Chidi Champion" in page
    assert event.occurred_on.strftime("%Y") in page
    assert 'name="women_count" value="2"' in page and 'name="men_count" value="2"' in page
    assert "@" not in page  # no address at all: not the organiser's, the champion's nor focal points'
    assert "Private notes" not in page
    assert cast.commitment.title not in page
    assert "no-store" in response["Cache-Control"]


def test_the_organiser_confirms_the_same_numbers(panel):
    event, token = panel
    response = Client().post(_url(token), {"women_count": 2, "men_count": 2})
    assert response.status_code == 200
    assert "You confirmed" in response.content.decode()
    confirmation = event.confirmations.get()
    assert confirmation.outcome == ConfirmationOutcome.CONFIRMED
    assert confirmation.used_at is not None
    assert (confirmation.women_count, confirmation.men_count) == (2, 2)


def test_a_correction_keeps_both_figures_and_flags_the_event_for_the_office(panel, cast):
    event, token = panel
    response = Client().post(_url(token), {"women_count": 1, "men_count": 3})
    assert response.status_code == 200
    confirmation = event.confirmations.get()
    assert confirmation.outcome == ConfirmationOutcome.CORRECTED
    assert (confirmation.women_count, confirmation.men_count) == (1, 3)
    assert (confirmation.claimed_women_count, confirmation.claimed_men_count) == (2, 2)
    event.refresh_from_db()
    assert (event.women_count, event.men_count) == (2, 2)  # as the champion logged it
    office = Client()
    office.force_login(cast.office_member)
    flag = "Organiser corrected: women 2 → 1, men 2 → 3"
    for url in (f"/dashboard/champions/{cast.champion.pk}/", f"/dashboard/commitments/{cast.commitment.pk}/"):
        page = office.get(url).content.decode()
        assert page.count(flag) == 1, url


def test_a_confirmation_is_not_flagged(panel, cast):
    event, token = panel
    Client().post(_url(token), {"women_count": 2, "men_count": 2})
    office = Client()
    office.force_login(cast.office_member)
    page = office.get(f"/dashboard/champions/{cast.champion.pk}/").content.decode()
    assert "Organiser corrected" not in page
    assert page.count("Confirmed by the organiser") == 1


def test_the_champions_side_sees_the_organisers_answer(panel, cast):
    _event, token = panel
    champion = Client()
    champion.force_login(cast.champion_user)
    url = f"/commitments/{cast.commitment.pk}/"
    assert "organiser" not in champion.get(url).content.decode().lower()  # not answered yet
    Client().post(_url(token), {"women_count": 1, "men_count": 3})
    page = champion.get(url).content.decode()
    assert "Organiser corrected: women 2 → 1, men 2 → 3" in page
    assert "Speakers: women 2, men 2" in page  # the figures logged stay


def test_numbers_that_are_not_numbers_are_a_form_error(panel):
    event, token = panel
    response = Client().post(_url(token), {"women_count": "two", "men_count": "-1"})
    assert response.status_code == 200
    assert event.confirmations.get().used_at is None


def test_an_answer_gives_the_office_figures_a_new_version(panel, django_capture_on_commit_callbacks):
    _event, token = panel
    before = data_version.current()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(_url(token), {"women_count": 1, "men_count": 3})
    assert data_version.current() != before  # the cached dashboard is computed again


def test_the_link_works_once(panel):
    event, token = panel
    organiser = Client()
    assert organiser.post(_url(token), {"women_count": 1, "men_count": 3}).status_code == 200
    again = organiser.post(_url(token), {"women_count": 4, "men_count": 0})
    assert again.status_code == 410
    assert "already been confirmed" in again.content.decode()
    assert organiser.get(_url(token)).status_code == 410
    confirmation = event.confirmations.get()
    assert (confirmation.women_count, confirmation.men_count) == (1, 3)


def test_two_submits_at_once_record_one_answer(panel):
    event, token = panel
    first = PanelConfirmation.objects.by_token(token)
    second = PanelConfirmation.objects.by_token(token)  # both read it unused
    assert first.answer(1, 3) is True
    assert second.answer(4, 0) is False
    confirmation = event.confirmations.get()
    assert (confirmation.women_count, confirmation.men_count) == (1, 3)


def test_an_expired_link_is_refused(panel):
    event, token = panel
    later = timezone.now() + datetime.timedelta(days=30, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        page = Client().get(_url(token))
        posted = Client().post(_url(token), {"women_count": 1, "men_count": 3})
    assert page.status_code == posted.status_code == 410
    assert "expired" in page.content.decode()
    assert "Peace operations panel" not in page.content.decode()
    assert event.confirmations.get().used_at is None


def test_a_link_still_works_on_its_last_day(panel):
    _event, token = panel
    later = timezone.now() + datetime.timedelta(days=29, hours=23)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert Client().get(_url(token)).status_code == 200


@pytest.mark.parametrize(
    "tamper", [lambda t: t[:-1], lambda t: t + "x", lambda t: t[::-1], lambda t: "a" * 43]
)
def test_a_tampered_token_is_not_found(panel, tamper):
    _event, token = panel
    assert Client().get(_url(tamper(token))).status_code == 404
    assert Client().post(_url(tamper(token)), {"women_count": 1, "men_count": 1}).status_code == 404


def test_the_hash_itself_is_no_token(panel):
    event, _token = panel
    assert Client().get(_url(event.confirmations.get().token_hash)).status_code == 404


def test_a_token_answers_for_its_own_event_only(panel, cast, django_capture_on_commit_callbacks):
    event, token = panel
    other = PanelFactory(commitment=cast.other_commitment, title="Another network panel")
    other_token = _asked(other, django_capture_on_commit_callbacks)
    # An event's id sent along is ignored: the token alone says which panel.
    response = Client().post(
        _url(token), {"women_count": 1, "men_count": 3, "event": other.pk, "pk": other.pk}
    )
    assert response.status_code == 200
    assert other.confirmations.get().used_at is None
    assert event.confirmations.get().outcome == ConfirmationOutcome.CORRECTED
    page = Client().get(_url(other_token)).content.decode()
    assert "Another network panel" in page and "Peace operations panel" not in page
    # An event's id in place of a token opens nothing.
    assert Client().get(_url(str(other.pk))).status_code == 404


def test_it_is_throttled_per_client_address(panel):
    _event, token = panel
    visitor = Client(REMOTE_ADDR="203.0.113.7")
    for attempt in range(PANEL_CONFIRMATION_ATTEMPTS):
        assert visitor.get(_url(f"guess-{attempt}")).status_code == 404
    assert visitor.get(_url(token)).status_code == 429
    assert visitor.post(_url(token), {"women_count": 1, "men_count": 1}).status_code == 429
    assert Client(REMOTE_ADDR="203.0.113.8").get(_url(token)).status_code == 200  # another address


def test_a_panel_needs_a_speaker(panel):
    event, token = panel
    response = Client().post(_url(token), {"women_count": 0, "men_count": 0})
    assert response.status_code == 200
    assert "at least one speaker" in response.content.decode()
    assert event.confirmations.get().used_at is None


def test_parity_is_split_between_confirmed_and_self_reported_panels(cast, django_capture_on_commit_callbacks):
    parity_commitment = CommitmentFactory(
        champion=cast.champion, cycle=cast.cycle, number=3, target_kind=TargetKind.PERCENTAGE, target_value=50
    )
    corrected = PanelFactory(commitment=parity_commitment, women_count=2, men_count=2)
    confirmed = PanelFactory(commitment=parity_commitment, women_count=3, men_count=1)
    asked = PanelFactory(commitment=parity_commitment, women_count=1, men_count=1)
    PanelFactory(commitment=parity_commitment, women_count=0, men_count=4)
    tokens = [_asked(event, django_capture_on_commit_callbacks) for event in (corrected, confirmed, asked)]
    Client().post(_url(tokens[0]), {"women_count": 1, "men_count": 3})
    Client().post(_url(tokens[1]), {"women_count": 3, "men_count": 1})
    figures = ProgressEvent.objects.filter(commitment=parity_commitment).panel_parity()
    # Confirmed: the organisers' figures, 1+3 women of 8. Self-reported: 1+0 women of 6 (a link
    # not answered yet counts as self-reported).
    assert figures == {
        "confirmed_panels": 2,
        "confirmed_women": 4,
        "confirmed_men": 4,
        "confirmed_share": 50,
        "self_reported_panels": 2,
        "self_reported_women": 1,
        "self_reported_men": 5,
        "self_reported_share": 16,
    }
    champion_page = Client()
    champion_page.force_login(cast.champion_user)
    page = champion_page.get(f"/commitments/{parity_commitment.pk}/").content.decode()
    assert re.search(r'data-figure="confirmed_share">50%<', page)
    assert re.search(r'data-figure="self_reported_share">16%<', page)
    office = Client()
    office.force_login(cast.office_member)
    page = office.get(f"/dashboard/?cycle={cast.cycle.year}").content.decode()
    assert re.search(r'data-figure="confirmed_share">50%<', page)
    assert re.search(r'data-figure="self_reported_share">16%<', page)
    assert "organiser-confirmed (2 panels)" in page
    page = office.get(f"/dashboard/commitments/{parity_commitment.pk}/").content.decode()
    assert re.search(r'data-figure="confirmed_share">50%<', page)


def test_without_panels_the_shares_are_dashes(cast):
    figures = ProgressEvent.objects.none().panel_parity()
    assert figures["confirmed_share"] is None and figures["self_reported_share"] is None
