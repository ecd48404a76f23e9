"""Calendar feeds: a person's deadlines as an iCalendar feed that calendar apps subscribe to.

Each user has a private address, /calendar/<token>.ics (User.calendar_token), answered while they
can sign in and act for an active champion or are of the office (feed_owner). Their feed holds an
all-day event on the due date of every approved, open commitment of the active champions they are
or serve, and the commitments-due and report-due dates of those commitments' cycles and of the
cycles their champions have yet to set commitments for. The office's feed holds every active
champion's, narrowed to one hub by the dashboard's `hub` parameter. Each item has a UID of its own
that never changes, so that a changed date moves the event in the calendar instead of adding one.
"""

import datetime
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar.prop import vDatetime, vDuration, vText

from accounts.models import User
from champions.models import Champion, Hub
from commitments.models import Commitment, Cycle, Status
from config.links import link_to

# How often calendar apps are asked to fetch the feed again (REFRESH-INTERVAL, X-PUBLISHED-TTL).
REFRESH_EVERY = datetime.timedelta(hours=6)
PRODID = "-//International Gender Champions//Commitment tracker//EN"
ONE_DAY = datetime.timedelta(days=1)
# What a line may hold before it is folded (RFC 5545, 3.1: 75 octets without the line break).
LINE_OCTETS = 75

# The columns of a commitment that its target and progress are worded from (CommitmentMeasures).
MEASURE_COLUMNS = [
    "status",
    "target_kind",
    "target_value",
    "baseline",
    "unit",
    "counts_kind",
    "latest_value",
    "latest_value_on",
    "counted_events",
    "counted_in_field",
    "panels_logged",
    "panel_women",
    "panel_men",
    "confirmed_panels",
    "confirmed_women",
    "confirmed_men",
    "self_reported_women",
    "self_reported_men",
]
# The columns of a commitment that its event says.
COMMITMENT_COLUMNS = [
    "pk",
    "number",
    "title",
    "due_on",
    "cycle_id",
    "champion__full_name",
    "champion__user_id",
    *MEASURE_COLUMNS,
]


def feed_owner(token):
    """The person whose feed `token` opens, or None: someone who can sign in (a person not through
    their invitation yet has no feed), of the office or acting for an active champion (a champion
    who left, and whoever served only them, have none)."""
    user = User.objects.able_to_sign_in().filter(calendar_token=token).first()
    if user is None or not (user.is_office_member or Champion.objects.active().served_by(user).exists()):
        return None
    return user


class OfficeFeedFilterForm(forms.Form):
    """The office feed's filter: the dashboard's `hub` parameter; an unknown hub is ignored."""

    hub = forms.ModelChoiceField(Hub.objects.all(), required=False)

    def hub_or_none(self):
        return self.cleaned_data["hub"] if self.is_valid() else None


class CommitmentMeasures:
    """A commitment's MEASURE_COLUMNS, worded as Commitment words itself (target, progress): only
    these, so that wording from a column left out fails instead of going wrong.

    Why not model instances: a feed may hold 10,000 commitments and is built in well under a
    second; the wording stays the model's own, its properties borrowed here.
    """

    target_label = Commitment.target_label
    counted_unit = Commitment.counted_unit
    progress_figure = Commitment.progress_figure
    progress_percent = Commitment.progress_percent
    women_share = Commitment.women_share
    parity_split_figure = Commitment.parity_split_figure
    self_reported_panels = Commitment.self_reported_panels
    confirmed_share = Commitment.confirmed_share
    self_reported_share = Commitment.self_reported_share

    def __init__(self, measures):
        self.__dict__.update(zip(MEASURE_COLUMNS, measures, strict=True))

    def get_status_display(self):
        return Status(self.status).label


class CalendarFeed:
    """One person's feed: their champions' deadlines, or every champion's for the office."""

    def __init__(self, user, hub=None):
        self.user = user
        self.for_office = user.is_office_member
        self.language = user.email_language
        champions = Champion.objects.active()
        if self.for_office:
            self.champions = champions.filter(hub=hub) if hub else champions
        else:
            self.champions = champions.served_by(user)
        self.hub = hub if self.for_office else None
        self.host = urlsplit(settings.SITE_URL).hostname or "localhost"
        # When the feed was written (each event's DTSTAMP), in UTC as RFC 5545 asks.
        self.stamp = (
            vDatetime(timezone.now().astimezone(datetime.UTC).replace(microsecond=0)).to_ical().decode()
        )

    def commitments(self):
        """The approved, open commitments of the feed's champions, as rows (one query)."""
        return (
            Commitment.objects.approved()
            .open()
            .filter(champion__in=self.champions)
            .order_by("due_on", "pk")
            .values(*COMMITMENT_COLUMNS)
        )

    def cycles(self, cycle_ids):
        """The cycles of `cycle_ids` and those the feed's champions have yet to set commitments for
        (one query)."""
        to_set = Cycle.objects.to_set_by(self.champions).values("pk")
        return (
            Cycle.objects.filter(Q(pk__in=cycle_ids) | Q(pk__in=to_set))
            .order_by("year")
            .values("year", "commitments_due_on", "report_due_on")
        )

    def to_ical(self):
        """The feed as iCalendar bytes, in the person's language (two queries at any size)."""
        with translation.override(self.language):
            rows = list(self.commitments())
            cycles = self.cycles({row["cycle_id"] for row in rows})
            events = [self._cycle_events(cycle) for cycle in cycles]
            events += self._commitment_events(rows)
            return self._calendar("".join(events).encode())

    def _calendar(self, events):
        """The VCALENDAR around `events`, its properties written by icalendar.

        Why the events are not icalendar Event components: building and writing 10,000 of them
        takes about 4.5 s on this machine (most of it folding lines a character at a time), and a
        feed must answer in 1 s. They are written by _event() instead, their text escaped by
        icalendar.
        """
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", self.name())
        calendar.add("x-wr-caldesc", self.description())
        calendar.add("refresh-interval", vDuration(REFRESH_EVERY), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH_EVERY))
        end = b"END:VCALENDAR\r\n"
        return calendar.to_ical().removesuffix(end) + events + end

    def name(self):
        if not self.for_office:
            return _("Gender Champions: my deadlines")
        if self.hub:
            return _("Gender Champions: deadlines in %(hub)s") % {"hub": self.hub.name}
        return _("Gender Champions: every champion's deadlines")

    def description(self):
        if self.for_office:
            return _("The due dates of the champions' open commitments and of each cycle.")
        return _("The due dates of your open commitments and of each cycle.")

    def _commitment_events(self, rows):
        """An event per commitment row.

        Why the care: at 10,000 commitments, translating each wording and reversing each URL per
        event took a third of the time, wording each target and progress another third. So each
        wording is translated and the URL reversed once, and a target and progress are worded once
        for all the commitments that measure the same (most do, a few figures apart).
        """
        page_url = link_to(
            "dashboard_commitment" if self.for_office else "commitment_detail", prefix=settings.SITE_URL
        )
        named = _("Commitment %(number)s due: %(title)s (%(champion)s)")
        own = _("Commitment %(number)s due: %(title)s")
        heading = _("%(champion)s, commitment %(number)s: %(title)s")
        target = _("Target: %(target)s")
        progress = _("Progress: %(percent)s%% — %(figure)s")
        worded = {}
        events = []
        for row in rows:
            measures = tuple(row[column] for column in MEASURE_COLUMNS)
            if measures not in worded:
                measure = CommitmentMeasures(measures)
                worded[measures] = "\n".join(
                    [
                        target % {"target": measure.target_label},
                        progress % {"figure": measure.progress_figure, "percent": measure.progress_percent},
                        *filter(None, [measure.parity_split_figure]),
                    ]
                )
            url = page_url(row["pk"])
            words = {"number": row["number"], "title": row["title"], "champion": row["champion__full_name"]}
            summary = (named if self.for_office or row["champion__user_id"] != self.user.pk else own) % words
            description = "\n".join([heading % words, worded[measures], url])
            events.append(self._event(f"commitment-{row['pk']}", row["due_on"], summary, description, url))
        return events

    def _cycle_events(self, cycle):
        year = cycle["year"]
        if self.for_office:
            set_url = settings.SITE_URL + reverse("dashboard_review") + f"?cycle={year}"
            report_url = settings.SITE_URL + reverse("network_report", args=[year])
        else:
            set_url = settings.SITE_URL + reverse("set_commitments", args=[year])
            report_url = settings.SITE_URL + reverse("home") + f"?cycle={year}"
        commitments_due = self._event(
            f"cycle-{year}-commitments-due",
            cycle["commitments_due_on"],
            _("Commitments for %(year)s due") % {"year": year},
            _("The day the commitments for the %(year)s cycle should be submitted.") % {"year": year}
            + "\n"
            + set_url,
            set_url,
        )
        report_due = self._event(
            f"cycle-{year}-report-due",
            cycle["report_due_on"],
            _("Reports on %(year)s due") % {"year": year},
            _("The day the reports on the %(year)s commitments, with their self-assessment, are due.")
            % {"year": year}
            + "\n"
            + report_url,
            report_url,
        )
        return commitments_due + report_due

    def _event(self, item, day, summary, description, url):
        """An all-day VEVENT as folded content lines; `item` names it for good (its UID)."""
        return "".join(
            [
                "BEGIN:VEVENT\r\n",
                _folded(f"UID:{item}@{self.host}"),  # letters, digits, - and . only: nothing to escape
                f"DTSTAMP:{self.stamp}\r\n",
                f"DTSTART;VALUE=DATE:{_date(day)}\r\n",
                f"DTEND;VALUE=DATE:{_date(day + ONE_DAY)}\r\n",
                _folded("SUMMARY:" + _text(summary)),
                _folded("DESCRIPTION:" + _text(description)),
                _folded("URL;VALUE=URI:" + url),
                # A deadline takes no time: it does not show the day as busy.
                "TRANSP:TRANSPARENT\r\n",
                "END:VEVENT\r\n",
            ]
        )


def _date(day):
    """A DATE value: 20261231 (what icalendar's vDate writes, at a tenth of its cost)."""
    return day.isoformat().replace("-", "")


def _text(value):
    """A TEXT value, escaped by icalendar (backslashes, commas, semicolons, line breaks)."""
    return vText(value).to_ical().decode()


def _folded(line):
    """A content line and its line break, folded at 75 octets (RFC 5545, 3.1) without splitting a
    character, nor an escape from the character it escapes (as icalendar does, for older clients)."""
    if len(line) <= LINE_OCTETS and line.isascii():
        return line + "\r\n"
    data = line.encode()
    parts, start, limit = [], 0, LINE_OCTETS
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # inside a UTF-8 character: split before it
            end -= 1
        if data[end - 1] == 0x5C and end - 1 > start:  # a backslash: keep it with what it escapes
            end -= 1
        parts.append(data[start:end].decode())
        start, limit = end, LINE_OCTETS - 1  # a continuation line begins with a space
    parts.append(data[start:].decode())
    return "\r\n ".join(parts) + "\r\n"
