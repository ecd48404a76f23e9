"""Each page read in French holds no English: no word of the interface's English catalogue that its
French catalogue does not use too.

Why a list of known words rather than a dictionary: the English catalogue is exactly what the pages
could leak (a string left out of gettext, a label built in Python, a plural without ngettext). A word
the French translations use as well ("date", "total", "minimum") is French too and is not counted.
The data of the pages is French, so a word found is the interface's.
"""

import datetime
import gettext
import html.parser
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import OfficeMemberFactory, UserFactory
from champions.tests.factories import ChampionFactory, HubFactory, OrganizationFactory
from commitments.models import Approval
from commitments.tests.factories import CommitmentFactory, CycleFactory
from events.models import CheckIn
from events.tests.factories import PanelFactory, ProgressEventFactory

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
WORD = re.compile(r"[A-Za-z][a-z]{3,}")
# Placeholders and markup inside messages are not words of the interface.
NOT_WORDS = re.compile(r"%\(\w+\)[sd]|\{\{[^}]*\}\}|\{\w+\}|<[^>]+>|&\w+;")
# Addresses in pages (emails, links) are not words either.
ADDRESSES = re.compile(r"\S+@\S+|https?://\S+")


def english_words():
    """Words of the English messages that no French message uses."""
    with CATALOGUE.open("rb") as file:
        catalogue = gettext.GNUTranslations(file)._catalog
    english, french = set(), set()
    for msgid, msgstr in catalogue.items():
        msgid = msgid[0] if isinstance(msgid, tuple) else msgid
        if not msgid:
            continue  # the header
        english.update(word.lower() for word in WORD.findall(NOT_WORDS.sub(" ", msgid.split("\x04")[-1])))
        french.update(word.lower() for word in WORD.findall(NOT_WORDS.sub(" ", msgstr)))
    return english - french


class VisibleText(html.parser.HTMLParser):
    """The text a reader sees or hears: text outside scripts and styles, and the attributes read out."""

    READ_OUT = {"title", "aria-label", "placeholder", "alt"}
    # Not French: scripts, styles, code (the import file's column names, English in both languages
    # by contract), and what the page marks as English (lang="en": the categories' English labels,
    # which the import accepts too).
    NOT_READ = {"script", "style", "code"}

    def __init__(self):
        super().__init__()
        self.parts, self.hidden, self.hiding = [], 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.NOT_READ or attrs.get("lang") == "en":
            self.hidden += 1
            self.hiding.append(tag)
        self.parts.extend(value for name, value in attrs.items() if name in self.READ_OUT and value)
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if self.hiding and tag == self.hiding[-1]:
            self.hiding.pop()
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


# Names, not words: the language switcher gives each language in its own name, and the network's
# name is the same in both languages.
NAMES = {"English", "Gender", "Champions"}


def english_in(page_html, words):
    parser = VisibleText()
    parser.feed(page_html)
    text = ADDRESSES.sub(" ", " ".join(parser.parts))
    return sorted({word for word in WORD.findall(text) if word.lower() in words and word not in NAMES})


@pytest.fixture
def french_network(db):
    """A champion of a French-speaking network with a year of progress, in French throughout."""
    today = timezone.localdate()
    cycle = CycleFactory(year=today.year)
    hub = HubFactory(name="Genève")
    organization = OrganizationFactory(name="Organisation mondiale de la météorologie", acronym="OMM")
    user = UserFactory(email="amina@exemple.org", full_name="Amina Diallo", language="fr")
    champion = ChampionFactory(
        user=user, full_name="Amina Diallo", title="Directrice générale", organization=organization, hub=hub
    )
    count = CommitmentFactory(
        champion=champion,
        cycle=cycle,
        number=1,
        text="Tenir six réunions avec le personnel féminin :\na) au siège ;\nb) sur le terrain.",
        description="Entendre directement les difficultés de leur milieu de travail.",
        target_kind="count",
        target_value=6,
        counts_kind="meeting",
    )
    panels = CommitmentFactory(
        champion=champion,
        cycle=cycle,
        number=2,
        text="Parité des panels où je prends la parole",
        description="Mesuré chaque trimestre.",
        target_kind="percentage",
        target_value=50,
        counts_kind="",
    )
    indicator = CommitmentFactory(
        champion=champion,
        cycle=cycle,
        number=3,
        text="Femmes parmi les cadres supérieurs",
        description="Mesuré chaque trimestre.",
        target_kind="indicator",
        baseline=28,
        target_value=40,
        unit="%",
        counts_kind="",
    )
    draft = CommitmentFactory(
        champion=champion,
        cycle=cycle,
        number=4,
        text="Préparer les cadres",
        description="Deux sessions par an.",
        approval=Approval.DRAFT,
    )
    event = ProgressEventFactory(
        commitment=count,
        title="Réunion publique au siège",
        notes="Compte rendu joint.",
        occurred_on=cycle.starts_on,
        logged_by=user,
    )
    event.evidence_file.save("ordre-du-jour.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    PanelFactory(commitment=panels, title="Débat régional", women_count=2, men_count=2, logged_by=user)
    CheckIn.objects.create(commitment=indicator, measured_on=cycle.starts_on, value=31, logged_by=user)
    office = OfficeMemberFactory(email="bureau@exemple.org", full_name="Claire Martin", language="fr")
    return {
        "cycle": cycle,
        "champion": champion,
        "user": user,
        "office": office,
        "count": count,
        "indicator": indicator,
        "draft": draft,
        "event": event,
    }


def champion_pages(n):
    year = n["cycle"].year
    return [
        reverse("home"),
        reverse("preferences"),
        reverse("commitment_detail", args=[n["count"].pk]),
        reverse("commitment_detail", args=[n["indicator"].pk]),
        reverse("log_progress", args=[n["count"].pk]),
        reverse("edit_event", args=[n["event"].pk]),
        reverse("record_check_in", args=[n["indicator"].pk]),
        reverse("set_commitments", args=[year]),
        reverse("edit_commitment", args=[year, n["draft"].pk]),
        reverse("champion_report", args=[year, n["champion"].pk]),
        reverse("assess_commitment", args=[n["count"].pk]),
    ]


def office_pages(n):
    year = n["cycle"].year
    return [
        reverse("dashboard"),
        reverse("dashboard_champion", args=[n["champion"].pk]),
        reverse("dashboard_commitment", args=[n["count"].pk]),
        reverse("dashboard_differences"),
        reverse("dashboard_review"),
        reverse("dashboard_people"),
        reverse("import_commitments"),
        reverse("network_report", args=[year]),
        reverse("champion_report", args=[year, n["champion"].pk]),
    ]


def _read(client, path):
    response = client.get(path, follow=True)
    assert response.status_code == 200, path
    assert response["Content-Language"] == "fr", path
    return response.content.decode()


def test_the_catalogue_knows_english_words_the_french_does_not_use():
    words = english_words()
    assert {"commitments", "overdue", "submitted"} <= words
    assert "date" not in words  # French too


def test_it_finds_an_english_word_in_a_page():
    words = english_words()
    assert english_in("<p>Avancement</p><p title='Overdue'>Submitted: 3</p>", words) == [
        "Overdue",
        "Submitted",
    ]
    assert english_in("<script>var overdue = 1;</script><p>overdue@exemple.org</p>", words) == []


@pytest.mark.parametrize("role", ["champion", "office"])
def test_each_page_in_french_holds_no_english(client, french_network, role):
    n = french_network
    client.force_login(n["user"] if role == "champion" else n["office"])
    words = english_words()
    pages = champion_pages(n) if role == "champion" else office_pages(n)
    found = {path: english_in(_read(client, path), words) for path in pages}
    found = {path: english for path, english in found.items() if english}
    assert not found, "\n".join(f"{path}: {', '.join(english)}" for path, english in found.items())


def test_the_sign_in_pages_in_french_hold_no_english(client, db):
    words = english_words()
    for path in (reverse("login"), reverse("password_reset")):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")
        assert english_in(response.content.decode(), words) == [], path


def test_french_dates_percentages_and_counts_read_as_french(client, french_network):
    n = french_network
    n["count"].due_on = datetime.date(n["cycle"].year, 6, 30)
    n["count"].save()
    client.force_login(n["user"])
    page = _read(client, reverse("commitment_detail", args=[n["count"].pk]))
    assert f"30 juin {n['cycle'].year}" in page or f"30/06/{n['cycle'].year}" in page
    assert "Jui" not in page
    assert "1 sur 6 réunions" in page
    assert "16\u202f%" in page and "16%" not in page
