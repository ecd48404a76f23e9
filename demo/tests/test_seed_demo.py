import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from accounts.models import OFFICE_GROUP, User
from champions.models import HUB_NAMES, Champion, Hub, Organization, PledgeSignature
from champions.tests.factories import ChampionFactory
from commitments import data_version
from commitments.models import ROLLUP_FIELDS, Commitment, Cycle, EventKind, Status, TargetKind
from commitments.tests.factories import CommitmentFactory
from demo import network
from demo.history import write_first_history
from demo.scale import ScaledChampion, ScaleLoader
from events.models import CheckIn, ProgressEvent
from reports.annual import for_annual_report, network_figures
from reports.models import Report

pytestmark = pytest.mark.django_db

# Worded as in the announcement of 11 December 2017 (shared/seed/gender-champion-announcement.txt).
LACROIX_COMMITMENTS = [
    "Hold a series of meetings with women staff at HQ and in the field, to hear, first hand, about the "
    "challenges in their work environment",
    "Promote gender balance on panels",
    "Introduce unconscious gender bias training for senior staff",
    "Co-chair DPKO/DFS Gender Task Force meetings",
    "Hold at least one high-level event on Women, Peace and Security-related matters per year",
]
LOGINS = [
    "jean-pierre.lacroix@demo.genderchampions.org",
    "focal.point@demo.genderchampions.org",
    "office@demo.genderchampions.org",
    "admin@demo.genderchampions.org",
]


def seed_demo(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    models = [
        User,
        Group,
        Hub,
        Organization,
        Champion,
        Champion.focal_points.through,
        Cycle,
        Commitment,
        ProgressEvent,
        CheckIn,
        PledgeSignature,
    ]
    return {model.__name__: model.objects.count() for model in models}


def rollups():
    return list(Commitment.objects.order_by("pk").values_list("pk", *ROLLUP_FIELDS))


def this_cycle():
    return Cycle.objects.get(year=timezone.localdate().year)


def lacroix():
    return Champion.objects.get(full_name="Jean-Pierre Lacroix")


def scaled_champions(count):
    """The scale loader's champions 1 to `count`, known by their sign-in emails."""
    emails = [f"champion{i:04d}@demo.genderchampions.org" for i in range(1, count + 1)]
    return Champion.objects.filter(user__email__in=emails)


def test_the_demo_data_holds_his_five_commitments_worded_as_announced():
    assert [target.text for target in network.LACROIX_TARGETS] == LACROIX_COMMITMENTS
    assert network.LACROIX.full_name == "Jean-Pierre Lacroix"
    assert network.LACROIX.title == "Under-Secretary-General for Peacekeeping Operations"
    assert network.LACROIX.joined_on == datetime.date(2017, 12, 11)
    acronyms = {acronym for acronym, *_ in network.ORGANIZATIONS}
    for champion in [network.LACROIX, *network.NETWORK]:
        assert champion.organization in acronyms
        assert champion.focal_point in network.FOCAL_POINTS


def test_it_creates_the_seed_champion_as_announced():
    seed_demo()
    champion = lacroix()
    assert champion.title == "Under-Secretary-General for Peacekeeping Operations"
    assert champion.organization.name == "Department of Peacekeeping Operations"
    assert champion.organization.acronym == "DPKO"
    assert champion.organization.parent.name == "United Nations Secretariat"
    assert champion.hub.name == "New York"
    assert champion.joined_on == datetime.date(2017, 12, 11)
    assert champion.user.email == "jean-pierre.lacroix@demo.genderchampions.org"
    assert champion.focal_points.filter(email="focal.point@demo.genderchampions.org").exists()


def test_he_signed_the_panel_parity_pledge_when_he_joined():
    seed_demo()
    signatures = [(s.pledge.slug, s.signed_on) for s in lacroix().pledge_signatures.all()]
    assert signatures == [("panel-parity", datetime.date(2017, 12, 11))]


def test_some_of_the_network_signed_one_pledge_or_both():
    seed_demo()
    signed = {}
    for signature in PledgeSignature.objects.exclude(champion=lacroix()).select_related("pledge", "champion"):
        signed.setdefault(signature.champion.full_name, set()).add(signature.pledge.slug)
        # The pledge on gender-based violence exists since 2022; the other is signed on joining.
        if signature.pledge.slug == "gender-based-violence":
            assert signature.signed_on >= datetime.date(2022, 11, 25)
        else:
            assert signature.signed_on == signature.champion.joined_on
    pledged = {frozenset(slugs) for slugs in signed.values()}
    assert pledged == {
        frozenset({"panel-parity"}),
        frozenset({"gender-based-violence"}),
        frozenset({"panel-parity", "gender-based-violence"}),
    }
    assert len(signed) < len(network.NETWORK)  # and some signed neither


def test_it_creates_his_five_commitments_worded_as_announced():
    seed_demo()
    commitments = lacroix().commitments.filter(cycle=this_cycle()).order_by("number")
    assert [(c.number, c.title) for c in commitments] == list(enumerate(LACROIX_COMMITMENTS, start=1))
    targets = [
        (c.target_kind, c.target_value, c.counts_kind, *[category.slug for category in c.categories.all()])
        for c in commitments
    ]
    assert targets == [
        (TargetKind.COUNT, 6, EventKind.MEETING, "culture"),
        (TargetKind.PERCENTAGE, 50, EventKind.PANEL, "panel-parity"),
        (TargetKind.COUNT, 1, EventKind.TRAINING, "leadership"),
        (TargetKind.COUNT, 4, EventKind.TASK_FORCE, "governance"),
        (TargetKind.COUNT, 1, EventKind.HIGH_LEVEL_EVENT, "programmatic"),
    ]
    assert commitments[4].unit == "high-level events"


def test_it_creates_the_same_five_in_the_previous_cycle_some_completed():
    seed_demo()
    past = lacroix().commitments.filter(cycle__year=timezone.localdate().year - 1).order_by("number")
    assert [c.title for c in past] == LACROIX_COMMITMENTS
    assert past.filter(status=Status.COMPLETED).exists()


def test_it_logs_his_progress_within_the_cycle_and_never_in_the_future():
    seed_demo()
    cycle, today = this_cycle(), timezone.localdate()
    meetings, panels, training, task_force, event = (
        lacroix().commitments.filter(cycle=cycle).order_by("number")
    )
    assert (meetings.counted_events, meetings.counted_in_field) == (3, 1)
    assert (panels.panels_logged, panels.panel_women, panels.panel_men) == (2, 3, 5)
    assert task_force.counted_events == 1
    assert training.counted_events == event.counted_events == 0
    days = ProgressEvent.objects.filter(commitment__cycle=cycle).values_list("occurred_on", flat=True)
    assert days and all(cycle.starts_on <= day <= today for day in days)


@pytest.mark.parametrize("options", [[], ["--champions", "25"]])
def test_it_changes_nothing_when_run_twice(options):
    seed_demo(*options)
    before = counts(), rollups()
    out = seed_demo(*options)
    assert (counts(), rollups()) == before
    assert "nothing added" in out
    assert "Demo users that already existed kept their passwords." in out


def test_it_gives_the_demo_logins_their_roles_and_prints_them():
    out = seed_demo()
    office = User.objects.get(email="office@demo.genderchampions.org")
    assert office.groups.filter(name=OFFICE_GROUP).exists()
    assert not office.is_staff
    admin = User.objects.get(email="admin@demo.genderchampions.org")
    assert admin.is_superuser and admin.is_staff
    assert "demo-password-2026" in out
    assert "http://127.0.0.1:8000/" in out
    # A first seed created every login: none "already existed" (the office is looked up twice).
    assert "already existed" not in out
    for email in LOGINS:
        assert User.objects.get(email=email).check_password("demo-password-2026")
        assert sum(email in line for line in out.splitlines()) == 1


def test_it_keeps_every_rollup_equal_to_a_recount():
    seed_demo("--champions", "25")
    seeded = rollups()
    Commitment.objects.all().recount_rollups()
    assert rollups() == seeded
    assert Commitment.objects.filter(counted_events__gt=0).exists()
    assert Commitment.objects.filter(panels_logged__gt=0).exists()


def test_it_seeds_a_network_across_the_six_hubs():
    seed_demo()
    cycle, today = this_cycle(), timezone.localdate()
    assert set(Hub.objects.values_list("name", flat=True)) == set(HUB_NAMES)
    assert Organization.objects.count() >= 12
    champions = Champion.objects.annotate(focal_point_count=Count("focal_points"))
    assert champions.count() == 19
    assert set(champions.values_list("hub__name", flat=True)) == set(HUB_NAMES)
    assert all(c.user_id and c.focal_point_count == 1 for c in champions)
    assert not Commitment.objects.filter(cycle=cycle).values("champion").annotate(n=Count("id")).exclude(n=5)
    assert User.objects.annotate(served=Count("served_champions")).filter(served=2).exists()
    assert Commitment.objects.filter(cycle=cycle).overdue(today).exists()
    due_soon = Commitment.objects.filter(cycle=cycle).open()
    assert due_soon.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=30)).exists()
    assert (
        Champion.objects.filter(commitments__cycle=cycle).exclude(commitments__events__isnull=False).exists()
    )
    assert len(set(Commitment.objects.filter(cycle=cycle).values_list("status", flat=True))) >= 4
    assert len(set(Commitment.objects.filter(cycle=cycle).values_list("target_kind", flat=True))) == 4


def test_its_indicator_commitments_have_a_baseline_a_target_and_two_values_reported():
    seed_demo()
    reported = Commitment.objects.filter(cycle=this_cycle(), target_kind=TargetKind.INDICATOR).exclude(
        latest_value=None
    )
    assert reported.exists()
    for commitment in reported:
        assert (commitment.baseline, commitment.target_value) == (28, 40)
        assert "\nb) " in commitment.text  # published in parts
        assert commitment.check_ins.count() == 2
        assert commitment.latest_value == commitment.check_ins.first().value
        assert 0 < commitment.progress_percent < 100


def test_it_scales_up_in_bulk_and_stays_idempotent():
    seed_demo("--champions", "40", "--events-per-commitment", "3")
    assert Champion.objects.count() == 40
    assert scaled_champions(21).count() == 21
    scaled = Commitment.objects.filter(champion__in=scaled_champions(21), cycle=this_cycle())
    assert scaled.count() == 21 * 5
    assert set(scaled.annotate(n=Count("events")).values_list("n", flat=True)) == {3}
    assert (
        User.objects.get(email="champion0021@demo.genderchampions.org").champion.full_name == "Champion 0021"
    )
    seeded = rollups()
    Commitment.objects.all().recount_rollups()
    assert rollups() == seeded

    before = counts()
    out = seed_demo("--champions", "40", "--events-per-commitment", "3")
    assert counts() == before
    assert rollups() == seeded
    assert "nothing added" in out


def test_it_adds_only_the_scaled_champions_missing_when_asked_for_more():
    seed_demo("--champions", "25", "--events-per-commitment", "2")
    first = set(scaled_champions(6).values_list("pk", flat=True))
    out = seed_demo("--champions", "30", "--events-per-commitment", "2")
    assert "added 8 users, 5 champions, 25 commitments, 50 events" in out
    assert first < set(scaled_champions(11).values_list("pk", flat=True))
    assert Champion.objects.count() == 30


def test_the_scale_loader_knows_its_champions_by_their_emails_not_by_name():
    seed_demo()
    cycle, today = this_cycle(), timezone.localdate()
    # A real champion named as scaled champion 3, in the organization it goes to, and another
    # whose name starts like the scaled ones' and who has a commitment in the cycle.
    third = ScaledChampion.draw(3, cycle, today)
    namesake = ChampionFactory(
        full_name="Champion 0003",
        organization=Organization.objects.get(acronym=third.organization),
        user__email="c.0003@example.org",
    )
    smith = CommitmentFactory(champion__full_name="Champion Smith", cycle=cycle).champion

    for _ in range(2):
        seed_demo("--champions", "25", "--events-per-commitment", "2")

    loader = ScaleLoader(6, cycle=cycle, today=today)
    assert set(loader.champions()) == set(scaled_champions(6))
    assert scaled_champions(6).count() == 6
    assert scaled_champions(6).get(full_name="Champion 0003").organization.acronym == third.organization
    assert loader.commitments().count() == 6 * 5
    assert not {namesake, smith} & set(loader.champions())
    assert not namesake.commitments.exists()
    assert smith.commitments.get().events.count() == 0
    assert not smith.focal_points.exists()
    assert Champion.objects.count() == 19 + 6 + 2


def test_a_scaled_seed_without_events_renews_the_dashboards_data_version(django_capture_on_commit_callbacks):
    seed_demo()
    with django_capture_on_commit_callbacks(execute=True):
        before = data_version.current()
        seed_demo("--champions", "22", "--events-per-commitment", "0")
    assert Champion.objects.count() == 22
    assert data_version.current() != before


def test_it_refuses_fewer_than_one_champion():
    with pytest.raises(CommandError):
        seed_demo("--champions", "0")


def test_most_of_the_network_is_public_and_some_not_yet():
    seed_demo()

    assert Champion.objects.get(full_name="Jean-Pierre Lacroix").is_public
    assert (
        set(Champion.objects.filter(is_public=False).values_list("full_name", flat=True))
        == network.NOT_PUBLIC
    )


def test_a_report_as_of_a_past_day_shows_the_demo_and_its_scaled_champions():
    """What the seed inserts in bulk has its first history row (demo/history.py), dated when the
    product would have written it: rebuilt from the history as of today, the network report is
    today's; as of a past day of the cycle, it has every commitment and the panels up to then."""
    seed_demo("--champions", "22", "--events-per-commitment", "2")
    cycle, today = this_cycle(), timezone.localdate()
    commitments = for_annual_report(cycle)
    figures = network_figures(commitments, cycle)
    rebuilt = network_figures(commitments, cycle, as_of=today)
    for name in ("total", "by_hub", "by_category", "months"):
        assert rebuilt[name] == figures[name], name

    past_day = max(cycle.starts_on, today - datetime.timedelta(days=30))
    past = network_figures(commitments, cycle, as_of=past_day)["total"]
    panels_then = (
        ProgressEvent.objects.filter(
            commitment__in=commitments, kind=EventKind.PANEL, occurred_on__range=(cycle.starts_on, past_day)
        )
        .exclude(panel_outcome="declined")
        .count()
    )
    assert past["commitments"] == figures["total"]["commitments"] > 20 * 5
    assert past["panels_logged"] == panels_then > 0
    assert not CheckIn.history.filter(history_date__gt=timezone.now()).exists()  # none dated ahead
    out = seed_demo("--champions", "22", "--events-per-commitment", "2")
    assert "nothing added" in out


def test_the_first_history_of_rows_loaded_in_bulk_is_dated_as_asked():
    """bench/reports.py loads its reports in bulk and dates their first history yesterday; a row
    with a history is left as it is."""
    commitment = CommitmentFactory()  # saved: its history is there already
    kept = commitment.history.count()
    Report.objects.bulk_create([Report(champion=commitment.champion, cycle=commitment.cycle)])
    yesterday = timezone.now() - datetime.timedelta(days=1)
    written = write_first_history({Report: lambda row: yesterday})
    assert written == {"Report": 1}
    assert list(Report.history.values_list("history_date", flat=True)) == [yesterday]
    assert commitment.history.count() == kept
    assert write_first_history({Report: lambda row: yesterday}) == {}
