import pytest
from django.utils import timezone

from accounts.tests.factories import OfficeMemberFactory, UserFactory
from champions.models import Hub
from champions.tests.factories import ChampionFactory, OrganizationFactory, PledgeSignatureFactory
from commitments.models import Approval, Status
from commitments.tests.factories import CommitmentFactory, CycleFactory
from events.tests.factories import ProgressEventFactory


class Network:
    """A champion who opted in to the public pages and one who did not, each with commitments in
    every approval state, an email, a focal point and notes on their progress."""

    def __init__(self):
        self.cycle = CycleFactory(year=timezone.localdate().year)
        self.public = ChampionFactory(
            full_name="Paula Public",
            title="Director-General",
            user=UserFactory(email="paula.public@example.org", full_name="Paula Public"),
            organization=OrganizationFactory(name="Open Organization", acronym="OPEN"),
            hub=Hub.objects.get_or_create(name="Geneva")[0],
            focal_points=[UserFactory(email="focal.public@example.org", full_name="Fred Focal")],
            is_public=True,
        )
        PledgeSignatureFactory(champion=self.public)
        self.approved = CommitmentFactory(
            champion=self.public,
            cycle=self.cycle,
            number=1,
            title="Publish hiring figures",
            categories=["selection-recruitment"],
            status=Status.IN_PROGRESS,
        )
        ProgressEventFactory(commitment=self.approved, notes="Confidential note on the meeting")
        self.unapproved = [
            CommitmentFactory(
                champion=self.public, cycle=self.cycle, number=number, title=title, approval=approval
            )
            for number, title, approval in [
                (2, "Draft plan never approved", Approval.DRAFT),
                (3, "Returned plan to rework", Approval.RETURNED),
                (4, "Submitted plan under review", Approval.SUBMITTED),
            ]
        ]
        self.private = ChampionFactory(
            full_name="Nadia Private",
            user=UserFactory(email="nadia.private@example.org", full_name="Nadia Private"),
            organization=OrganizationFactory(name="Hidden Organization", acronym="HIDDEN"),
            hub=Hub.objects.get_or_create(name="Vienna")[0],
        )
        self.private_commitment = CommitmentFactory(
            champion=self.private, cycle=self.cycle, number=1, title="Private commitment of Nadia"
        )
        self.office_member = OfficeMemberFactory(email="office@example.org")

    # What no public answer may contain, field by field.
    @property
    def private_fields(self):
        return [
            self.private.full_name,
            self.private.organization.name,
            self.private.organization.acronym,
            self.private_commitment.title,
            self.private_commitment.text,
        ]

    @property
    def unapproved_titles(self):
        return [commitment.title for commitment in self.unapproved]


@pytest.fixture
def network(db):
    return Network()


def add_public_champions(count, cycle):
    """`count` more public champions, each with two approved commitments."""
    for _ in range(count):
        champion = ChampionFactory(is_public=True)
        PledgeSignatureFactory(champion=champion)
        for number in (1, 2):
            CommitmentFactory(champion=champion, cycle=cycle, number=number)


@pytest.fixture
def more_public_champions():
    return add_public_champions
