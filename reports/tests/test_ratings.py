"""The office rates a whole report in one form and one save; the year end's forms are styled alike."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commitments.tests.factories import CommitmentFactory
from reports.models import Assessment, Report

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _submitted_report(cast, levels):
    """The cast champion's report, submitted, with a commitment self-assessed at each of `levels`."""
    cast.cycle.commitments.filter(champion=cast.champion).delete()
    Report.objects.filter(champion=cast.champion).delete()
    for number, level in enumerate(levels, start=1):
        commitment = CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=number)
        Assessment.objects.create(
            commitment=commitment,
            level=level,
            proposed_level=level,
            measured_progress=0,
            narrative=f"What was done for {number}.",
        )
    return Report.objects.create(
        champion=cast.champion, cycle=cast.cycle, submitted_at=timezone.now(), submitted_by=cast.champion_user
    )


@pytest.fixture
def report(cast):
    return _submitted_report(cast, ["not_started", "limited", "complete"])


def _url(cast, end=""):
    return f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}/{end}"


def _ratings(*rows):
    data = {"rating-TOTAL_FORMS": len(rows), "rating-INITIAL_FORMS": len(rows)}
    for index, (level, reason) in enumerate(rows):
        data.update({f"rating-{index}-office_level": level, f"rating-{index}-office_comment": reason})
    return data


def _levels():
    return list(
        Assessment.objects.order_by("commitment__number").values_list(
            "office_level", "office_comment", "diverges"
        )
    )


def test_the_report_page_has_a_rating_row_per_commitment_and_one_save(cast, report):
    page = _client(cast.office_member).get(_url(cast)).content.decode()
    assert page.count('data-testid="rating"') == 3
    assert page.count('form="report-ratings"') >= 3 * 5  # four levels and a reason per row
    assert page.count(f'action="{_url(cast, "ratings/")}"') == 1
    assert "Save the 3 ratings" in page
    assert 'class="form-check-input"' in page and 'class="form-control' in page  # styled as the others


def test_one_save_rates_every_commitment(cast, report):
    office = _client(cast.office_member)
    response = office.post(
        _url(cast, "ratings/"),
        _ratings(("not_started", ""), ("substantial", "Most was done."), ("limited", "One of four.")),
    )
    assert response.status_code == 302
    assert _levels() == [
        ("not_started", "", False),
        ("substantial", "Most was done.", False),
        ("limited", "One of four.", True),
    ]
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == ["Ratings saved: 3 commitments.", "Commitment 3: the assessments differ."]


def test_an_invalid_row_saves_nothing_and_says_which(cast, report):
    office = _client(cast.office_member)
    response = office.post(
        _url(cast, "ratings/"),
        # The second row has no level; the third differs from the self-assessment without a reason.
        _ratings(("limited", "Some was done."), ("", ""), ("limited", "")),
    )
    assert response.status_code == 200
    assert _levels() == [("", "", False)] * 3
    ratings = response.context["ratings"]
    assert [sorted(form.errors) for form in ratings] == [[], ["office_level"], ["office_comment"]]
    page = response.content.decode()
    assert "Nothing was saved: please correct the ratings marked below." in page
    assert "Rating of commitment 2: please correct it." in page
    assert "Say why the office&#x27;s rating differs from the self-assessment (Complete)." in page
    # What was chosen stays chosen.
    assert re.search(r'<input[^>]*value="limited"[^>]*id="id_rating-0-office_level_\d"[^>]*checked', page)


def test_a_second_save_rates_only_what_changed(cast, report):
    office = _client(cast.office_member)
    office.post(_url(cast, "ratings/"), _ratings(("not_started", ""), ("limited", ""), ("complete", "")))
    first = dict(Assessment.objects.values_list("commitment__number", "rated_at"))
    response = office.post(
        _url(cast, "ratings/"), _ratings(("not_started", ""), ("limited", ""), ("substantial", "Nearly."))
    )
    later = dict(Assessment.objects.values_list("commitment__number", "rated_at"))
    assert [later[number] == first[number] for number in (1, 2, 3)] == [True, True, False]
    assert [str(message) for message in response.wsgi_request._messages][-1] == "Rating saved: 1 commitment."


def test_a_posted_count_of_rows_changes_nothing(cast, report):
    data = _ratings(("not_started", ""), ("limited", ""), ("complete", ""))
    data.update({"rating-TOTAL_FORMS": 1, "rating-INITIAL_FORMS": 0})
    _client(cast.office_member).post(_url(cast, "ratings/"), data)
    assert [level for level, _comment, _diverges in _levels()] == ["not_started", "limited", "complete"]
    data = _ratings(("not_started", ""))
    data.update({"rating-TOTAL_FORMS": 3, "rating-INITIAL_FORMS": 3})
    response = _client(cast.office_member).post(_url(cast, "ratings/"), data)
    assert response.status_code == 200  # rows 2 and 3 missing: errors, not fewer ratings


def test_only_the_office_rates_and_only_a_submitted_report(cast, report):
    rows = _ratings(("limited", "x"), ("limited", ""), ("limited", "y"))
    for user in (cast.champion_user, cast.focal_point):
        assert _client(user).post(_url(cast, "ratings/"), rows).status_code == 403
    report.submitted_at = None
    report.save()
    _client(cast.office_member).post(_url(cast, "ratings/"), rows)
    assert _levels() == [("", "", False)] * 3


def _queries(client, url):
    client.get(url)  # a session's first request saves it; the count is of the next
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_rating_page_costs_the_same_queries_with_2_and_5_commitments(cast):
    office = _client(cast.office_member)
    _submitted_report(cast, ["limited", "complete"])
    few = _queries(office, _url(cast))
    _submitted_report(cast, ["limited", "complete", "limited", "substantial", "not_started"])
    assert _queries(office, _url(cast)) == few == 20


def test_the_one_save_costs_a_fixed_number_of_queries_per_rating(cast, report):
    office = _client(cast.office_member)
    office.get(_url(cast))
    with CaptureQueriesContext(connection) as queries:
        office.post(_url(cast, "ratings/"), _ratings(("limited", "a"), ("limited", ""), ("limited", "b")))
    three = len(queries)
    Assessment.objects.update(office_level="")
    with CaptureQueriesContext(connection) as queries:
        office.post(
            _url(cast, "ratings/"), _ratings(("limited", "a"), ("not_started", "c"), ("limited", "b"))
        )
    assert len(queries) == three


def test_the_self_assessment_form_is_styled_like_the_others(cast):
    from reports.forms import AssessmentForm

    form = AssessmentForm(commitment=cast.commitment)
    assert form.helper.form_tag is False
    labels = [str(label) for _value, label in form.fields["level"].choices]
    assert "Not started (proposed)" in labels


def test_a_tampered_form_is_refused_without_an_error_page(cast, report):
    data = _ratings(("xyz", ""), ("limited", ""), ("complete", ""))
    data.update({"rating-TOTAL_FORMS": "many", "rating-INITIAL_FORMS": "-1"})
    response = _client(cast.office_member).post(_url(cast, "ratings/"), data)
    assert response.status_code == 200
    assert _levels() == [("", "", False)] * 3
    del data["rating-TOTAL_FORMS"]
    assert _client(cast.office_member).post(_url(cast, "ratings/"), data).status_code == 200
    assert _levels() == [("", "", False)] * 3
