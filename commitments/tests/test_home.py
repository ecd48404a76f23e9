import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import AdminFactory, UserFactory
from champions.tests.factories import ChampionFactory, PledgeSignatureFactory, pledge
from commitments.models import Status
from commitments.tests.factories import CommitmentFactory, CycleFactory
from events.tests.factories import PanelFactory, ProgressEventFactory


def test_it_lists_the_current_cycles_commitments_in_number_order(client, cast):
    CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=3, title="Third")
    CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=2, title="Second")
    client.force_login(cast.champion_user)
    page = client.get("/").content.decode()
    assert page.index(cast.commitment.title) < page.index("Second") < page.index("Third")
    assert cast.other_commitment.title not in page
    assert f"/commitments/{cast.commitment.pk}/log/" in page
    assert "<title>My commitments" in page


def test_it_shows_progress_figure_status_due_date_and_last_progress(client, cast):
    ProgressEventFactory(commitment=cast.commitment, occurred_on=timezone.localdate(), scope="field")
    client.force_login(cast.focal_point)
    page = client.get("/").content.decode()
    assert "1 of 4 meetings, 1 in the field" in page
    assert 'aria-valuenow="25"' in page
    assert "Not started" in page
    assert f"Last progress: {timezone.localdate():%-d %b %Y}" in page


def test_it_says_how_many_days_a_commitment_is_overdue(client, cast):
    cast.commitment.due_on = timezone.localdate() - datetime.timedelta(days=3)
    cast.commitment.save()
    client.force_login(cast.focal_point)
    assert "overdue by 3 days" in client.get("/").content.decode()


def test_it_says_how_many_days_are_left(client, cast):
    cast.commitment.due_on = timezone.localdate() + datetime.timedelta(days=1)
    cast.commitment.save()
    client.force_login(cast.focal_point)
    assert "1 day left" in client.get("/").content.decode()


def test_a_completed_commitment_is_not_overdue(client, cast):
    cast.commitment.due_on = timezone.localdate() - datetime.timedelta(days=3)
    cast.commitment.status = Status.COMPLETED
    cast.commitment.save()
    client.force_login(cast.focal_point)
    assert "overdue" not in client.get("/").content.decode()


def test_it_groups_commitments_by_champion_for_a_focal_point_of_several(client, cast):
    second = ChampionFactory(full_name="Second Champion", focal_points=[cast.focal_point])
    CommitmentFactory(champion=second, cycle=cast.cycle, number=1, title="Second champion's first")
    client.force_login(cast.focal_point)
    page = client.get("/").content.decode()
    assert "Chidi Champion" in page and "Second Champion" in page
    # (after the To do panel, which may name both: each champion's section, by its heading)
    first, then = page.index(f'id="champion-{cast.champion.pk}"'), page.index(f'id="champion-{second.pk}"')
    assert first < page.index(cast.commitment.title) < then


def test_it_switches_to_a_past_cycle(client, cast):
    past = CycleFactory(year=cast.cycle.year - 1)
    CommitmentFactory(champion=cast.champion, cycle=past, number=1, title="Last year’s promise")
    client.force_login(cast.focal_point)
    assert "Last year’s promise" not in client.get("/").content.decode()
    page = client.get(f"/?cycle={past.year}").content.decode()
    assert "Last year’s promise" in page
    assert cast.commitment.title not in page
    assert client.get("/?cycle=not-a-year").status_code == 200
    assert client.get("/?cycle=1900").status_code == 200


def test_it_explains_what_to_do_when_no_champion_is_linked(client, cast):
    client.force_login(UserFactory())
    page = client.get("/").content.decode()
    assert "No champion linked to your account yet" in page


def test_it_sends_an_admin_without_a_champion_to_admin(client, db):
    client.force_login(AdminFactory())
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def _home_queries(client, user):
    client.get(
        "/"
    )  # A session's first request saves it (its activity: accounts.middleware); the count is of the next.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_it_costs_the_same_queries_with_3_and_30_events(client, cast):
    client.force_login(cast.focal_point)
    ProgressEventFactory.create_batch(3, commitment=cast.commitment)
    few = _home_queries(client, cast.focal_point)
    for number in (2, 3, 4, 5):
        commitment = CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=number)
        ProgressEventFactory.create_batch(7, commitment=commitment)
    ProgressEventFactory.create_batch(8, commitment=cast.commitment)
    many = _home_queries(client, cast.focal_point)
    # session, user, champions, their cycles, the current cycle, commitments, their categories, the
    # pledges signed and the cycle's panels, cycles still to set, the To do panel's commitments to
    # submit and reports to sign off, the office-group check for the menu; a savepoint pair
    assert few == many == 15


def _pledges_line(page, champion):
    section = page[page.index(f'id="champion-{champion.pk}"') :]
    if 'data-testid="pledges"' not in section.split("</section>")[0]:
        return None
    start = section.index('data-testid="pledges"')
    return " ".join(section[start : section.index("</p>", start)].split())


def test_it_says_which_pledges_each_champion_signed_with_this_cycles_panels(client, cast):
    second = ChampionFactory(full_name="Second Champion", focal_points=[cast.focal_point])
    CommitmentFactory(champion=second, cycle=cast.cycle, number=1)
    PledgeSignatureFactory(champion=cast.champion, signed_on=datetime.date(2017, 12, 11))
    PledgeSignatureFactory(
        champion=second, pledge=pledge("gender-based-violence"), signed_on=datetime.date(2022, 11, 25)
    )
    # On a count of meetings: every panel counts toward the pledge, one of them of women only.
    PanelFactory(commitment=cast.commitment, women_count=2, men_count=1)
    PanelFactory(commitment=cast.commitment, women_count=3, men_count=0)
    client.force_login(cast.focal_point)
    page = client.get("/").content.decode()
    year = cast.cycle.year
    assert _pledges_line(page, cast.champion) == (
        'data-testid="pledges"> <strong>Panel Parity Pledge</strong>, signed on 11 December 2017: '
        f"2 panels in {year} on any commitment, 2 with at least half women speakers, 1 single-sex. "
        # Self-reported, all of them: no organiser answered.
        '<span data-testid="pledge-parity-split">Women\'s share: 83%, self-reported (no panel confirmed '
        "by its organiser yet).</span>"
    )
    assert _pledges_line(page, second) == (
        'data-testid="pledges"> <strong>Pledge on gender-based violence</strong>, signed on 25 November 2022.'
    )


def test_it_says_nothing_of_pledges_not_signed(client, cast):
    client.force_login(cast.champion_user)
    page = client.get("/").content.decode()
    assert _pledges_line(page, cast.champion) is None


def test_the_pledges_line_costs_the_same_queries_with_one_and_several_champions(client, cast):
    PledgeSignatureFactory(champion=cast.champion)
    client.force_login(cast.focal_point)
    one = _home_queries(client, cast.focal_point)
    for _ in range(3):
        champion = ChampionFactory(focal_points=[cast.focal_point])
        PledgeSignatureFactory(champion=champion)
        PanelFactory(commitment=CommitmentFactory(champion=champion, cycle=cast.cycle, number=1))
    assert _home_queries(client, cast.focal_point) == one
