"""The words and thresholds commitments are described in: choices, the figures statuses stand for,
and the one definition of each wording and rule that pages, exports and emails share."""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """What a progress event is. Lives here because targets say which kinds count toward them."""

    MEETING = "meeting", _("Meeting with staff")
    PANEL = "panel", _("Panel")
    TRAINING = "training", _("Training")
    TASK_FORCE = "task_force", _("Task-force meeting")
    HIGH_LEVEL_EVENT = "high_level_event", _("High-level event")
    OTHER = "other", _("Other")


def event_kind_unit(kind, number):
    """How a count target names what it counts, by the kind of event that counts toward it, agreed
    with the number it follows ("1 training", "3 trainings"; "1,5" is plural in English only, as
    gettext's plural rules say)."""
    n = int(number) if number is not None and number == int(number) else 2
    if kind == EventKind.MEETING:
        return ngettext("meeting", "meetings", n)
    if kind == EventKind.PANEL:
        return ngettext("panel", "panels", n)
    if kind == EventKind.TRAINING:
        return ngettext("training", "trainings", n)
    if kind == EventKind.TASK_FORCE:
        return ngettext("task-force meeting", "task-force meetings", n)
    if kind == EventKind.HIGH_LEVEL_EVENT:
        return ngettext("high-level event", "high-level events", n)
    return ngettext("event", "events", n)


def kinds_counted(target_kind, counts_kind):
    """The kinds of progress event that move a target's measured progress: the kind a count counts
    (every kind when it names none), panels for a percentage (women's share of their speakers), and
    none for an indicator (its reported values move it) or a milestone (its status). The one wording
    of it for forms and pages; the roll-ups count the same (commitments/rollups.py)."""
    if target_kind == TargetKind.COUNT:
        return (counts_kind,) if counts_kind else tuple(EventKind.values)
    if target_kind == TargetKind.PERCENTAGE:
        return (EventKind.PANEL,)
    return ()


class TargetKind(models.TextChoices):
    """How a commitment is measured: a count of events, women's share of panel speakers, a value
    the champion reports (an indicator, e.g. women among D-level staff, 28% to 40%), or a
    milestone whose status is its progress."""

    COUNT = "count", _("Count")
    PERCENTAGE = "percentage", _("Percentage")
    INDICATOR = "indicator", _("Indicator")
    MILESTONE = "milestone", _("Milestone")


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    COMPLETED = "completed", _("Completed")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class Approval(models.TextChoices):
    """Where a commitment is in being set: drafted by the champion's side, approved by the office."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


# Which approval states the champion's side may still edit, delete and submit.
EDITABLE_APPROVALS = (Approval.DRAFT, Approval.RETURNED)


# The default percentage each status stands for (used as a milestone's progress).
STATUS_PERCENT = {
    Status.NOT_STARTED: 0,
    Status.IN_PROGRESS: 25,
    Status.ON_TRACK: 60,
    Status.AT_RISK: 40,
    Status.OFF_TRACK: 20,
    Status.COMPLETED: 100,
    Status.NOT_ACHIEVED: 0,
}
CLOSED_STATUSES = (Status.COMPLETED, Status.NOT_ACHIEVED)
ROLLUP_FIELDS = [
    "events_in_cycle",
    "counted_events",
    "counted_in_field",
    "panels_logged",
    "panels_balanced",
    "panels_single_sex",
    "panel_women",
    "panel_men",
    "confirmed_panels",
    "confirmed_women",
    "confirmed_men",
    "self_reported_women",
    "self_reported_men",
    "last_event_on",
    "latest_value",
    "latest_value_on",
    "progress",
]
# A commitment as published (parts a) to d) on lines of their own), and the short title lists show.
TEXT_MAX_LENGTH = 2000
TITLE_MAX_LENGTH = 200


# Which stored fields decide which events count toward a commitment's roll-ups (see rollups.py).
COMMITMENT_FIELDS_COUNTED = {"cycle", "counts_kind"}
CYCLE_FIELDS_COUNTED = {"starts_on", "ends_on"}


def share_percent(part, whole):
    """`part` as a whole percentage of `whole`, rounded down, or None when there is nothing to
    divide: the one rule of every percentage the pages, reports and exports show.

    Why down: a percentage never overstates (99.6% of a target is 99%, never 100%), and it is what
    the database's integer division gives (progress in SQL), so Python and SQL agree.
    """
    return part * 100 // whole if whole else None


def average_percent(percents, count):
    """The average of `count` percentages that add up to `percents`, by share_percent's rule."""
    return share_percent(percents, 100 * count)


def women_share(women, men):
    """Women's share of panel speakers in percent, or None before any speaker: the one definition."""
    return share_percent(women, women + men)


def counted_unit_wording(counts_kind, unit, number):
    """Commitment.counted_unit from its fields (for rows read as values, as the export does), agreed
    with `number`. A unit the network wrote itself is its own words, kept as written."""
    if counts_kind or not unit:
        return event_kind_unit(counts_kind, number)
    return unit


def percent_wording(value):
    """A percentage in the reader's language ("46%", "46 %" in French, with a narrow no-break
    space), or a dash where there was nothing to divide (None). Every percentage shown goes
    through it (the `percent` template filter)."""
    if value is None:
        return "–"
    return gettext("%(number)s%%") % {"number": formats.number_format(value, use_l10n=True)}


def plain_number(value):
    """A target or a reported value as people write it, in the reader's language: 8, 12.5 (12,5 in
    French), never 8.00; empty for none."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return formats.number_format(value, use_l10n=True)


def target_wording(target_kind, target_value, counts_kind, unit, baseline=None):
    """Commitment.target_label from its fields: the one wording of a target (pages, admin, exports,
    emails), for rows read as values too."""
    if target_kind == TargetKind.COUNT:
        return f"{plain_number(target_value)} {counted_unit_wording(counts_kind, unit, target_value)}"
    if target_kind == TargetKind.PERCENTAGE:
        return gettext("%(share)s%% women speakers on panels") % {"share": plain_number(target_value)}
    if target_kind == TargetKind.INDICATOR:
        wording = {"baseline": plain_number(baseline), "target": plain_number(target_value), "unit": unit}
        if baseline is None:
            return (gettext("%(target)s %(unit)s") % wording).strip()
        return (gettext("from %(baseline)s to %(target)s %(unit)s") % wording).strip()
    return gettext("Milestone")


def title_from_text(text):
    """A commitment's short title from its text: the first line's first sentence, without its
    closing punctuation, cut at a word within TITLE_MAX_LENGTH characters ("..." when cut)."""
    first_line = next((line.strip() for line in str(text).splitlines() if line.strip()), "")
    sentence = re.split(r"(?<=[.;!?])\s", first_line, maxsplit=1)[0].rstrip(" .;:,")
    if len(sentence) <= TITLE_MAX_LENGTH:
        return sentence
    cut = sentence[: TITLE_MAX_LENGTH - 1].rsplit(" ", 1)[0].rstrip(" .;:,")
    return cut + "…"


def stale_cutoff(today=None):
    """An open commitment quiet since before this day is stale (STALE_AFTER_DAYS without progress)."""
    return (today or timezone.localdate()) - datetime.timedelta(days=settings.STALE_AFTER_DAYS)
