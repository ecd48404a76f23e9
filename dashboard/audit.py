"""A commitment's audit trail: each change to it, its progress events and its check-ins, with the
value of each changed field before and after.

Every version of those rows is kept by simple-history, so a change is read as the difference between
a version and the one before it; nothing else is stored. Values are shown as people read them: the
label of a choice, the name of a related row, yes or no, a number as written.
"""

import datetime
import functools
import operator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, FileField, ForeignKey, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_m2m_reverse_field_name

from commitments.models import Comment, TargetKind, plain_number
from commitments.spreadsheets import yes_no
from events.models import CheckIn, ProgressEvent

ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class Change:
    """One field of a change: its name, and its values before and after (None: none)."""

    field: str
    old: object
    new: object


@dataclass
class Entry:
    when: datetime.datetime
    who: object  # the user, or None (the system, or a deleted account)
    what: str  # the kind of row: commitment, progress event, check-in
    action: str
    title: str
    # What a change changed; None when the version before it is not kept (the values are unknown).
    changes: list | None


def audit_trail(commitment, limit=None):
    """The commitment's audit trail, newest first: at most `limit` versions of each kind of row.

    Costs a query per kind of row, and, only when changes need them, one for the versions before
    the oldest ones read, one for categories, one per kind of related row named.
    """
    histories = [
        commitment.history.all(),
        ProgressEvent.history.filter(commitment_id=commitment.pk),
    ]
    if commitment.target_kind == TargetKind.INDICATOR:
        histories.append(CheckIn.history.filter(commitment_id=commitment.pk))
    histories.append(Comment.history.filter(commitment_id=commitment.pk))
    records = []
    for history in histories:
        history = history.select_related("history_user").order_by("-history_date", "-history_id")
        records.extend(history[:limit] if limit else history)
    records.sort(key=lambda record: (record.history_date, record.history_id))
    before = _versions_before(records)
    diffs = {
        record: _differences(record, before[record])
        for record in records
        if record.history_type == "~" and before.get(record) is not None
    }
    labels = _Labels(diffs)
    trail = []
    for record in records:
        changes = None
        if record in diffs:
            changes = [labels.change(record, *difference) for difference in diffs[record]]
            changes = [change for change in changes if change is not None]
            if not changes:
                continue  # a save that changed nothing shown (a roll-up, a time stamp)
        elif record.history_type != "~":
            changes = []
        trail.append(
            Entry(
                when=record.history_date,
                who=record.history_user,
                what=record.instance_type._meta.verbose_name,
                action=ACTIONS[record.history_type],
                title=_title(record),
                changes=changes,
            )
        )
    return trail[::-1]


def _versions_before(records):
    """{record: the version of the same row before it}, for the records in time order.

    The version before each is in `records`, except before the oldest one read of each row: those
    are read with one query per kind of row, and only for changes (a creation has none before it).
    """
    previous, before, missing = {}, {}, {}
    for record in records:
        key = (type(record), record.id)
        if key in previous:
            before[record] = previous[key]
        elif record.history_type == "~":
            missing.setdefault(type(record), []).append(record)
        previous[key] = record
    for kind, changes in missing.items():
        earlier = functools.reduce(
            operator.or_, (Q(id=record.id, history_date__lt=record.history_date) for record in changes)
        )
        latest = (
            kind._default_manager.filter(earlier)
            .annotate(rank=Window(RowNumber(), partition_by=F("id"), order_by=F("history_date").desc()))
            .filter(rank=1)
        )
        found = {version.id: version for version in latest}
        for record in changes:
            before[record] = found.get(record.id)
    return before


def _differences(record, before):
    """(field, old, new) of each field the record changed from `before`, many-to-many fields apart
    (their values are read for all records at once: _Labels)."""
    plain = [field.name for field in record.tracked_fields if field.editable]
    delta = record.diff_against(before, included_fields=plain)
    # In the order of the model's fields, as its forms show them.
    differences = sorted(
        ((change.field, change.old, change.new) for change in delta.changes), key=lambda d: plain.index(d[0])
    )
    for field in record._history_m2m_fields:
        differences.append((field.name, before, record))  # versions, compared once their rows are read
    return differences


class _Labels:
    """Each changed value as people read it, the related rows named with a query per kind of row."""

    def __init__(self, diffs):
        self.related = {}  # {model: {pk: row}}
        self.m2m = {}  # {(history model, field name): {history_id: frozenset of related pks}}
        wanted = {}
        versions = {}
        for record, differences in diffs.items():
            model = record.instance_type
            for name, old, new in differences:
                field = model._meta.get_field(name)
                if field.many_to_many:
                    versions.setdefault((type(record), name), set()).update((old.history_id, new.history_id))
                elif isinstance(field, ForeignKey):
                    wanted.setdefault(field.related_model, set()).update({old, new} - {None})
        for (kind, name), history_ids in versions.items():
            field = kind.instance_type._meta.get_field(name)
            rows = getattr(kind, name).model.objects.filter(history_id__in=history_ids)
            related = get_m2m_reverse_field_name(field)
            values = {history_id: set() for history_id in history_ids}
            for history_id, pk in rows.values_list("history_id", f"{related}_id"):
                values[history_id].add(pk)
            self.m2m[kind, name] = {history_id: frozenset(pks) for history_id, pks in values.items()}
            wanted.setdefault(field.related_model, set()).update(*values.values())
        for model, pks in wanted.items():
            self.related[model] = model._default_manager.in_bulk(pks)

    def change(self, record, name, old, new):
        field = record.instance_type._meta.get_field(name)
        if field.many_to_many:
            values = self.m2m[type(record), name]
            old, new = values[old.history_id], values[new.history_id]
            if old == new:
                return None
        return Change(field.verbose_name, self.shown(field, old), self.shown(field, new))

    def shown(self, field, value):
        if value is None or value == "":
            return None
        if field.many_to_many:
            names = sorted(self._name(field.related_model, pk) for pk in value)
            return "; ".join(names) or None
        if isinstance(field, ForeignKey):
            return self._name(field.related_model, value)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return yes_no(value)
        if isinstance(value, Decimal):
            return plain_number(value)
        if isinstance(field, FileField):
            # The stored name is the storage's own (a random name under evidence/): the file's own
            # name is the row's other field (evidence_name), shown with it.
            return _("a file")
        return value

    def _name(self, model, pk):
        row = self.related.get(model, {}).get(pk)
        if row is None:
            return f"#{pk}"  # deleted since
        # A person by the email they sign in with: a name is their own text and may change.
        return getattr(row, "email", None) or str(row)


def _title(record):
    """What a record is about: its title, or, for a check-in, which has none, its value and day, or
    for a comment the start of its text."""
    if hasattr(record, "title"):
        return record.title
    if hasattr(record, "text"):
        return Truncator(record.text).chars(80)
    return f"{plain_number(record.value)} ({date_format(record.measured_on, 'SHORT_DATE_FORMAT')})"


def csv_rows(trail):
    """The trail as rows of a CSV file: a row per changed field (one for a creation or deletion)."""
    for entry in trail:
        when = timezone.localtime(entry.when).strftime("%Y-%m-%d %H:%M")
        who = [entry.who.full_name, entry.who.email] if entry.who else [str(_("system")), ""]
        start = [when, *who, str(entry.what), str(entry.action), entry.title]
        if not entry.changes:
            yield [*start, "", "", ""]
        for change in entry.changes or []:
            yield [*start, str(change.field), _csv_value(change.old), _csv_value(change.new)]


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
