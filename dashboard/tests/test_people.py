"""The office's people page (/dashboard/people/): who acts for the active champions, whether they can
sign in yet, and the invitations sent from it."""

import datetime
import functools
import threading

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.invitations import RESEND_AFTER
from accounts.models import Email, Invitation, SignInState
from accounts.tests.factories import ImportedPersonFactory, OfficeMemberFactory, UserFactory
from accounts.tests.helpers import accept, invitation_link, invited
from accounts.tests.smtp import sending_to_smtp_server
from champions.tests.factories import ChampionFactory, HubFactory, OrganizationFactory
from config.tests.helpers import race
from dashboard import people as people_page

pytestmark = pytest.mark.django_db

URL = "/dashboard/people/"


class Network:
    """Champions and focal points in every sign-in state, in two hubs and two organizations."""

    def __init__(self):
        now = timezone.now()
        self.geneva, self.vienna = HubFactory(name="Geneva"), HubFactory(name="Vienna")
        self.unodc = OrganizationFactory(name="UN Office on Drugs and Crime", acronym="UNODC")
        self.unhcr = OrganizationFactory(name="UN Refugee Agency", acronym="UNHCR")
        self.office = OfficeMemberFactory(email="olivia@example.org", full_name="Olivia Office")
        # Signed in: an account with a password of its own, used.
        self.amina = UserFactory(email="amina@example.org", full_name="Amina Active", last_login=now)
        # The import's people: no password.
        self.nadia = ImportedPersonFactory(email="nadia@example.org", full_name="Nadia New")
        self.ivan = ImportedPersonFactory(email="ivan@example.org", full_name="Ivan Invited")
        self.erik = ImportedPersonFactory(email="erik@example.org", full_name="Erik Expired")
        self.dora = UserFactory(email="dora@example.org", full_name="Dora Deactivated", is_active=False)
        self.amina_champion = ChampionFactory(
            user=self.amina, hub=self.geneva, organization=self.unodc, focal_points=[self.nadia, self.dora]
        )
        # A champion with no account: no email yet.
        self.bruno = ChampionFactory(
            user=None,
            full_name="Bruno No-Email",
            hub=self.vienna,
            organization=self.unhcr,
            focal_points=[self.ivan],
        )
        self.erik_champion = ChampionFactory(user=self.erik, hub=None, organization=self.unhcr)
        self.ivan_invitation = invited(self.ivan, by=self.office, now=now - datetime.timedelta(days=2))
        invited(self.erik, by=self.office, now=now - datetime.timedelta(days=20))
        # A champion who left: neither they nor those who served only them are listed.
        self.left = ImportedPersonFactory(email="left@example.org", full_name="Lena Left")
        ChampionFactory(user=self.left, is_active=False, focal_points=[ImportedPersonFactory()])
        Email.objects.all().delete()


@pytest.fixture
def network():
    return Network()


@pytest.fixture
def office(network):
    client = Client()
    client.force_login(network.office)
    return client


def _rows(response):
    assert response.status_code == 200
    return [(person.name, person.state) for person in response.context["people"]]


def _messages(client):
    """The messages the next page shows the office after an action (then gone)."""
    return [str(message) for message in client.get(URL).context["messages"]]


def test_it_lists_every_champion_and_focal_point_with_their_sign_in_state(office, network):
    response = office.get(URL)

    assert _rows(response) == [
        ("Amina Active", SignInState.SIGNED_IN),
        ("Bruno No-Email", SignInState.NO_EMAIL),
        ("Dora Deactivated", SignInState.DEACTIVATED),
        ("Erik Expired", SignInState.INVITATION_EXPIRED),
        ("Ivan Invited", SignInState.INVITED),
        ("Nadia New", SignInState.NOT_INVITED),
    ]
    people = {person.name: person for person in response.context["people"]}
    assert people["Ivan Invited"].roles == [("focal_point", network.bruno)]
    assert people["Ivan Invited"].organizations == ["UNHCR"]
    assert people["Ivan Invited"].hubs == ["Vienna"]
    assert people["Amina Active"].roles == [("champion", network.amina_champion)]
    assert people["Erik Expired"].hubs == []
    page = response.content.decode()
    assert "no email yet" in page
    assert "Focal point of Bruno No-Email" in page
    expires = timezone.localtime(network.ivan_invitation.expires_at)
    assert f"link valid until {expires.day} {expires:%b} {expires.year}" in page
    assert "last signed in" in page
    assert "5 people not signed in yet:" in page
    assert "Invite everyone not invited yet (1)" in page
    assert page.count(">Resend invitation<") == 2  # the invited and the expired
    assert page.count(">Invite<") == 1


@pytest.mark.parametrize(
    "query, names",
    [
        ("state=not_invited", ["Nadia New"]),
        ("state=no_email", ["Bruno No-Email"]),
        ("state=invitation_expired", ["Erik Expired"]),
        ("hub=GENEVA", ["Amina Active", "Dora Deactivated", "Nadia New"]),
        ("organization=UNHCR", ["Bruno No-Email", "Erik Expired", "Ivan Invited"]),
        ("q=BRUNO", ["Bruno No-Email"]),
        ("q=ivan%40example", ["Ivan Invited"]),
        ("q=e&state=signed_in&hub=GENEVA", ["Amina Active"]),
    ],
)
def test_it_filters_by_state_hub_and_organization_and_searches_names_and_emails(
    office, network, query, names
):
    query = query.replace("GENEVA", str(network.geneva.pk)).replace("UNHCR", str(network.unhcr.pk))

    assert [name for name, _ in _rows(office.get(f"{URL}?{query}"))] == names


def test_an_unknown_filter_value_is_ignored_and_said_so(office, network):
    response = office.get(f"{URL}?hub=999999&state=nonsense")

    assert len(_rows(response)) == 6
    assert "Unknown filter value ignored: Sign-in, Hub." in response.content.decode()


def test_it_pages_and_keeps_the_filters(office, network, monkeypatch):
    monkeypatch.setattr(people_page, "PEOPLE_PER_PAGE", 2)
    url = f"{URL}?organization={network.unhcr.pk}"

    second = office.get(f"{url}&page=2")

    assert _rows(second) == [("Ivan Invited", SignInState.INVITED)]
    page = second.content.decode()
    assert f'href="?organization={network.unhcr.pk}&amp;page=1"' in page
    assert f'name="here" value="organization={network.unhcr.pk}&amp;page=2"' in page


def _add_people(network, count):
    """`count` champions in Geneva, each with an account and an imported focal point, and as many
    with no account."""
    for number in range(count):
        ChampionFactory(hub=network.geneva, focal_points=[ImportedPersonFactory()])
        ChampionFactory(user=None, full_name=f"Champion {number}", organization=network.unodc)


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return len(queries.captured_queries), len(response.context["people"])


def test_the_page_takes_the_same_queries_whatever_the_number_of_people(office, network):
    urls = [URL, f"{URL}?hub={network.geneva.pk}&q=e", f"{URL}?state=not_invited"]
    office.get(URL)  # the session's first request saves it (accounts.middleware): not the page's
    small = [_queries(office, url) for url in urls]

    _add_people(network, 15)
    large = [_queries(office, url) for url in urls]

    assert [shown for _, shown in large] > [shown for _, shown in small]
    assert [queries for queries, _ in large] == [queries for queries, _ in small]


def test_inviting_everyone_not_invited_yet_emails_each_once_and_nobody_else(
    office, network, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    imported = [ImportedPersonFactory(email=f"imported{n}@example.org") for n in range(3)]
    ChampionFactory(user=imported[0], focal_points=imported[1:])

    with sending_to_smtp_server(settings) as smtp, django_capture_on_commit_callbacks(execute=True):
        response = office.post(f"{URL}invite/", {"here": "state=not_invited"})
        sent = _messages(office)
        office.post(f"{URL}invite/")
        again = _messages(office)

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?state=not_invited"
    assert smtp.addressees() == sorted(["nadia@example.org", *(person.email for person in imported)])
    assert sent == ["Invitations were emailed to 4 people: their links work for 14 days."]
    assert again == ["Nobody is left to invite: everyone has been invited or can sign in."]
    # Those already invited keep their one link; nobody who can sign in was emailed.
    assert Invitation.objects.filter(user=network.ivan).count() == 1
    assert Invitation.objects.filter(user=network.erik).count() == 1
    page = office.get(URL).content.decode()
    assert "Invite everyone not invited yet (0)" in page


def test_an_imported_person_accepts_the_invitation_and_is_signed_in_on_the_page(
    office, network, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        office.post(f"{URL}{network.nadia.pk}/invite/")
    [email] = Email.objects.all()

    accept(Client(), invitation_link(email.text_body))

    assert ("Nadia New", SignInState.SIGNED_IN) in _rows(office.get(URL))


def test_inviting_one_person_and_resending_at_most_once_a_day(office, network):
    office.post(f"{URL}{network.nadia.pk}/invite/")
    [invitation] = Invitation.objects.filter(user=network.nadia)
    expires = timezone.localtime(invitation.expires_at)
    [message] = _messages(office)
    assert message.startswith(
        "An invitation was emailed to Nadia New (nadia@example.org); its link works until "
    )
    assert str(expires.year) in message

    office.post(f"{URL}{network.nadia.pk}/invite/")
    [message] = _messages(office)
    assert message.startswith(
        "Nadia New was invited less than a day ago: an invitation can be sent again from "
    )
    assert Invitation.objects.filter(user=network.nadia).count() == Email.objects.count() == 1

    # The invited person's invitation went out two days ago: a resend ends its link.
    office.post(f"{URL}{network.ivan.pk}/invite/")
    assert _messages(office)[0].endswith("Earlier links no longer work.")
    network.ivan_invitation.refresh_from_db()
    assert network.ivan_invitation.ended_at is not None


def test_a_resend_within_a_day_of_the_last_invitation_is_refused(office, network):
    invited(network.nadia, now=timezone.now() - RESEND_AFTER + datetime.timedelta(minutes=5))

    office.post(f"{URL}{network.nadia.pk}/invite/")

    assert "was invited less than a day ago" in _messages(office)[0]
    assert Invitation.objects.filter(user=network.nadia).count() == 1


def test_someone_who_can_sign_in_or_is_deactivated_is_not_invited(office, network):
    office.post(f"{URL}{network.amina.pk}/invite/")
    assert _messages(office) == ["Amina Active can sign in already."]
    office.post(f"{URL}{network.dora.pk}/invite/")
    assert _messages(office) == [
        "Dora Deactivated's account is deactivated: reactivate it in admin before inviting them."
    ]
    assert not Invitation.objects.filter(user__in=[network.amina, network.dora]).exists()


def test_only_people_of_an_active_champion_can_be_invited_from_the_page(office, network):
    for user in (network.left, network.office):
        assert office.post(f"{URL}{user.pk}/invite/").status_code == 404
    assert not Invitation.objects.filter(user__in=[network.left, network.office]).exists()


@pytest.mark.parametrize("who", ["amina", "ivan_signed_in"])
def test_champions_and_focal_points_may_not_see_or_invite(network, who):
    user = network.amina
    if who == "ivan_signed_in":
        user = network.ivan
        user.set_password("a long and private passphrase")
        user.save(update_fields=["password"])
    client = Client()
    client.force_login(user)

    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}invite/").status_code == 403
    assert client.post(f"{URL}{network.nadia.pk}/invite/").status_code == 403
    assert not Invitation.objects.filter(user=network.nadia).exists()


def test_the_actions_take_a_post_only(office, network):
    assert office.get(f"{URL}invite/").status_code == 405
    assert office.get(f"{URL}{network.nadia.pk}/invite/").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_two_office_members_inviting_everyone_at_once_send_one_invitation_each():
    if connection.vendor != "postgresql":
        pytest.skip("racing connections need PostgreSQL (SQLite serialises writers)")
    people = [ImportedPersonFactory() for _ in range(5)]
    ChampionFactory(user=people[0], focal_points=people[1:])
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(OfficeMemberFactory())
    barrier = threading.Barrier(2)

    def invite_everyone(client):
        barrier.wait()
        assert client.post(f"{URL}invite/").status_code == 302

    errors = race(*(functools.partial(invite_everyone, client) for client in clients))

    assert errors == []
    assert sorted(Invitation.objects.values_list("user", flat=True)) == sorted(person.pk for person in people)
    assert Email.objects.count() == 5
