"""Every route is guarded: what a GET of each answers to each kind of visitor.

The table below names every route of the URLconf. A route added without an expectation makes
`test_it_has_an_expectation_for_every_route` fail: decide who may see it, then add it here.
"""

import re
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.urls import URLResolver, get_resolver, include, path, resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from commitments.tests.factories import CommitmentFactory
from events.models import CheckIn
from events.tests.factories import ProgressEventFactory

ROLES = ["anonymous", "champion", "other_focal_point", "office_member"]

# What a GET answers: a status and, for a redirect, a pattern its whole Location matches.
OK = (200, None)
SIGN_IN = (302, r"/accounts/login/\?next=/.*")
ADMIN_SIGN_IN = (302, r"/admin/login/\?next=/admin/.*")
EITHER_SIGN_IN = (302, r"/(accounts|admin)/login/\?next=/admin/.*")
TO_HOME = (302, "/")
TO_DASHBOARD = (302, "/dashboard/")
TO_ADMIN_INDEX = (302, "/admin/")
FORBIDDEN = (403, None)
NOT_FOUND = (404, None)
NOT_ALLOWED = (405, None)


@dataclass(frozen=True)
class Expect:
    """The answer to each role, in ROLES order, and which of the cast's objects fills `pk`."""

    anonymous: tuple
    champion: tuple
    other_focal_point: tuple
    office_member: tuple
    pk: str | None = None


EVERYONE = Expect(OK, OK, OK, OK)
SIGNED_IN = Expect(SIGN_IN, OK, OK, OK)
OFFICE_ONLY = Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, OK)

EXPECTED = {
    "healthz": EVERYONE,
    # Accounts.
    "login": Expect(OK, TO_HOME, TO_HOME, TO_HOME),
    "preferences": SIGNED_IN,
    "replace_calendar_token": Expect(SIGN_IN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED),  # POST only
    "set_language": Expect(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED),
    "logout": Expect(SIGN_IN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED),  # signing out is a POST
    "password_change": SIGNED_IN,
    "password_change_done": SIGNED_IN,
    "password_reset": EVERYONE,
    "password_reset_done": EVERYONE,
    "password_reset_confirm": EVERYONE,  # with a wrong token: the "invalid link" page
    "password_reset_complete": EVERYONE,
    # An invitation's link: with a wrong token, the "no such invitation" page (404); its form
    # without a link opened first, the page that says to open it (404).
    "accept_invitation": Expect(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "set_invited_password": Expect(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # A champion's and focal point's pages.
    "home": Expect(SIGN_IN, OK, OK, TO_DASHBOARD),
    "commitment_detail": Expect(SIGN_IN, OK, NOT_FOUND, NOT_FOUND, pk="commitment"),
    "log_progress": Expect(SIGN_IN, OK, NOT_FOUND, NOT_FOUND, pk="commitment"),
    "change_status": Expect(SIGN_IN, OK, NOT_FOUND, NOT_FOUND, pk="commitment"),
    "keep_status": Expect(SIGN_IN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, pk="commitment"),  # POST only
    "edit_event": Expect(SIGN_IN, OK, NOT_FOUND, NOT_FOUND, pk="event"),
    "delete_event": Expect(SIGN_IN, OK, NOT_FOUND, NOT_FOUND, pk="event"),
    "event_evidence": Expect(SIGN_IN, OK, NOT_FOUND, OK, pk="event"),  # the office reads evidence
    "record_check_in": Expect(SIGN_IN, OK, NOT_FOUND, NOT_FOUND, pk="indicator"),
    "edit_check_in": Expect(SIGN_IN, OK, NOT_FOUND, NOT_FOUND, pk="check_in"),
    "delete_check_in": Expect(SIGN_IN, OK, NOT_FOUND, NOT_FOUND, pk="check_in"),
    "check_in_evidence": Expect(SIGN_IN, OK, NOT_FOUND, OK, pk="check_in"),  # the office reads evidence
    "export_my_events": SIGNED_IN,  # each their own champions' events; nobody else's
    # Setting a cycle's commitments: each their own champions' (the office has none: 404).
    "set_commitments": Expect(SIGN_IN, OK, OK, NOT_FOUND),
    "add_commitment": Expect(SIGN_IN, OK, NOT_FOUND, NOT_FOUND),  # the cast's champion
    "edit_commitment": Expect(SIGN_IN, OK, NOT_FOUND, NOT_FOUND, pk="draft"),
    "delete_commitment": Expect(SIGN_IN, OK, NOT_FOUND, NOT_FOUND, pk="draft"),
    "submit_commitments": Expect(SIGN_IN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED),  # POST only
    "submit_commitment": Expect(SIGN_IN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, pk="draft"),
    "carry_commitment": Expect(SIGN_IN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, pk="commitment"),
    "carry_all_commitments": Expect(SIGN_IN, OK, NOT_FOUND, NOT_FOUND),  # the cast's champion
    # The year end: a champion's report is theirs, their focal points' and the office's.
    "champion_report": Expect(SIGN_IN, OK, NOT_FOUND, OK, pk="champion"),
    "champion_report_pdf": Expect(SIGN_IN, OK, NOT_FOUND, OK, pk="champion"),
    "assess_commitment": Expect(SIGN_IN, OK, NOT_FOUND, NOT_FOUND, pk="commitment"),
    "submit_report": Expect(SIGN_IN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, pk="champion"),  # POST only
    "mark_report_reviewed": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, pk="champion"),
    "reopen_report": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, pk="champion"),
    # A self-assessment's file: the cast's commitment has no assessment yet, so nothing to download.
    "assessment_evidence": Expect(SIGN_IN, NOT_FOUND, NOT_FOUND, NOT_FOUND, pk="commitment"),
    "post_comment": Expect(SIGN_IN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, pk="commitment"),  # POST only
    "rate_report": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, pk="champion"),
    "resolve_divergence": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, pk="commitment"),
    # The network's annual report: the office's.
    "network_report": OFFICE_ONLY,
    "network_report_pdf": OFFICE_ONLY,
    "network_report_csv": OFFICE_ONLY,
    "network_report_xlsx": OFFICE_ONLY,
    "edit_foreword": OFFICE_ONLY,
    "edit_highlights": OFFICE_ONLY,
    # A hub's meeting pack: the office's; nobody else is told it exists.
    "hub_pack": Expect(SIGN_IN, NOT_FOUND, NOT_FOUND, OK, pk="hub"),
    "hub_pack_pdf": Expect(SIGN_IN, NOT_FOUND, NOT_FOUND, OK, pk="hub"),
    # The chief-of-staff office.
    "dashboard": OFFICE_ONLY,
    "dashboard_export": OFFICE_ONLY,
    "dashboard_export_xlsx": OFFICE_ONLY,
    "dashboard_champion": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, OK, pk="champion"),
    "dashboard_commitment": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, OK, pk="commitment"),
    "dashboard_commitment_history": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, OK, pk="commitment"),
    "dashboard_handover": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, OK, pk="champion"),
    # Reversing a handover: a confirmation page, then a POST; the cast has no handover (404).
    "dashboard_reverse_handover": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    "dashboard_differences": OFFICE_ONLY,
    "dashboard_status_checks": OFFICE_ONLY,
    "dashboard_review": OFFICE_ONLY,
    "dashboard_people": OFFICE_ONLY,
    "dashboard_invite_everyone": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED),  # POST only
    "dashboard_invite_person": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED),
    "import_commitments": OFFICE_ONLY,
    "confirm_import": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED),  # POST only
    # A large file's import job: only its uploader sees it; the cast has none (404).
    "import_job": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    "confirm_import_job": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED),  # POST only
    "export_commitments_csv": OFFICE_ONLY,
    "export_commitments_xlsx": OFFICE_ONLY,
    "review_approve": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, pk="draft"),  # POST only
    "review_return": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, pk="draft"),
    "review_remind": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED),  # POST only
    "review_approve_all": Expect(SIGN_IN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED),
    # Calendar feeds: the token in the address is the credential; a wrong one is a 404 to everyone.
    "calendar_feed": Expect(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # An organiser's link to confirm a panel: the same (no account needed; a wrong token is a 404).
    "confirm_panel": Expect(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # Public pages and the read-only API: no sign-in. A champion who did not opt in (the cast's) is
    # not found there; office members get them in the API.
    "public_champions": EVERYONE,
    "public_champion": Expect(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "sitemap": EVERYONE,
    "api-root": EVERYONE,
    "api_schema": EVERYONE,
    "api-champion-list": EVERYONE,
    "api-champion-detail": Expect(NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, pk="champion"),
    "api-commitment-list": EVERYONE,
    "api-commitment-detail": Expect(NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, pk="commitment"),
    "api-category-list": EVERYONE,
    "api-cycle-list": EVERYONE,
    "api-hub-list": EVERYONE,
    "api-organization-list": EVERYONE,
    "api-pledge-list": EVERYONE,
    # Admin: the rule below covers every other admin route; these two differ from it.
    "admin:login": EVERYONE,  # the admin's own sign-in form (it says non-staff may not enter)
    "admin:logout": Expect(EITHER_SIGN_IN, TO_ADMIN_INDEX, TO_ADMIN_INDEX, TO_ADMIN_INDEX),
}

# Every route under admin/ not named above: a sign-in page for anonymous visitors (the
# LoginRequiredMiddleware answers first: the admin's own sign-in for the admin site's pages, the
# site's for the model pages), the admin's sign-in for signed-in users who are not staff.
ADMIN_RULE = Expect(EITHER_SIGN_IN, ADMIN_SIGN_IN, ADMIN_SIGN_IN, ADMIN_SIGN_IN)


@dataclass(frozen=True)
class Route:
    key: str  # its name ("admin:index"), or its pattern when it has none
    pattern: str
    callback: object


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            pattern = prefix + str(entry.pattern)
            name = ":".join(filter(None, [namespace, entry.name])) if entry.name else None
            yield Route(name or pattern, pattern, entry.callback)


def all_routes():
    """Every route of the URLconf, once per key (a later route of the same name is shadowed)."""
    routes = {}
    for route in _walk(get_resolver().url_patterns):
        routes.setdefault(route.key, route)
    return list(routes.values())


def expectation(route):
    if route.key in EXPECTED:
        return EXPECTED[route.key]
    if route.pattern.startswith("admin/"):
        return ADMIN_RULE
    return None


# <converter:name>, a named regex group (its alternatives), or an unnamed one-segment group.
PARAMETER = re.compile(r"<(?:\w+:)?(?P<route>\w+)>|\(\?P<(?P<regex>\w+)>(?P<choices>[^)]*)\)|\(\[\^/\]\+\)")


def sample_path(route, values):
    """A path that the route answers, its parameters filled from `values` (or "1")."""

    def fill(match):
        name = match["route"] or match["regex"]
        if name in values:
            return str(values[name])
        if match["choices"] and "|" in match["choices"]:
            return match["choices"].split("|")[0]
        return "1"

    return "/" + PARAMETER.sub(fill, route.pattern).replace("^", "").replace("$", "")


@pytest.fixture
def objects(cast):
    """The cast's own objects that fill path parameters: an event of theirs has evidence."""
    event = ProgressEventFactory(commitment=cast.commitment, logged_by=cast.champion_user)
    event.evidence_file.save("agenda.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    draft = CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=2, approval="draft")
    indicator = CommitmentFactory(
        champion=cast.champion,
        cycle=cast.cycle,
        number=3,
        target_kind="indicator",
        baseline=28,
        target_value=40,
    )
    check_in = CheckIn.objects.create(
        commitment=indicator, measured_on=cast.cycle.starts_on, value=31, logged_by=cast.champion_user
    )
    check_in.evidence_file.save("survey.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return {
        "indicator": indicator.pk,
        "check_in": check_in.pk,
        "commitment": cast.commitment.pk,
        "event": event.pk,
        "champion": cast.champion.pk,
        "draft": draft.pk,
        "hub": cast.champion.hub_id,
    }


def _values(route, objects, cast):
    expect = expectation(route)
    values = {
        "uidb64": urlsafe_base64_encode(force_bytes(cast.champion_user.pk)),
        "token": "not-a-valid-token",
        "url": "no-such-page/",
        "year": cast.cycle.year,
        "champion_pk": cast.champion.pk,
    }
    if expect and expect.pk:
        values["pk"] = objects[expect.pk]
    return values


def _user(cast, role):
    return {
        "anonymous": None,
        "champion": cast.champion_user,
        "other_focal_point": cast.other_focal_point,
        "office_member": cast.office_member,
    }[role]


def test_it_has_an_expectation_for_every_route():
    missing = [route.pattern for route in all_routes() if expectation(route) is None]
    assert not missing, "routes without an expectation in EXPECTED:\n" + "\n".join(missing)


def test_every_expectation_names_a_route_that_exists():
    keys = {route.key for route in all_routes()}
    assert sorted(set(EXPECTED) - keys) == []


def new_page(request):
    return HttpResponse("new")


# A URLconf with one route more than the project's, for the test that such a route is reported.
urlpatterns = [path("", include("config.urls")), path("new-page/", new_page, name="new_page")]


def test_a_new_route_without_an_expectation_is_reported(settings):
    settings.ROOT_URLCONF = __name__
    assert [route.key for route in all_routes() if expectation(route) is None] == ["new_page"]


def test_it_finds_the_admin_routes_and_fills_every_parameter(cast, objects):
    routes = all_routes()
    assert any(route.key == "admin:commitments_commitment_change" for route in routes)
    for route in routes:
        url = sample_path(route, _values(route, objects, cast))
        assert "<" not in url and "(" not in url, url
        assert resolve(url).func is route.callback, f"{url} does not reach {route.key}"


@pytest.mark.parametrize("role", ROLES)
def test_it_answers_each_route_as_expected(client, cast, objects, role):
    user = _user(cast, role)
    if user:
        client.force_login(user)
    wrong = []
    for route in all_routes():
        expect = expectation(route)
        if expect is None:
            continue  # reported by test_it_has_an_expectation_for_every_route
        url = sample_path(route, _values(route, objects, cast))
        status, location = getattr(expect, role)
        response = client.get(url)
        actual = response.get("Location", "")
        if response.status_code != status or (location and not re.fullmatch(location, actual)):
            wrong.append(f"{route.key} GET {url}: {response.status_code} {actual}".strip())
        if response.streaming:
            b"".join(response.streaming_content)  # the client closes the file at its end
    assert not wrong, "unexpected answers:\n" + "\n".join(wrong)
