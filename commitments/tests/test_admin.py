import datetime
import functools
import re

import pytest
from django.contrib.admin.templatetags.admin_list import results
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from champions.tests.factories import ChampionFactory
from commitments.models import Approval, Commitment, Status, TargetKind
from commitments.tests.factories import CommitmentFactory, CycleFactory

CHANGELIST = reverse("admin:commitments_commitment_changelist")
ADD = reverse("admin:commitments_commitment_add")


def _post_data(champion, cycle, **fields):
    data = {
        "champion": champion.pk,
        "cycle": cycle.pk,
        "number": 1,
        "title": "Hold meetings with women staff in the field",
        "description": "",
        "category": "culture",
        "target_kind": TargetKind.COUNT,
        "target_value": 4,
        "unit": "meetings",
        "counts_kind": "meeting",
        "due_on": cycle.ends_on.isoformat(),
        "status": Status.NOT_STARTED,
        # The inline formsets on the page: events and the status history.
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
        "status_changes-TOTAL_FORMS": 0,
        "status_changes-INITIAL_FORMS": 0,
        "approval_changes-TOTAL_FORMS": 0,
        "approval_changes-INITIAL_FORMS": 0,
        "approval": "approved",
    }
    return {**data, **fields}


@pytest.fixture
def five_commitment_cycle(db):
    return CycleFactory(year=2026, max_commitments=5)


def test_it_adds_a_commitment_within_the_cycle_maximum(client, admin_user, five_commitment_cycle):
    champion = ChampionFactory()
    client.force_login(admin_user)

    response = client.post(ADD, _post_data(champion, five_commitment_cycle, number=5))

    assert response.status_code == 302
    assert champion.commitments.get().number == 5


def test_it_shows_an_error_for_a_number_above_the_cycle_maximum(client, admin_user, five_commitment_cycle):
    champion = ChampionFactory()
    client.force_login(admin_user)

    response = client.post(ADD, _post_data(champion, five_commitment_cycle, number=6))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["number"] == [
        "The 2026 cycle allows at most 5 commitments per champion: number 6 is too high."
    ]
    assert "number 6 is too high" in response.text
    assert not Commitment.objects.exists()


def test_it_shows_an_error_for_a_number_already_taken(client, admin_user, five_commitment_cycle):
    taken = CommitmentFactory(cycle=five_commitment_cycle, number=2)
    client.force_login(admin_user)

    response = client.post(ADD, _post_data(taken.champion, five_commitment_cycle, number=2))

    assert response.status_code == 200
    assert "already has a commitment with this number" in response.text
    assert Commitment.objects.count() == 1


def test_it_keeps_the_status_history_when_the_status_changes_in_admin(client, admin_user):
    commitment = CommitmentFactory()
    client.force_login(admin_user)
    data = _post_data(commitment.champion, commitment.cycle, number=commitment.number, status=Status.AT_RISK)

    response = client.post(reverse("admin:commitments_commitment_change", args=[commitment.pk]), data)

    assert response.status_code == 302
    change = commitment.status_changes.get()
    assert (change.old_status, change.new_status, change.changed_by) == (
        Status.NOT_STARTED,
        Status.AT_RISK,
        admin_user,
    )


def _make_commitments(how_many):
    """Commitments of every kind of target, five per champion, across hubs and organizations."""
    cycle = CycleFactory(year=2026)
    targets = [
        {"target_kind": TargetKind.COUNT, "target_value": 4},
        {"target_kind": TargetKind.PERCENTAGE, "target_value": 50, "panel_women": 3, "panel_men": 2},
        {"target_kind": TargetKind.MILESTONE, "target_value": None, "status": Status.ON_TRACK},
    ]
    for start in range(0, how_many, 5):
        champion = ChampionFactory(hub__name=f"Hub {start % 3}")
        for number in range(1, min(5, how_many - start) + 1):
            CommitmentFactory(champion=champion, cycle=cycle, number=number, **targets[number % 3])


def _changelist_queries(client):
    client.get(CHANGELIST)  # The first page fills Django's cache of content types.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return len(queries), response.context["cl"].result_count


def test_it_lists_commitments_at_a_cost_that_does_not_grow_with_rows(client, admin_user):
    client.force_login(admin_user)
    _make_commitments(5)
    queries_at_5, rows_at_5 = _changelist_queries(client)
    _make_commitments(45)
    queries_at_50, rows_at_50 = _changelist_queries(client)

    assert (rows_at_5, rows_at_50) == (5, 50)
    assert queries_at_5 == queries_at_50


def test_it_finds_commitments_by_organization_acronym(client, admin_user):
    wanted = CommitmentFactory(champion__organization__acronym="DPKO")
    CommitmentFactory(champion__organization__acronym="UNHCR")
    client.force_login(admin_user)

    response = client.get(CHANGELIST, {"q": "dpko"})

    assert list(response.context["cl"].result_list) == [wanted]


def test_it_shows_progress_from_the_stored_roll_ups(client, admin_user):
    CommitmentFactory(target_kind=TargetKind.COUNT, target_value=4, counted_events=1)
    client.force_login(admin_user)

    response = client.get(CHANGELIST)

    assert "25%" in response.text


def _champion_page_queries(client, champion):
    url = reverse("admin:champions_champion_change", args=[champion.pk])
    client.get(url)  # The first page fills Django's cache of content types.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_it_shows_a_champions_commitments_at_a_cost_that_does_not_grow_with_them(client, admin_user):
    champion = ChampionFactory()
    client.force_login(admin_user)
    for number in range(1, 6):
        CommitmentFactory(champion=champion, cycle=CycleFactory(year=2025), number=number)
    queries_at_5, _ = _champion_page_queries(client, champion)
    cycle = CycleFactory(year=2026)
    for number in range(1, 6):
        CommitmentFactory(champion=champion, cycle=cycle, number=number)
    queries_at_10, response = _champion_page_queries(client, champion)

    assert queries_at_5 == queries_at_10
    assert response.text.count(f'<option value="{cycle.pk}" selected>2026</option>') == 5


def test_it_edits_a_champions_commitments_on_the_champion_page(client, admin_user):
    commitment = CommitmentFactory(title="Hold meetings")
    champion = commitment.champion
    client.force_login(admin_user)
    data = {
        "full_name": champion.full_name,
        "title": champion.title,
        "organization": champion.organization_id,
        "hub": champion.hub_id,
        "user": champion.user_id,
        "is_active": "on",
        "commitments-TOTAL_FORMS": 1,
        "commitments-INITIAL_FORMS": 1,
        "commitments-0-id": commitment.pk,
        "commitments-0-champion": champion.pk,
        "commitments-0-cycle": commitment.cycle_id,
        "commitments-0-number": commitment.number,
        "commitments-0-title": "Hold meetings with women staff in the field",
        "commitments-0-category": commitment.category,
        "commitments-0-target_kind": commitment.target_kind,
        "commitments-0-target_value": commitment.target_value,
        "commitments-0-due_on": commitment.due_on.isoformat(),
        "commitments-0-status": commitment.status,
    }

    response = client.post(reverse("admin:champions_champion_change", args=[champion.pk]), data)

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.title == "Hold meetings with women staff in the field"


def test_it_explains_why_a_cycle_maximum_cannot_drop_below_a_number_in_use(client, admin_user):
    commitment = CommitmentFactory(cycle=CycleFactory(year=2026, max_commitments=5), number=5)
    cycle = commitment.cycle
    client.force_login(admin_user)
    data = {
        "year": cycle.year,
        "starts_on": cycle.starts_on.isoformat(),
        "ends_on": cycle.ends_on.isoformat(),
        "report_due_on": cycle.report_due_on.isoformat(),
        "max_commitments": 4,
    }

    response = client.post(reverse("admin:commitments_cycle_change", args=[cycle.pk]), data)

    assert response.status_code == 200
    assert "numbered up to 5: the maximum cannot be lower" in response.text
    cycle.refresh_from_db()
    assert cycle.max_commitments == 5


def test_its_changelist_writes_the_same_checkbox_and_links_as_django_admin(client, admin_user):
    """The changelist writes its checkboxes and row links by hand, for speed: they must be Django's."""
    from django.contrib import admin
    from django.contrib.admin.views.main import ChangeList

    commitment = CommitmentFactory(title='Panels with "women" & men')
    model_admin = admin.site._registry[Commitment]
    client.force_login(admin_user)

    response = client.get(CHANGELIST)

    changelist = response.context["cl"]
    assert model_admin.action_checkbox(commitment) == admin.ModelAdmin.action_checkbox(
        model_admin, commitment
    )
    assert changelist.url_for_result(commitment) == ChangeList.url_for_result(changelist, commitment)
    assert changelist.url_for_result(commitment) == reverse(
        "admin:commitments_commitment_change", args=[commitment.pk]
    )
    assert changelist.url_for_result(commitment) in response.content.decode()


def _changelist_as_django_writes_it(client, query, monkeypatch):
    """The changelist page with its rows written by CommitmentChangeList.rows(), and as Django
    writes them (its own change_list.html), the forms' one-off CSRF tokens left out."""
    from django.contrib import admin

    model_admin = admin.site._registry[Commitment]
    without_token = functools.partial(re.sub, r'name="csrfmiddlewaretoken" value="[^"]*"', "")
    ours = client.get(CHANGELIST + query)
    monkeypatch.setattr(model_admin, "ie_base_change_list_template", "admin/change_list.html")
    djangos = client.get(CHANGELIST + query)
    monkeypatch.undo()
    assert ours.status_code == djangos.status_code == 200
    return without_token(ours.content.decode()), without_token(djangos.content.decode())


def _varied_commitments():
    """Commitments whose rows differ in every way a cell can: targets, statuses, approvals, dates
    and their absence, text to escape."""
    cycle = CycleFactory(year=2026)
    champion = ChampionFactory(full_name='Amina <b>"Bold"</b> & Co')
    CommitmentFactory(
        champion=champion,
        cycle=cycle,
        number=1,
        title="Panels with <i>women</i> & men",
        target_kind=TargetKind.PERCENTAGE,
        target_value=50,
        status=Status.ON_TRACK,
    )
    CommitmentFactory(
        champion=champion,
        cycle=cycle,
        number=2,
        target_kind=TargetKind.MILESTONE,
        target_value=None,
        status=Status.AT_RISK,
        due_on=datetime.date(2026, 3, 9),
    )
    CommitmentFactory(cycle=cycle, number=3, approval=Approval.SUBMITTED, unit="visits & talks")
    counted = CommitmentFactory(cycle=cycle, number=4, status=Status.COMPLETED)
    Commitment.objects.filter(pk=counted.pk).update(
        last_event_on=datetime.date(2026, 5, 17), counted_events=3
    )


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("", 4),
        ("?status__exact=on_track", 1),
        ("?o=-3.2&q=Panels", 1),
        ("?approval__exact=submitted&due_on__year=2026", 1),
    ],
)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_its_changelist_rows_are_djangos_own(client, admin_user, monkeypatch, query, rows, language):
    """The rows are written by hand, for speed: the whole page must be the page Django writes, in
    each language, sorted, searched and filtered (the filters kept in each row's links)."""
    _varied_commitments()
    admin_user.language = language
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)

    ours, djangos = _changelist_as_django_writes_it(client, query, monkeypatch)

    assert ours == djangos
    assert ours.count('class="action-select"') == rows
    if "approval" not in query:
        assert (
            '<td class="field-champion nowrap">Amina &lt;b&gt;&quot;Bold&quot;&lt;/b&gt; &amp; Co</td>'
            in ours
        )
        assert "Panels with &lt;i&gt;women&lt;/i&gt; &amp; men</a></td>" in ours
    if query:
        assert "/change/?_changelist_filters=" in ours


def test_its_changelist_leaves_rows_it_cannot_write_to_django(client, admin_user, monkeypatch):
    """A column it does not know (here the commitment's __str__, and a popup) is Django's to write."""
    from django.contrib import admin

    _varied_commitments()
    client.force_login(admin_user)
    model_admin = admin.site._registry[Commitment]
    monkeypatch.setattr(model_admin, "list_display", ("__str__", "champion", "due_on"))
    monkeypatch.setattr(model_admin, "list_display_links", ("__str__",))
    response = client.get(CHANGELIST)
    changelist = response.context["cl"]

    assert changelist._columns() is None
    assert [list(row) for row in changelist.rows()] == [list(row) for row in results(changelist)]
    popup = client.get(CHANGELIST, {"_popup": "1"}).context["cl"]
    assert popup.is_popup and popup._columns() is None


def test_its_changelist_pages_by_25(client, admin_user):
    client.force_login(admin_user)
    _make_commitments(26)

    first, second = client.get(CHANGELIST), client.get(CHANGELIST, {"p": 2})

    assert len(first.context["cl"].result_list) == 25
    assert len(second.context["cl"].result_list) == 1


def test_admin_pages_have_no_navigation_sidebar_but_lead_home(client, admin_user):
    client.force_login(admin_user)

    response = client.get(CHANGELIST)

    assert response.context["is_nav_sidebar_enabled"] is False
    assert 'id="nav-sidebar"' not in response.text
    assert f'<a href="{reverse("admin:index")}">' in response.text  # the breadcrumbs' Home
