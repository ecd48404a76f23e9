"""Every registered model's admin pages.

The test lives here, in the highest app with models, because only here can every model be made
with its factory.
"""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from accounts import emails
from accounts.models import Email, User, office_group
from accounts.tests.factories import PASSWORD
from champions.models import Champion, Hub, Organization, Pledge
from champions.tests.factories import ChampionFactory, OrganizationFactory, pledge
from commitments.models import Category, Comment, Commitment, Cycle, Handover, Status
from events.models import PanelConfirmation, ProgressEvent
from events.tests.factories import ProgressEventFactory
from reminders.models import Escalation, Message, OfficeDigest, Reminder
from reminders.tests.factories import EscalationFactory, MessageFactory, OfficeDigestFactory, ReminderFactory
from reports.models import AnnualReport, Assessment, NetworkProfile, Report
from reports.tests.factories import AssessmentFactory, ReportFactory

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def one_of_each(admin_user, client):
    """One object of every registered model, tied together as they are in use."""
    # django-axes logs a failed sign-in and a successful one.
    client.post("/accounts/login/", {"username": "intruder@example.org", "password": "wrong"})
    client.post("/accounts/login/", {"username": admin_user.email, "password": PASSWORD})
    client.logout()
    event = ProgressEventFactory(commitment__champion__organization__parent=OrganizationFactory())
    commitment = event.commitment
    commitment.change_status(Status.IN_PROGRESS, admin_user, "Started.")
    champion = commitment.champion
    champion.focal_points.add(admin_user)
    reminder = ReminderFactory(commitment=commitment, due_on=commitment.due_on - datetime.timedelta(days=14))
    message = MessageFactory(user=admin_user, due_on=reminder.due_on, reminders=[reminder])
    return {
        User: admin_user,
        Email: emails.make("password-reset:one:1", admin_user, "Reset your password", "Open this link."),
        Group: office_group(),
        Hub: champion.hub,
        Organization: champion.organization,
        Champion: champion,
        Pledge: pledge("panel-parity"),
        Cycle: commitment.cycle,
        Category: commitment.categories.get(),
        Commitment: commitment,
        Comment: Comment.objects.create(commitment=commitment, author=admin_user, text="Is March fine?"),
        Handover: Handover.objects.create(
            from_champion=ChampionFactory(organization=champion.organization),
            to_champion=champion,
            effective_on=commitment.cycle.starts_on,
            cycle=commitment.cycle,
            created_by=admin_user,
        ),
        Reminder: reminder,
        OfficeDigest: OfficeDigestFactory(),
        Message: message,
        Escalation: EscalationFactory(commitment=commitment),
        Report: ReportFactory(champion=champion, cycle=commitment.cycle),
        Assessment: AssessmentFactory(commitment=commitment),
        NetworkProfile: NetworkProfile.objects.create(name="International Gender Champions"),
        AnnualReport: AnnualReport.objects.create(cycle=commitment.cycle, foreword_en="A year of work."),
        ProgressEvent: event,
        PanelConfirmation: PanelConfirmation.ask(event, "organiser@conference.example")[0],
        # The success above reset the attempts from this address: one from elsewhere stays.
        AccessAttempt: AccessAttempt.objects.create(
            username="intruder@example.org",
            ip_address="203.0.113.9",
            user_agent="curl",
            http_accept="*/*",
            path_info="/accounts/login/",
            failures_since_start=3,
        ),
        AccessFailureLog: AccessFailureLog.objects.get(),
        AccessLog: AccessLog.objects.get(),
    }


def _url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_it_shows_the_changelist_add_and_change_pages_of_every_model(client, one_of_each, model):
    obj = one_of_each[model]
    client.force_login(one_of_each[User])
    request = RequestFactory().get("/admin/")
    request.user = one_of_each[User]
    pages = [_url(model, "changelist"), _url(model, "change", obj.pk)]
    if admin.site._registry[model].has_add_permission(request):  # django-axes' logs have no add page
        pages.append(_url(model, "add"))
    for url in pages:
        assert client.get(url).status_code == 200, url


def test_it_lists_the_object_made_for_each_model(client, one_of_each):
    client.force_login(one_of_each[User])
    for model in REGISTERED:
        response = client.get(_url(model, "changelist"))
        assert one_of_each[model] in response.context["cl"].result_list, model
