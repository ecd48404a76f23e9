"""Emails of the year end, each made once (accounts.Email) in the transaction that decides it, in its
reader's language, and sent after it commits: the office hears when a champion signs off a report
(at once if they asked; else in the weekly digest), and the champion's side when the office has
reviewed it."""

from django.conf import settings
from django.urls import reverse

from accounts import emails
from accounts.models import User
from accounts.tasks import send_after_commit


def _report_url(report):
    return settings.SITE_URL + reverse("champion_report", args=[report.cycle.year, report.champion_id])


def email_office_signed_off(report, step):
    """The champion has just signed off `report` (`step`: the step that recorded it): the office
    members who chose to hear at once are told now, once each per sign-off."""
    readers = list(User.objects.told_at_once())
    if not readers:
        return
    context = {
        "report": report,
        "champion": report.champion,
        "cycle": report.cycle,
        "report_url": _report_url(report),
    }
    send_after_commit(emails.make_each(f"report-signed-off:{step.pk}", "report-signed-off", context, readers))


def email_reviewed(report, step):
    """The office has just marked `report` reviewed (`step`): the champion and their focal points
    are told, with the office's ratings beside their self-assessment, once each per review."""
    context = {
        "report": report,
        "champion": report.champion,
        "cycle": report.cycle,
        "commitments": list(report.commitments()),
        "report_url": _report_url(report),
    }
    send_after_commit(
        emails.make_each(f"report-reviewed:{step.pk}", "report-reviewed", context, report.champion.people())
    )
