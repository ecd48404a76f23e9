"""The hand-built network the annual report's tests share (reports/tests/conftest.py gives it as
the `network` fixture), and their helpers: a signed-in client, a PDF's reader and text, more of
the network for statement counts at two sizes."""

import datetime
import io

import pypdfium2
from django.test import Client
from pypdf import PdfReader

from accounts.tests.factories import OfficeMemberFactory
from champions.tests.factories import ChampionFactory, HubFactory
from commitments.tests.factories import CommitmentFactory, CycleFactory
from events.tests.factories import PanelFactory, ProgressEventFactory
from reports.models import Level, Report
from reports.tests.factories import AssessmentFactory

YEAR = 2030
DUE = datetime.date(YEAR + 1, 1, 15)
ON_TIME = datetime.datetime(YEAR, 12, 20, 12, tzinfo=datetime.UTC)
LATE = datetime.datetime(YEAR + 1, 1, 20, 12, tzinfo=datetime.UTC)
# Commitment n of each reporting champion: its self-assessment and category.
PLAN = {
    1: (Level.NOT_STARTED, "culture"),
    2: (Level.LIMITED, "leadership"),
    3: (Level.SUBSTANTIAL, "culture"),
    4: (Level.COMPLETE, "leadership"),
}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def assess(commitment, level, by):
    narrative = f"Narrative of {commitment.champion.full_name} #{commitment.number}."
    return AssessmentFactory(commitment=commitment, level=level, narrative=narrative, assessed_by=by)


def reporting_champion(cycle, name, hub, submitted_at=ON_TIME):
    """A champion with four approved commitments, one at each level, and their report submitted."""
    champion = ChampionFactory(full_name=name, hub=hub, user__full_name=name)
    assessments = {}
    for number, (level, category) in PLAN.items():
        commitment = CommitmentFactory(
            champion=champion,
            cycle=cycle,
            number=number,
            categories=[category],
            title=f"{name} commitment {number}",
        )
        assessments[number] = assess(commitment, level, champion.user)
    if submitted_at:
        Report.of(champion, cycle).submit(champion.user, now=submitted_at)
    return champion, assessments


def build_network():
    """Seventeen approved commitments: four at each level in four submitted reports (one of them
    late), and a fifth champion's report missing. The office rated five, one two steps lower."""
    cycle = CycleFactory(year=YEAR, report_due_on=DUE)
    office = OfficeMemberFactory(email="office@example.org")
    geneva, nairobi = HubFactory(name="Geneva"), HubFactory(name="Nairobi")
    ada, ada_levels = reporting_champion(cycle, "Ada Achebe", geneva, submitted_at=None)
    # Panel parity: two panels on Ada's commitment 2, one balanced and one of men only, logged before
    # she signs her report off (a report signed off keeps what it showed then).
    commitment = ada_levels[2].commitment
    PanelFactory(commitment=commitment, occurred_on=datetime.date(YEAR, 3, 5), women_count=3, men_count=1)
    PanelFactory(commitment=commitment, occurred_on=datetime.date(YEAR, 5, 7), women_count=0, men_count=4)
    ProgressEventFactory(commitment=commitment, occurred_on=datetime.date(YEAR, 6, 1), title="Key town hall")
    Report.of(ada, cycle).submit(ada.user, now=ON_TIME)
    bea, bea_levels = reporting_champion(cycle, "Bea Bamba", geneva)
    reporting_champion(cycle, "Cy Carter", nairobi)
    dee, _ = reporting_champion(cycle, "Dee Diallo", nairobi, submitted_at=LATE)
    # Missing: assessed, but never submitted (so not counted as assessed either).
    eve = ChampionFactory(full_name="Eve Evans", hub=nairobi)
    assess(CommitmentFactory(champion=eve, cycle=cycle, number=1, categories=["culture"]), "complete", None)
    # Neither measured nor counted: a draft, and another cycle's commitment.
    CommitmentFactory(champion=ada, cycle=cycle, number=5, approval="draft")
    CommitmentFactory(champion=ada, cycle=CycleFactory(year=YEAR - 1), number=1)
    for number, assessment in ada_levels.items():
        assessment.rate(office, PLAN[number][0])
    bea_levels[4].rate(office, Level.LIMITED, "Two of the four trainings.")  # two steps lower
    return {"cycle": cycle, "office": office, "geneva": geneva, "nairobi": nairobi, "ada": ada, "bea": bea}


def pdf_reader(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(response.content))


def pdf_text(reader):
    return "\n".join(page.extract_text() for page in reader.pages)


def ink_reach(content, top_mm, bottom_mm):
    """How far down the body of each page of a PDF (A4, between its top and bottom margins, in mm:
    the running header and footer left out) ink reaches, from 0 (a blank body) to 1 (down to the
    bottom margin): the pages drawn as images (pdfium) and looked at, as a reader would."""
    reaches = []
    for page in pypdfium2.PdfDocument(content):
        image = page.render(scale=60 / 72).to_pil().convert("L")
        width, height = image.size
        top, bottom = round(height * top_mm / 297), round(height * (297 - bottom_mm) / 297)
        inked = image.crop((0, top, width, bottom)).point(lambda value: 255 if value < 200 else 0).getbbox()
        reaches.append(inked[3] / (bottom - top) if inked else 0)
    return reaches


def grow(cycle, hubs, champions):
    """More of the network: champions with five assessed commitments each, reports submitted."""
    for index in range(champions):
        champion, assessments = reporting_champion(cycle, f"Grown {index}", hubs[index % 2])
        assessments[1].rate(None, Level.COMPLETE)  # differs
        ProgressEventFactory(commitment=assessments[2].commitment, occurred_on=datetime.date(YEAR, 2, 1))
