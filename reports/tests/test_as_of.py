"""Reports as of a day (reports/as_of.py): a network built on a day D, then changed after it in every
way the report reads (events edited, deleted and added, statuses, ratings, reports submitted and
reopened, a commitment approved, a panel answered by its organiser); the report as of D is
unchanged, figure by figure, and the report rebuilt from the history as of today is today's."""

import csv
import datetime
import io
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from accounts.tests.factories import OfficeMemberFactory
from champions.tests.factories import ChampionFactory, HubFactory
from commitments.models import Status, TargetKind
from commitments.tests.factories import CommitmentFactory, CycleFactory
from events.models import PanelConfirmation, ProgressEvent
from events.tests.factories import PanelFactory, ProgressEventFactory
from reports.annual import for_annual_report, network_figures
from reports.models import AnnualReport, Highlight, Level, Report
from reports.tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

# The day the report is taken as of: ten days ago; everything before it is built at noon that day.
THEN = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - datetime.timedelta(days=10)
D = timezone.localdate(THEN)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _on_day_d():
    """The clock at noon on D: history rows, creation dates and submissions are dated then."""
    return mock.patch("django.utils.timezone.now", return_value=THEN)


def _champion(cycle, name, hub, commitments):
    """A champion with approved commitments (number: (kwargs, level or None)), each assessed."""
    champion = ChampionFactory(full_name=name, hub=hub, user__full_name=name)
    made = {}
    for number, (kwargs, level) in commitments.items():
        commitment = CommitmentFactory(champion=champion, cycle=cycle, number=number, **kwargs)
        if level:
            AssessmentFactory(
                commitment=commitment,
                level=level,
                narrative=f"{name} #{number}: what was done.",
                assessed_by=champion.user,
            )
        made[number] = commitment
    return champion, made


@pytest.fixture
def network():
    """On D: Ada (Geneva) with a count of meetings and a percentage of women panellists, both
    assessed, her report submitted and rated, her organiser of a panel asked and not answering yet;
    Ben (Nairobi) with a panel its organiser answered (corrected), assessed, not submitted; Cy
    (Geneva) with a milestone in progress."""
    today = timezone.localdate()
    with _on_day_d():
        cycle = CycleFactory(
            year=today.year,
            starts_on=D - datetime.timedelta(days=200),
            ends_on=today + datetime.timedelta(days=100),
            report_due_on=today + datetime.timedelta(days=120),
        )
        office = OfficeMemberFactory(email="office@example.org")
        geneva, nairobi = HubFactory(name="Geneva"), HubFactory(name="Nairobi")
        count = {"target_kind": TargetKind.COUNT, "target_value": 4, "categories": ["culture"]}
        share = {
            "target_kind": TargetKind.PERCENTAGE,
            "target_value": 50,
            "counts_kind": "",
            "unit": "",
            "categories": ["leadership"],
        }
        milestone = {"target_kind": TargetKind.MILESTONE, "target_value": None, "counts_kind": ""}
        ada, ada_commitments = _champion(
            cycle, "Ada Achebe", geneva, {1: (count, Level.SUBSTANTIAL), 2: (share, Level.LIMITED)}
        )
        meetings = [
            ProgressEventFactory(commitment=ada_commitments[1], occurred_on=D - datetime.timedelta(days=n))
            for n in (40, 30, 20)
        ]
        panel = PanelFactory(
            commitment=ada_commitments[2],
            occurred_on=D - datetime.timedelta(days=35),
            women_count=3,
            men_count=1,
        )
        single_sex = PanelFactory(
            commitment=ada_commitments[2],
            occurred_on=D - datetime.timedelta(days=5),
            women_count=0,
            men_count=4,
        )
        asked, _token = PanelConfirmation.ask(single_sex, "organiser@example.org")
        ben, ben_commitments = _champion(cycle, "Ben Bamba", nairobi, {1: (share, Level.LIMITED)})
        ben_panel = PanelFactory(
            commitment=ben_commitments[1],
            occurred_on=D - datetime.timedelta(days=3),
            women_count=2,
            men_count=2,
        )
        answer, _token = PanelConfirmation.ask(ben_panel, "organiser@example.org")
        assert answer.answer(1, 3)  # on D: corrected, 1 woman and 3 men
        cy, cy_commitments = _champion(cycle, "Cy Carter", geneva, {1: (milestone, None)})
        cy_commitments[1].change_status(Status.IN_PROGRESS, office)
        Report.of(ada, cycle).submit(ada.user, now=THEN)
        ada_commitments[1].assessment.rate(office, Level.SUBSTANTIAL)
        # The office picks Ada's first narrative for the report, then Ben's (his report not in yet).
        annual_report = AnnualReport.objects.create(cycle=cycle)
        Highlight.objects.create(
            annual_report=annual_report, assessment=ada_commitments[1].assessment, order=1
        )
        Highlight.objects.create(
            annual_report=annual_report, assessment=ben_commitments[1].assessment, order=2
        )
    return {
        "cycle": cycle,
        "office": office,
        "ada": ada,
        "ben": ben,
        "cy": cy,
        "ada_commitments": ada_commitments,
        "ben_commitments": ben_commitments,
        "cy_commitments": cy_commitments,
        "meetings": meetings,
        "panel": panel,
        "asked": asked,
        "geneva": geneva,
    }


def _change_everything_after_d(network):
    """Today, after D: every change the report reads."""
    office, cycle = network["office"], network["cycle"]
    network["panel"].women_count = 5  # edited: 5 women and 1 man
    network["panel"].save()
    network["meetings"][0].delete()
    ProgressEvent.objects.get(pk=network["meetings"][1].pk).delete()
    PanelFactory(commitment=network["ben_commitments"][1], occurred_on=D - datetime.timedelta(days=1))
    ProgressEventFactory(commitment=network["ada_commitments"][1], occurred_on=timezone.localdate())
    assert network["asked"].answer(1, 4)  # answered after D: corrected, 1 woman and 4 men
    network["cy_commitments"][1].change_status(Status.COMPLETED, office)
    network["ada_commitments"][2].assessment.rate(office, Level.COMPLETE)
    network["ada_commitments"][1].assessment.rate(office, Level.NOT_STARTED)  # now differs
    Report.of(network["ben"], cycle).submit(network["ben"].user)
    Report.of(network["ada"], cycle).reopen(office, "Please add the panel of last week.")
    assessment = network["ada_commitments"][1].assessment
    assessment.narrative = "Rewritten after the report was reopened."
    assessment.save()
    draft = CommitmentFactory(champion=network["cy"], cycle=cycle, number=2, approval="submitted")
    draft.approve(office)


def _figures(client, year, query=""):
    response = client.get(f"/reports/{year}/{query}")
    assert response.status_code == 200, response.content[:500]
    context = response.context
    return {
        "total": context["total"],
        "by_hub": context["by_hub"],
        "by_category": context["by_category"],
        "months": context["months"],
        "highlights": [
            (highlight.assessment.commitment_id, highlight.assessment.narrative)
            for highlight in context["highlights"]
        ],
        "champions": [
            (champion.pk, [(commitment.pk, commitment.outcome) for commitment in champion.outcomes])
            for champion in context["champions"]
        ],
        "pledges": [(pledge.pk, pledge.signer_count, pledge.panels) for pledge in context["pledges"]],
    }


def _hub_figures(client, year, hub, query=""):
    response = client.get(f"/reports/{year}/hubs/{hub.pk}/{query}")
    assert response.status_code == 200
    context = response.context
    return {
        "total": context["total"],
        "status_mix": context["status_mix"],
        "overdue": [(commitment.pk, commitment.status) for commitment in context["overdue"]],
        "highlights": [highlight.assessment.narrative for highlight in context["highlights"]],
    }


def _csv(client, year, query=""):
    response = client.get(f"/reports/{year}.csv{query}")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def _champion_figures(client, year, champion, query=""):
    response = client.get(f"/reports/{year}/champions/{champion.pk}/{query}")
    assert response.status_code == 200
    context = response.context
    return {
        "submitted": (context["report"].is_submitted, context["report"].late),
        "commitments": [
            (
                commitment.pk,
                commitment.status,
                commitment.progress_percent,
                str(commitment.progress_figure),
                [(event.occurred_on, event.title) for event in commitment.key_events],
                commitment.report_assessment and commitment.report_assessment.level,
                commitment.report_assessment and commitment.report_assessment.office_level,
                (commitment.confirmed_panels, commitment.confirmed_share, commitment.self_reported_share),
            )
            for commitment in context["commitments"]
        ],
    }


def test_the_report_as_of_a_day_is_unchanged_by_what_happened_since(network):
    client, year = _client(network["office"]), network["cycle"].year
    as_of = f"?as_of={D.isoformat()}"
    live_then = _figures(client, year)
    csv_then = _csv(client, year)
    one_hub = f"?hub={network['geneva'].pk}&category=culture"
    one_hub_then = _figures(client, year, one_hub)
    champions_then = {name: _champion_figures(client, year, network[name]) for name in ("ada", "ben", "cy")}
    hub_then = _hub_figures(client, year, network["geneva"])
    assert hub_then["highlights"] == [network["ada_commitments"][1].assessment.narrative]
    assert live_then["highlights"] == [
        (network["ada_commitments"][1].pk, network["ada_commitments"][1].assessment.narrative)
    ]  # Ben's report is not submitted: his pick waits for it
    # Nothing changed since D: the report as of D is today's, figure by figure.
    assert _figures(client, year, as_of) == live_then
    assert _csv(client, year, as_of) == csv_then
    total = live_then["total"]
    assert (total["commitments"], total["assessed"], total["rated"], total["on_time"]) == (4, 2, 1, 1)
    assert (total["panels_logged"], total["panel_women"], total["panel_men"]) == (3, 5, 7)
    # Ben's panel answered by its organiser on D (1 woman, 3 men); Ada's two self-reported (3, 5).
    split = [
        "confirmed_panels",
        "confirmed_women",
        "confirmed_men",
        "self_reported_women",
        "self_reported_men",
    ]
    assert [total[name] for name in split] == [1, 1, 3, 3, 5]
    assert (total["confirmed_share"], total["self_reported_share"], total["self_reported_panels"]) == (
        25,
        37,
        2,
    )
    assert csv_then[-1][-3:] == ["1", "25", "37"]  # the table's row of all
    assert champions_then["ben"]["commitments"][0][-1] == (1, 25, None)
    assert champions_then["ada"]["commitments"][1][-1] == (0, None, 37)

    _change_everything_after_d(network)

    live_now = _figures(client, year)
    assert live_now != live_then  # the changes show today...
    assert (live_now["total"]["panel_women"], live_now["total"]["on_time"]) == (9, 1)
    # Ada's single-sex panel answered since (1 woman, 4 men): confirmed today, not as of D.
    assert [live_now["total"][name] for name in split] == [2, 2, 7, 7, 3]
    assert _champion_figures(client, year, network["ada"])["commitments"][1][-1] == (1, 20, 83)
    # ...and the report as of D is as it was, figure by figure, in the page and the CSV.
    assert _figures(client, year, as_of) == live_then
    assert _csv(client, year, as_of) == csv_then
    assert _figures(client, year, f"{one_hub}&as_of={D.isoformat()}") == one_hub_then  # with filters
    for name, figures in champions_then.items():
        assert _champion_figures(client, year, network[name], as_of) == figures, name
    # The hub's meeting pack: its figures, status mix, overdue list and highlights as they were.
    assert _hub_figures(client, year, network["geneva"]) != hub_then
    assert _hub_figures(client, year, network["geneva"], as_of) == hub_then


def test_the_report_rebuilt_from_history_as_of_today_is_todays(network):
    _change_everything_after_d(network)
    cycle = network["cycle"]
    commitments = for_annual_report(cycle)
    today = network_figures(commitments, cycle)
    rebuilt = network_figures(commitments, cycle, as_of=timezone.localdate())
    for name in ("total", "by_hub", "by_category", "months"):
        assert rebuilt[name] == today[name], name
    assert [h.pk for h in rebuilt["highlights"]] == [h.pk for h in today["highlights"]]


def test_links_keep_the_day_and_the_page_says_it(network):
    client, year = _client(network["office"]), network["cycle"].year
    response = client.get(f"/reports/{year}/?hub={network['geneva'].pk}&as_of={D.isoformat()}")
    page = response.content.decode()
    assert response.context["as_of"] == D
    assert 'data-testid="as-of"' in page
    query = f"hub={network['geneva'].pk}&amp;as_of={D.isoformat()}"
    for suffix in (".pdf", ".csv", ".xlsx"):
        assert f"/reports/{year}{suffix}?{query}" in page
    assert f"/reports/{year}/?hub={network['geneva'].pk}" in page  # back to today's
    workbook = client.get(f"/reports/{year}.xlsx?as_of={D.isoformat()}")
    assert workbook.status_code == 200
    assert f"as-of-{D.isoformat()}.xlsx" in workbook["Content-Disposition"]
    champion_page = client.get(f"/reports/{year}/champions/{network['ada'].pk}/?as_of={D.isoformat()}")
    assert f"champions/{network['ada'].pk}.pdf?as_of={D.isoformat()}" in champion_page.content.decode()
    assert 'action="/reports/' not in champion_page.content.decode()  # nothing to change in the past


def _pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_pdfs_say_as_of_which_day(network):
    client, year = _client(network["office"]), network["cycle"].year
    _change_everything_after_d(network)
    response = client.get(f"/reports/{year}.pdf?as_of={D.isoformat()}")
    assert D.isoformat() in response["Content-Disposition"]
    day = f"{D.day} {D.strftime('%B')} {D.year}"
    assert f"As of {day}" in _pdf_text(response)
    text = _pdf_text(client.get(f"/reports/{year}/champions/{network['ada'].pk}.pdf?as_of={D.isoformat()}"))
    assert f"As of {day}" in text
    assert "Submitted on" in text  # reopened since, submitted then


@pytest.mark.parametrize(
    "value, says",
    [
        ("2026-13-01", "Enter a valid date"),
        ("yesterday", "Enter a valid date"),
        ("1999-01-01", "cycle starts on"),
        ("future", "day to come"),
    ],
)
@pytest.mark.parametrize(
    "path", ["/reports/{year}/", "/reports/{year}.csv", "/reports/{year}/champions/{ada}/"]
)
def test_a_day_not_understood_is_a_400_that_says_why(network, value, says, path):
    if value == "future":
        value = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    path = path.format(year=network["cycle"].year, ada=network["ada"].pk)
    response = _client(network["office"]).get(f"{path}?as_of={value}")
    assert response.status_code == 400
    assert says in response.content.decode()


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


def _grow(network, champions):
    """More of the network on D, and changes to it since."""
    with _on_day_d():
        for index in range(champions):
            champion, commitments = _champion(
                network["cycle"],
                f"Grown {index}",
                network["geneva"],
                {
                    1: ({"categories": ["culture"]}, Level.COMPLETE),
                    2: ({"categories": ["leadership"]}, Level.LIMITED),
                },
            )
            PanelFactory(commitment=commitments[1], occurred_on=D - datetime.timedelta(days=index + 1))
            ProgressEventFactory(commitment=commitments[2], occurred_on=D - datetime.timedelta(days=2))
            Report.of(champion, network["cycle"]).submit(champion.user, now=THEN)
    for event in ProgressEvent.objects.filter(commitment__champion__full_name__startswith="Grown")[
        :champions
    ]:
        event.women_count += 1
        event.save()


@pytest.mark.parametrize(
    "path",
    [
        "/reports/{year}/?as_of={day}",
        "/reports/{year}/?as_of={day}&hub={hub}&category=culture",
        "/reports/{year}.csv?as_of={day}",
        "/reports/{year}/champions/{champion}/?as_of={day}",
    ],
)
def test_the_queries_of_a_report_as_of_a_day_do_not_grow_with_the_network(network, path):
    client = _client(network["office"])
    path = path.format(
        year=network["cycle"].year, day=D.isoformat(), hub=network["geneva"].pk, champion=network["ada"].pk
    )
    _queries(client, path)  # the first request of a session saves it
    small = _queries(client, path)
    _grow(network, 8)
    assert _queries(client, path) == small
