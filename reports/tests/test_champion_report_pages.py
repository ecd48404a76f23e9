"""A champion's report is at most two A4 pages for five commitments of 2,000 characters each: the
summary table, then each commitment compact (its full text, target, measured progress,
self-assessment and office rating, with the office's reason where they differ, key events), in the
reader's language; a commitment taken over from another champion says so, page and PDF."""

import datetime
import io

import pytest
from django.test import Client
from pypdf import PdfReader

from champions.tests.factories import ChampionFactory, PledgeSignatureFactory
from commitments.models import TEXT_MAX_LENGTH, EventKind, TargetKind
from commitments.tests.factories import CommitmentFactory
from events.tests.factories import PanelFactory, ProgressEventFactory
from reports.models import Level
from reports.tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

PARTS = {
    "en": [
        "a) Hold quarterly town halls with women staff at headquarters and in every field office, "
        "hear first hand about the obstacles they meet in their careers, record what was said and "
        "report back to all staff within a month on what management will change as a result.",
        "b) Review the selection and recruitment procedures for every post at P-4 level and above, "
        "so that each shortlist includes at least one qualified woman and each interview panel "
        "is gender balanced, and publish the share of women appointed at each grade every six months.",
        "c) Introduce flexible working arrangements for all staff, including staff on temporary "
        "contracts, with a clear written policy, a named focal point in each division, and a yearly "
        "survey of whether the arrangements are used and by whom, broken down by sex and grade.",
        "d) Refuse to speak on any panel of two or more speakers where women are not represented, "
        "ask organisers before accepting an invitation who else will speak, and propose qualified "
        "women experts from the organisation whenever a panel is not yet balanced.",
    ],
    "fr": [
        "a) Organiser chaque trimestre des réunions ouvertes avec le personnel féminin au siège et "
        "dans chaque bureau extérieur, écouter les obstacles qu'elles rencontrent dans leur "
        "carrière, consigner ce qui a été dit et rendre compte à tout le personnel dans le mois.",
        "b) Revoir les procédures de sélection et de recrutement pour chaque poste de niveau P-4 et "
        "au-delà, afin que chaque liste restreinte comprenne au moins une femme qualifiée et que "
        "chaque jury soit paritaire, et publier tous les six mois la part de femmes nommées par grade.",
        "c) Mettre en place des modalités de travail flexibles pour tout le personnel, y compris le "
        "personnel temporaire, avec une politique écrite claire, une personne référente dans chaque "
        "division et une enquête annuelle sur leur utilisation, ventilée par sexe et par grade.",
        "d) Refuser de participer à tout panel de deux intervenants ou plus où les femmes ne sont "
        "pas représentées, demander aux organisateurs qui d'autre interviendra avant d'accepter, et "
        "proposer des expertes qualifiées de l'organisation chaque fois qu'un panel n'est pas paritaire.",
    ],
}

EVENTS = {
    "en": ["Town hall with women staff in Goma", "Field visit to the Bunia office", "Recruitment review"],
    "fr": ["Réunion ouverte avec le personnel à Goma", "Visite du bureau de Bunia", "Revue des recrutements"],
}
RATING_REASONS = {
    "en": "Only two of the four town halls took place; the recruitment review is still a draft.",
    "fr": "Seules deux des quatre réunions ont eu lieu ; la revue des recrutements reste un projet.",
}


def long_text(language, number):
    """A commitment's text of TEXT_MAX_LENGTH characters, parts a) to d) on lines of their own, each
    part as long as the others, cut at a word."""
    parts = PARTS[language]
    share = (TEXT_MAX_LENGTH - len(parts) + 1) // len(parts)
    filled = []
    for part in parts:
        text = f"{part} ({number})"
        while len(text) < share:
            text += " " + part[3:]
        filled.append(text[:share].rsplit(" ", 1)[0].rstrip(",;") + ".")
    text = "\n".join(filled)
    assert TEXT_MAX_LENGTH - 40 <= len(text) <= TEXT_MAX_LENGTH
    return text


def five_commitments(language):
    """A champion with five commitments of 2,000 characters, each with four events (three shown as
    key events), an assessment and the office's rating, differing on the odd ones with its reason;
    commitment 2 taken over from another champion; the Panel Parity Pledge signed."""
    predecessor = ChampionFactory(full_name="Paula Predecessor")
    champion = ChampionFactory(full_name="Chidi Champion")
    champion.user.language = language
    champion.user.save()
    PledgeSignatureFactory(champion=champion)
    from commitments.tests.factories import CycleFactory

    cycle = CycleFactory(year=datetime.date.today().year)
    office = _office(language)
    commitments = []
    for number in range(1, 6):
        percentage = number == 4
        commitment = CommitmentFactory(
            champion=champion,
            cycle=cycle,
            number=number,
            title=f"{PARTS[language][number % 4][3:60].rsplit(' ', 1)[0]} {number}",
            text=long_text(language, number),
            target_kind=TargetKind.PERCENTAGE if percentage else TargetKind.COUNT,
            target_value=50 if percentage else 8,
            counts_kind="" if percentage else EventKind.MEETING,
            categories=["culture", "leadership"],
        )
        PanelFactory(commitment=commitment, title=f"Panel {number}", occurred_on=cycle.starts_on)
        for day, title in enumerate(EVENTS[language], start=2):  # the three latest: the key events
            ProgressEventFactory(
                commitment=commitment, title=f"{title} {number}", occurred_on=cycle.starts_on.replace(day=day)
            )
        assessment = AssessmentFactory(
            commitment=commitment, level=Level.LIMITED, narrative="Done in part. " * 100
        )
        differs = number % 2
        assessment.rate(
            office,
            Level.COMPLETE if differs else Level.LIMITED,
            f"{RATING_REASONS[language]} ({number})",
        )
        commitments.append(commitment)
    taken = commitments[1]
    taken.taken_over_from, taken.taken_over_on = predecessor, datetime.date(cycle.year, 3, 1)
    taken.save(update_fields=["taken_over_from", "taken_over_on"])
    return champion, cycle, commitments, office


def _office(language):
    from accounts.tests.factories import OfficeMemberFactory

    office = OfficeMemberFactory()
    office.language = language
    office.save()
    return office


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def pdf(client, cycle, champion):
    response = client.get(f"/reports/{cycle.year}/champions/{champion.pk}.pdf")
    assert response.status_code == 200
    return PdfReader(io.BytesIO(response.content))


def squeezed(text):
    """Text without its white space: a PDF breaks lines where the page does."""
    return "".join(text.split())


# Where the pages' body is, in points from the bottom of an A4 page (842 points high): within the
# report's margins (18 mm at the top, 14 mm at the bottom), with the running header above and the
# footer below.
BODY_TOP, BODY_BOTTOM = 842 - 51, 40


def body_text(reader):
    """The pages' text without the running header and footer, squeezed: a commitment's text that
    runs on to the next page reads on, as in print."""
    pieces = []

    def keep(text, cm, tm, font, size):
        height = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if BODY_BOTTOM < height < BODY_TOP:
            pieces.append(text)

    for page in reader.pages:
        page.extract_text(visitor_text=keep)
    # A list's bullets come last in a page's content, wherever they fall: left out.
    return squeezed("".join(pieces)).replace("•", "")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_five_long_commitments_fit_on_two_pages_each_in_full(language):
    champion, cycle, commitments, office = five_commitments(language)
    for reader in (pdf(_client(office), cycle, champion), pdf(_client(champion.user), cycle, champion)):
        assert len(reader.pages) <= 2
        text = body_text(reader)
        for commitment in commitments:
            assert squeezed(commitment.text) in text
            for title in EVENTS[language]:  # its key events
                assert squeezed(f"{title} {commitment.number}") in text


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Target", "Measured progress", "Self-assessment", "Office rating", "Key events"]),
        (
            "fr",
            ["Cible", "Avancement mesuré", "Autoévaluation", "Notation du bureau", "Événements marquants"],
        ),
    ],
)
def test_each_commitment_says_its_facts_in_the_readers_language(language, words):
    champion, cycle, commitments, office = five_commitments(language)
    reader = pdf(_client(office), cycle, champion)
    squeezed_text = body_text(reader)
    for word in words:
        assert squeezed_text.count(squeezed(word)) >= 5, word  # the summary's header, each commitment
    # The office's reason beside its rating where the two differ (1, 3, 5), not where they agree.
    for number in (1, 3, 5):
        assert squeezed(f"{RATING_REASONS[language]} ({number})") in squeezed_text
    for number in (2, 4):
        assert squeezed(f"{RATING_REASONS[language]} ({number})") not in squeezed_text
    taken_over = {
        "en": "Taken over from Paula Predecessor on 1 March",
        "fr": "Repris de Paula Predecessor le 1 mars",
    }
    assert squeezed(taken_over[language]) in squeezed_text


def test_the_page_has_the_summary_table_and_the_handover_line():
    champion, cycle, commitments, office = five_commitments("en")
    page = _client(office).get(f"/reports/{cycle.year}/champions/{champion.pk}/").content.decode()
    summary = page.split('data-testid="report-summary"')[1].split("</table>")[0]
    for commitment in commitments:
        assert f'href="#commitment-{commitment.pk}"' in summary
    assert page.count('data-testid="taken-over"') == 1
    assert f"Taken over from Paula Predecessor on 1 March {cycle.year}" in page


def test_a_champion_who_handed_over_says_so_in_the_pdf_too():
    from commitments.models import Handover

    champion, cycle, commitments, office = five_commitments("en")
    successor = ChampionFactory(full_name="Sam Successor", organization=champion.organization)
    Handover.objects.create(
        from_champion=champion,
        to_champion=successor,
        effective_on=datetime.date(cycle.year, 6, 1),
        cycle=cycle,
    )
    text = "".join(page.extract_text() for page in pdf(_client(office), cycle, champion).pages)
    assert squeezed(f"handed over on 1 June {cycle.year} to Sam Successor") in squeezed(text)
