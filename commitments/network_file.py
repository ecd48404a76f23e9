"""The network's spreadsheet: one row per commitment, as a network publishes them.

Columns (English headers, or their French equivalents; see COLUMNS): champion, position,
organization, hub, email, focal_point_email, year, number, categories, text, title, target_kind,
target_value, baseline, unit, counted_kind, due_on, status. Only champion, organization, year and
text are required.

Reading is two steps. `plan()` reads the file against what is stored, in a fixed number of queries
whatever its size, and says what it would do: what is wrong with the file as a whole, each refused
row and why, what it would create (hubs, organizations, cycles, champions, people) and how many
commitments are new, updated or unchanged. It writes nothing: the preview is the plan. `apply()`
then writes the plan in one transaction, in bulk. Nobody is emailed: people created here have no
password until the office invites them.

Matching ignores case, accents and punctuation (accounts.text.match_key): a champion by email when
the row gives one, else by name and organization; an organization by name or acronym; a category
by its English or French label; a commitment by champion, year and number, or, without a number,
by the same text. An empty cell leaves a stored value as it is, so a second import of the same
file changes nothing.

The approval workflow: an import never moves a commitment through it, and emails nobody.
- A new commitment is a commitment the network has published, so it is created approved, and its
  history says so: an approval step "imported from the network's file", by the importer.
- An existing commitment's approval is left as it is. A file may carry an `approval` column (read,
  never written); a row asking for another approval than the import gives is refused, saying that
  commitments are approved and returned on the office's review page, where the champion is told.
- A status changes through Commitment.change_status, as on the pages, so each change is a status
  step; a new commitment imported as, say, completed has that step too. Pages send no email on a
  status change, and neither does an import.
Why refuse rather than approve or return through the workflow: those transitions are the office's
decisions about one champion's set, with a comment and an email the champion acts on; a file row
cannot carry that decision, and an import that emails nobody cannot tell the champion.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from accounts.text import match_key, spreadsheet_text
from accounts.validators import REFUSED_CATEGORIES, single_line
from champions.models import Champion, Hub, Organization
from commitments import data_version
from commitments.models import (
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Approval,
    ApprovalChange,
    Category,
    Commitment,
    Cycle,
    EventKind,
    Status,
    StatusChange,
    TargetKind,
    title_from_text,
)

# Each column, and its header in French. Headers match whatever their case, accents and spacing.
COLUMNS = {
    "champion": "champion",
    "position": "poste",
    "organization": "organisation",
    "hub": "pôle",
    "email": "courriel",
    "focal_point_email": "courriel du point focal",
    "year": "année",
    "number": "numéro",
    "categories": "catégories",
    "text": "texte",
    "title": "titre",
    "target_kind": "type de cible",
    "target_value": "valeur cible",
    "baseline": "valeur de départ",
    "unit": "unité",
    "counted_kind": "événements comptés",
    "due_on": "échéance",
    "status": "statut",
}
REQUIRED = ["champion", "organization", "year", "text"]
# Other spellings people use for a header.
HEADER_SYNONYMS = {
    "organisation": "organization",
    "championne": "champion",
    "valeur de reference": "baseline",
}
# Read but never written (see the module's docstring): the rows it may be given in are checked.
CHECKED_COLUMNS = {"approval": "approbation"}
HEADERS = {
    **{match_key(name): name for name in COLUMNS},
    **{match_key(name): name for name in CHECKED_COLUMNS},
    **{match_key(french): name for name, french in CHECKED_COLUMNS.items()},
    **{match_key(french): name for name, french in COLUMNS.items()},
    **{match_key(other): name for other, name in HEADER_SYNONYMS.items()},
}
# A file of more rows is refused while it is read (before any is checked).
MAX_ROWS = 20_000
# Several categories or focal points in one cell are separated by this.
SEPARATOR = ";"


class FileProblem(Exception):
    """What is wrong with the file as a whole: nothing in it can be imported."""


@dataclass
class RefusedRow:
    number: int  # the row's number in the spreadsheet (the header is row 1)
    first_words: str
    errors: list


@dataclass
class Plan:
    """What an import would do (see plan())."""

    file_errors: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    hubs: list = field(default_factory=list)
    organizations: list = field(default_factory=list)
    cycles: list = field(default_factory=list)
    people: list = field(default_factory=list)
    champions: list = field(default_factory=list)
    champion_updates: list = field(default_factory=list)
    focal_points: list = field(default_factory=list)  # (champion, user) links to add
    new: list = field(default_factory=list)  # (commitment, categories)
    updated: list = field(default_factory=list)  # (commitment, categories or None, status or None)
    unchanged: int = 0
    rows: int = 0

    @property
    def can_apply(self):
        return not self.file_errors and bool(
            self.new or self.updated or self.champions or self.champion_updates or self.focal_points
        )


@dataclass
class Result:
    commitments_created: int
    commitments_updated: int
    unchanged: int
    people: list  # the users created, for the office to invite


# Reading the file ---------------------------------------------------------------------------------


def read_rows(content, extension):
    """The file's header and rows (lists of cell values), or FileProblem saying why it cannot be read."""
    if extension == ".xlsx":
        table = _xlsx_rows(content)
    elif extension == ".csv":
        table = _csv_rows(content)
    else:
        raise FileProblem(_("Choose an .xlsx or a .csv file."))
    header = None
    rows = []
    for cells in table:
        if header is None:
            if any(_text(cell) for cell in cells):
                header = [_text(cell) for cell in cells]
            continue
        if len(rows) >= MAX_ROWS:
            raise FileProblem(
                _("The file has more than %(limit)s rows: split it into files of at most %(limit)s rows.")
                % {"limit": f"{MAX_ROWS:,}"}
            )
        rows.append(list(cells))
    if header is None:
        raise FileProblem(_("The file is empty: its first row should name the columns."))
    return header, rows


def _xlsx_rows(content):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # Why a generator: a read-only sheet streams its rows, so a file over MAX_ROWS is refused
        # without reading it all.
        yield from sheet.iter_rows(values_only=True)
    except FileProblem:
        raise
    except Exception as error:  # openpyxl fails in many ways on what is not a workbook
        raise FileProblem(_("The file cannot be read as an Excel workbook (.xlsx).")) from error


def _csv_rows(content):
    for encoding in ("utf-8-sig", "cp1252"):  # Excel writes CSV in UTF-8 or, on Windows, cp1252
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # (cp1252 decodes nearly anything)
        raise FileProblem(_("The file cannot be read as text: save it as CSV UTF-8."))
    first_line = text.split("\n", 1)[0]
    # Excel in French writes ";" between columns.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return spreadsheet_text(str(value).replace("\r\n", "\n").replace("\r", "\n").strip())


def columns_of(header):
    """{column: index} of a header row; FileProblem naming the unknown and missing columns."""
    columns, unknown = {}, []
    for index, name in enumerate(header):
        if not name:
            continue
        column = HEADERS.get(match_key(name))
        if column is None:
            unknown.append(name)
        elif column not in columns:
            columns[column] = index
    problems = []
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        problems.append(
            ngettext(
                "A required column is missing: %(columns)s.",
                "Required columns are missing: %(columns)s.",
                len(missing),
            )
            % {"columns": ", ".join(missing)}
        )
    if unknown:
        problems.append(
            ngettext(
                "Unknown column: %(columns)s.",
                "Unknown columns: %(columns)s.",
                len(unknown),
            )
            % {"columns": ", ".join(unknown)}
            + " "
            + _("Rename or remove it; the columns are: %(allowed)s.") % {"allowed": ", ".join(COLUMNS)}
        )
    if problems:
        raise FileProblem(" ".join(problems))
    return columns


# Reading one row's values --------------------------------------------------------------------------


class RowError(Exception):
    """A cell's value is refused: the message says which and what is allowed."""


def _single_line(value, column, max_length):
    text = " ".join(value.split())
    if len(text) > max_length:
        raise RowError(
            _("%(column)s: at most %(limit)s characters (%(count)s given).")
            % {"column": column, "limit": max_length, "count": len(text)}
        )
    return single_line(text)


def _long_text(value, column):
    lines = [" ".join(line.split()) for line in value.split("\n")]
    text = "\n".join(lines).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    if len(text) > TEXT_MAX_LENGTH:
        raise RowError(
            _("%(column)s: at most %(limit)s characters (%(count)s given).")
            % {"column": column, "limit": TEXT_MAX_LENGTH, "count": len(text)}
        )
    # Why check first: most texts have no control or format character, and the check costs far
    # less than looking each character's category up.
    if text.replace("\n", "").isprintable():
        return text
    import unicodedata

    return "".join(
        character
        for character in text
        if character == "\n" or unicodedata.category(character) not in REFUSED_CATEGORIES
    )


def _year(value):
    try:
        year = int(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError):
        raise RowError(_("year: give the year as four digits, for example 2026.")) from None
    if not 1990 <= year <= 2100:
        raise RowError(_("year: %(year)s is not a year of the network.") % {"year": year})
    return year


def _number(value):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RowError(_("number: give a whole number from 1, or leave it empty.")) from None
    if number != int(number) or number < 1:
        raise RowError(_("number: give a whole number from 1, or leave it empty."))
    return int(number)


def _decimal(value, column):
    """A number as spreadsheets write it: 40, 40%, 12.5, 12,5 or 1 000."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    text = str(value).strip().rstrip("%").replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise RowError(
            _("%(column)s: %(value)s is not a number.") % {"column": column, "value": value}
        ) from None
    if not number.is_finite() or abs(number) >= 10**10:
        raise RowError(_("%(column)s: %(value)s is not a number.") % {"column": column, "value": value})
    return number.quantize(Decimal("0.01"))


def _date(value, column):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RowError(
        _("%(column)s: %(value)s is not a date; write it as 2026-12-31 (or 31/12/2026).")
        % {"column": column, "value": value}
    )


class _Choices:
    """A choice read by its stored value or its label in English or French (the labels are read
    once per file, not once per cell)."""

    def __init__(self, column, choices, synonyms=()):
        self.column, self.choices = column, choices
        self.by_key = {}
        for stored, label in choices:  # the first choice a name matches wins, then the synonyms
            for name in (stored, _label(label, "en"), _label(label, "fr")):
                self.by_key.setdefault(match_key(name), stored)
        for other, stored in synonyms:
            self.by_key.setdefault(match_key(other), stored)

    def read(self, value):
        if value in (None, ""):
            return None
        stored = self.by_key.get(match_key(value))
        if stored is None:
            allowed = ", ".join(f"{name} ({label})" for name, label in self.choices)
            raise RowError(
                _("%(column)s: %(value)s is not one of the allowed values: %(allowed)s.")
                % {"column": self.column, "value": value, "allowed": allowed}
            )
        return stored


def _label(label, language):
    with translation.override(language):
        return str(label)


def _emails(value, column):
    emails = []
    for part in re.split(r"[;,\s]+", value or ""):
        if not part:
            continue
        email = User.objects.normalize_email(part)
        try:
            validate_email(email)
        except ValidationError:
            raise RowError(
                _("%(column)s: %(value)s is not an email address.") % {"column": column, "value": part}
            ) from None
        emails.append(email)
    return emails


TARGET_KIND_SYNONYMS = [
    ("nombre", TargetKind.COUNT),
    ("pourcentage", TargetKind.PERCENTAGE),
    ("jalon", TargetKind.MILESTONE),
]


# Planning -----------------------------------------------------------------------------------------


def plan(content, extension, today=None):
    """What importing this file would do (a Plan); nothing is written."""
    today = today or timezone.localdate()
    result = Plan()
    try:
        header, rows = read_rows(content, extension)
        columns = columns_of(header)
    except FileProblem as problem:
        result.file_errors.append(str(problem))
        return result
    result.rows = len(rows)
    _Planner(result, columns, today).plan(rows)
    return result


class _Planner:
    """Works a file's rows out against what is stored, read once (see plan()).

    A row either goes in whole or is refused whole: what it would create (a hub, a champion, a
    number taken) is kept aside in `self.pending` and registered only once the row is accepted.
    """

    # Columns whose cells keep the spreadsheet's own type (a number, a date); the rest are text.
    TYPED = {"year", "number", "target_value", "baseline", "due_on"}

    def __init__(self, result, columns, today):
        self.result, self.columns, self.today = result, columns, today
        self.target_kinds = _Choices("target_kind", TargetKind.choices, TARGET_KIND_SYNONYMS)
        self.counted_kinds = _Choices("counted_kind", EventKind.choices)
        self.statuses = _Choices("status", Status.choices)
        self.approvals = _Choices("approval", Approval.choices)

    def plan(self, rows):
        values = [self.values(cells) for cells in rows]
        self.load(values)
        for number, row in enumerate(values, start=2):
            if not any(value not in (None, "") for value in row.values()):
                continue  # an empty line
            self.pending, self.row_users = [], {}
            try:
                self.plan_row(row)
            except RowError as error:
                self.refuse(number, row, [str(error)])
                continue
            except ValidationError as error:
                self.refuse(number, row, _messages(error))
                continue
            for register in self.pending:
                register()

    def values(self, cells):
        row = {}
        for column, index in self.columns.items():
            cell = cells[index] if index < len(cells) else None
            typed = column in self.TYPED and isinstance(cell, (datetime.date, int, float, Decimal))
            row[column] = cell if typed else _text(cell)
        return row

    def refuse(self, number, row, errors):
        words = str(row.get("text") or row.get("champion") or "").split()
        first_words = " ".join(words[:8]) + (" …" if len(words) > 8 else "")
        self.result.refused.append(RefusedRow(number, first_words, errors))

    # What is stored, read once.

    def load(self, rows):
        self.hubs = {match_key(hub.name): hub for hub in Hub.objects.all()}
        self.organizations = {}
        for organization in Organization.objects.order_by("pk"):
            for name in (organization.name, organization.acronym):
                if name:
                    self.organizations.setdefault(match_key(name), organization)
        self.cycles = {cycle.year: cycle for cycle in Cycle.objects.all()}
        self.categories = Category.objects.by_label()
        emails = set()
        for row in rows:
            for column in ("email", "focal_point_email"):
                emails.update(
                    part.lower() for part in re.split(r"[;,\s]+", str(row.get(column) or "")) if part
                )
        self.users = {
            user.email.lower(): user
            for user in User.objects.alias(email_key=Lower("email")).filter(email_key__in=emails)
        }
        # Champions by the email they sign in with, and by name and organization (a planned
        # organization or champion is keyed by the object itself until it has an id).
        self.champions_by_email, self.champions_by_name, self.focal_points = {}, {}, {}
        for champion in Champion.objects.select_related("user").prefetch_related("focal_points"):
            if champion.user_id:
                self.champions_by_email[champion.user.email.lower()] = champion
            self.champions_by_name.setdefault(
                (match_key(champion.full_name), champion.organization_id), champion
            )
            self.focal_points[champion.pk] = {user.email.lower() for user in champion.focal_points.all()}
        years = {_year_or_none(row.get("year")) for row in rows}
        self.commitments, self.by_text, self.numbers = {}, {}, {}
        stored = (
            Commitment.objects.filter(cycle__year__in=years - {None})
            .select_related("cycle")
            .prefetch_related("categories")
        )
        for commitment in stored:
            key = (commitment.champion_id, commitment.cycle.year)
            self.commitments[(*key, commitment.number)] = commitment
            self.by_text.setdefault((*key, match_key(commitment.text)), commitment)
            self.numbers.setdefault(key, set()).add(commitment.number)
        self.seen = set()  # (champion, year, number) of the rows accepted so far

    # One row.

    def plan_row(self, row):
        name = _single_line(row["champion"], "champion", 150)
        organization_name = _single_line(row["organization"], "organization", 200)
        text = _long_text(row["text"], "text")
        if not name:
            raise RowError(_("champion: give the champion's full name."))
        if not organization_name:
            raise RowError(_("organization: give the champion's organization."))
        if not text:
            raise RowError(_("text: give the commitment as published."))
        year = _year(row["year"])
        number = _number(row.get("number"))
        emails = _emails(row.get("email"), "email")
        if len(emails) > 1:
            raise RowError(_("email: give one address, the champion's own."))
        focal_emails = _emails(row.get("focal_point_email"), "focal_point_email")
        title = _single_line(row.get("title", ""), "title", TITLE_MAX_LENGTH)
        position = _single_line(row.get("position", ""), "position", 255)
        hub_name = _single_line(row.get("hub", ""), "hub", 100)
        categories = self.categories_of(row.get("categories", ""))
        target_kind = self.target_kinds.read(row.get("target_kind"))
        target_value = _decimal(row.get("target_value"), "target_value")
        baseline = _decimal(row.get("baseline"), "baseline")
        unit = _single_line(row.get("unit", ""), "unit", 60)
        counts_kind = self.counted_kinds.read(row.get("counted_kind"))
        due_on = _date(row.get("due_on"), "due_on")
        status = self.statuses.read(row.get("status"))
        approval = self.approvals.read(row.get("approval"))
        target_kind = _target_kind(target_kind, target_value, baseline, unit, counts_kind)

        cycle = self.cycle(year)
        organization = self.organization(organization_name)
        hub = self.hub(hub_name) if hub_name else None
        champion = self.champion(name, organization, emails[0] if emails else None, position, hub)
        for email in focal_emails:
            self.add_focal_point(champion, email)

        fields = {
            "text": text,
            "title": title,
            "target_kind": target_kind,
            "target_value": target_value,
            "baseline": baseline,
            "unit": unit,
            "counts_kind": counts_kind,
            "due_on": due_on,
        }
        stored = self.stored(champion, year, number, text)
        _check_approval(approval, stored)
        if stored is None:
            number = number or self.next_number(champion, cycle)
            self.take_number(champion, cycle, number)
            self.plan_new(champion, cycle, number, fields, categories, status)
        else:
            self.take_number(champion, cycle, stored.number)
            self.plan_update(stored, fields, categories, status)

    def categories_of(self, cell):
        found, unknown = [], []
        for label in (part.strip() for part in str(cell or "").split(SEPARATOR)):
            if not label:
                continue
            category = self.categories.get(match_key(label))
            if category is None:
                unknown.append(label)
            elif category not in found:
                found.append(category)
        if unknown:
            # In the reader's language, each category once (by_label holds both labels of each).
            allowed = "; ".join(dict.fromkeys(category.label for category in self.categories.values()))
            raise RowError(
                _("categories: %(labels)s is not a category of the network; the categories are: %(allowed)s.")
                % {"labels": "; ".join(unknown), "allowed": allowed}
            )
        return found or None

    def later(self, register):
        self.pending.append(register)

    def cycle(self, year):
        cycle = self.cycles.get(year)
        if cycle is None:
            cycle = Cycle(year=year, **Cycle.calendar_year(year))
            cycle.is_closed = cycle.ends_on < self.today
            self.later(lambda: (self.cycles.setdefault(year, cycle), self.result.cycles.append(cycle)))
        return cycle

    def organization(self, name):
        key = match_key(name)
        organization = self.organizations.get(key)
        if organization is None:
            organization = Organization(name=name, acronym="")
            self.later(
                lambda: (
                    self.organizations.setdefault(key, organization),
                    self.result.organizations.append(organization),
                )
            )
        return organization

    def hub(self, name):
        key = match_key(name)
        hub = self.hubs.get(key)
        if hub is None:
            hub = Hub(name=name)
            self.later(lambda: (self.hubs.setdefault(key, hub), self.result.hubs.append(hub)))
        return hub

    def user(self, email, full_name=""):
        key = email.lower()
        user = self.users.get(key) or self.row_users.get(key)
        if user is None:
            # No password: the person signs in once the office has invited them.
            user = self.row_users[key] = User(email=email, full_name=full_name, password=make_password(None))
            self.later(lambda: (self.users.setdefault(key, user), self.result.people.append(user)))
        return user

    def champion(self, name, organization, email, position, hub):
        """The row's champion: by email, else by name and organization; planned when new."""
        by_name = (match_key(name), organization.pk or id(organization))
        champion = self.champions_by_email.get(email.lower()) if email else None
        if champion is not None and match_key(champion.full_name) != match_key(name):
            # Why refused, not matched: an office address passed on to a successor must not give
            # the new champion's commitments to the one who left.
            raise RowError(
                _("email: %(email)s is the address of %(other)s, not of %(name)s.")
                % {"email": email, "other": champion.full_name, "name": name}
            )
        if champion is None:
            champion = self.champions_by_name.get(by_name)
            if champion is not None and email and champion.user is not None:
                raise RowError(
                    _("email: %(name)s of %(organization)s signs in with another address.")
                    % {"name": name, "organization": organization.name}
                )
        user = self.user(email, name) if email else None
        if champion is None:
            champion = Champion(full_name=name, title=position, organization=organization, hub=hub, user=user)
            self.later(
                lambda: (
                    self.result.champions.append(champion),
                    self.focal_points.setdefault(id(champion), set()),
                )
            )
        elif user is not None and champion.user is None:
            self.later(lambda: self.attach(champion, user))
        if email:
            self.later(lambda: self.champions_by_email.setdefault(email.lower(), champion))
        self.later(lambda: self.champions_by_name.setdefault(by_name, champion))
        return champion

    def attach(self, champion, user):
        """A champion without a sign-in gets the account the row names."""
        champion.user = user
        if champion.pk:
            self.result.champion_updates.append(champion)

    def add_focal_point(self, champion, email):
        user = self.user(email)
        if champion.user is user or (
            email.lower() == (champion.user.email.lower() if champion.user else None)
        ):
            return
        links = self.focal_points.setdefault(champion.pk or id(champion), set())
        if email.lower() not in links:
            self.later(lambda: (links.add(email.lower()), self.result.focal_points.append((champion, user))))

    def stored(self, champion, year, number, text):
        if not champion.pk:
            return None
        if number is not None:
            return self.commitments.get((champion.pk, year, number))
        return self.by_text.get((champion.pk, year, match_key(text)))

    def next_number(self, champion, cycle):
        taken = self.numbers.get((champion.pk or id(champion), cycle.year), set())
        number = next((n for n in range(1, cycle.max_commitments + 1) if n not in taken), None)
        if number is None:
            raise RowError(
                _("%(champion)s has more commitments in %(year)s than the cycle allows (%(maximum)s).")
                % {"champion": champion.full_name, "year": cycle.year, "maximum": cycle.max_commitments}
            )
        return number

    def take_number(self, champion, cycle, number):
        key = (champion.pk or id(champion), cycle.year, number)
        if key in self.seen:
            raise RowError(
                _("Another row of this file has the same champion, year and number (%(number)s).")
                % {"number": number}
            )
        self.later(
            lambda: (
                self.seen.add(key),
                self.numbers.setdefault((champion.pk or id(champion), cycle.year), set()).add(number),
            )
        )

    def plan_new(self, champion, cycle, number, fields, categories, status):
        fields = {name: value for name, value in fields.items() if value not in (None, "")}
        fields.setdefault("target_kind", TargetKind.MILESTONE)
        fields.setdefault("due_on", cycle.ends_on)
        fields.setdefault("title", title_from_text(fields["text"]))
        commitment = Commitment(
            champion=champion,
            cycle=cycle,
            number=number,
            status=status or Status.NOT_STARTED,
            approval=Approval.APPROVED,
            **fields,
        )
        self.validate(commitment, cycle)
        self.later(lambda: self.result.new.append((commitment, categories or [])))

    def plan_update(self, commitment, fields, categories, status):
        changes = {
            name: value
            for name, value in fields.items()
            if value not in (None, "") and getattr(commitment, name) != value
        }
        if categories is not None and {c.pk for c in categories} == {
            c.pk for c in commitment.categories.all()
        }:
            categories = None
        if status == commitment.status:
            status = None
        if status and not commitment.is_approved:
            raise RowError(_("status: this commitment is not approved yet; its status cannot change."))
        if not changes and categories is None and status is None:
            self.later(self.count_unchanged)
            return
        before = {name: getattr(commitment, name) for name in changes}
        for name, value in changes.items():
            setattr(commitment, name, value)
        try:
            self.validate(commitment, commitment.cycle)
        except (RowError, ValidationError):
            for name, value in before.items():  # as it is stored: the row is refused
                setattr(commitment, name, value)
            raise
        self.later(lambda: self.result.updated.append((commitment, list(changes), categories, status)))

    def count_unchanged(self):
        self.result.unchanged += 1

    def validate(self, commitment, cycle):
        """The commitment's rules (Commitment.clean and its fields' limits), without a query."""
        if commitment.number > cycle.max_commitments:
            raise RowError(
                _("number: the %(year)s cycle allows at most %(maximum)s commitments per champion.")
                % {"year": cycle.year, "maximum": cycle.max_commitments}
            )
        if not cycle.contains(commitment.due_on):
            raise RowError(
                _("due_on: %(day)s is not in %(year)s (from %(start)s to %(end)s).")
                % {
                    "day": commitment.due_on,
                    "year": cycle.year,
                    "start": cycle.starts_on,
                    "end": cycle.ends_on,
                }
            )
        commitment.full_clean(
            exclude=["champion", "cycle", "due_on", "number", "carried_from"],
            validate_unique=False,
            validate_constraints=False,
        )


def _check_approval(approval, stored):
    """A row's approval, if it gives one, must be what the import leaves: approved for a new
    commitment, the stored approval for another (see the module's docstring)."""
    if approval is None:
        return
    if stored is None and approval != Approval.APPROVED:
        raise RowError(
            _(
                "approval: a commitment imported from the network's file is approved (the network "
                "published it); a draft is written by its champion on their commitments page."
            )
        )
    if stored is not None and approval != stored.approval:
        raise RowError(
            _(
                "approval: this commitment is %(stored)s; an import does not approve or return "
                "commitments: the office does it on its review page, and the champion is told."
            )
            % {"stored": stored.get_approval_display().lower()}
        )


def _year_or_none(value):
    try:
        return _year(value)
    except RowError:
        return None


def _target_kind(kind, value, baseline, unit, counts_kind):
    """The kind of target a row gives, or reads as: none given and no value, a milestone; a value
    with the events that count, a count; a value with a baseline or a unit, an indicator."""
    if kind:
        return kind
    if value is None:
        return TargetKind.MILESTONE if baseline is None else None
    if counts_kind:
        return TargetKind.COUNT
    if baseline is not None or unit:
        return TargetKind.INDICATOR
    raise RowError(
        _(
            "target_kind: say what the target %(value)s measures: count, percentage (of women speakers on "
            "panels), indicator (a value with a unit) or milestone."
        )
        % {"value": value}
    )


def _messages(error):
    if hasattr(error, "message_dict"):
        return [
            f"{name}: {message}" if name not in ("__all__", None) else message
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)


# Writing the plan ---------------------------------------------------------------------------------


def apply(result, user):
    """Write what `result` (a Plan) says, in one transaction, in bulk; returns a Result."""
    with transaction.atomic():
        Hub.objects.bulk_create(result.hubs)
        Organization.objects.bulk_create(result.organizations)
        Cycle.objects.bulk_create(result.cycles)
        User.objects.bulk_create(result.people)
        for champion in result.champions:
            champion.organization = champion.organization  # the ids of objects created above
            champion.hub = champion.hub
            champion.user = champion.user
        bulk_create_with_history(result.champions, Champion, default_user=user)
        for champion in result.champion_updates:
            champion.user = champion.user
        if result.champion_updates:
            bulk_update_with_history(result.champion_updates, Champion, ["user"], default_user=user)
        Champion.focal_points.through.objects.bulk_create(
            [Champion.focal_points.through(champion_id=c.pk, user_id=u.pk) for c, u in result.focal_points],
            ignore_conflicts=True,
        )
        new = [commitment for commitment, _categories in result.new]
        for commitment in new:
            commitment.champion = commitment.champion
            commitment.cycle = commitment.cycle
        bulk_create_with_history(new, Commitment, default_user=user, batch_size=1000)
        through = Commitment.categories.through
        links = [
            through(commitment_id=commitment.pk, category_id=category.pk)
            for commitment, categories in result.new
            for category in categories
        ]
        updated = [commitment for commitment, *_rest in result.updated]
        changed_fields = sorted({name for _c, changed, *_rest in result.updated for name in changed})
        if changed_fields:
            bulk_update_with_history(
                [commitment for commitment, changed, *_rest in result.updated if changed],
                Commitment,
                [*changed_fields, "updated_at"] if "updated_at" not in changed_fields else changed_fields,
                default_user=user,
                batch_size=1000,
            )
        recategorised = [
            (c, categories) for c, _changed, categories, _s in result.updated if categories is not None
        ]
        through.objects.filter(commitment__in=[c.pk for c, _ in recategorised]).delete()
        links += [
            through(commitment_id=commitment.pk, category_id=category.pk)
            for commitment, categories in recategorised
            for category in categories
        ]
        through.objects.bulk_create(links, ignore_conflicts=True)
        imported = _("Imported from the network's file.")
        # The workflow's record of the new commitments: approved by the import, with the status
        # the file gave (see the module's docstring). Nobody is emailed.
        ApprovalChange.objects.bulk_create(
            [
                ApprovalChange(
                    commitment=commitment,
                    old_approval=Approval.DRAFT,
                    new_approval=Approval.APPROVED,
                    comment=imported,
                    changed_by=user,
                )
                for commitment in new
            ],
            batch_size=1000,
        )
        StatusChange.objects.bulk_create(
            [
                StatusChange(
                    commitment=commitment,
                    old_status=Status.NOT_STARTED,
                    new_status=commitment.status,
                    comment=imported,
                    changed_by=user,
                )
                for commitment in new
                if commitment.status != Status.NOT_STARTED
            ],
            batch_size=1000,
        )
        for commitment, _changed, _categories, status in result.updated:
            if status:
                commitment.change_status(status, user, imported)
        Commitment.objects.filter(pk__in=[c.pk for c in new + updated]).recount_rollups()
        data_version.changed()
    return Result(len(new), len(updated), result.unchanged, list(result.people))


# Writing the file ---------------------------------------------------------------------------------


def header(language=None):
    """The columns' headers in `language` (English unless it is French)."""
    french = (language or translation.get_language() or "").startswith("fr")
    return [COLUMNS[name] if french else name for name in COLUMNS]


def year_of(commitments):
    """The year of `commitments` when they are all of one cycle, else None."""
    years = list(commitments.order_by().values_list("cycle__year", flat=True).distinct()[:2])
    return years[0] if len(years) == 1 else None


def file_stem(year=None):
    """The name of a file of commitments, without its extension: of one year ("commitments-2026")."""
    return f"commitments-{year}" if year else "commitments"


def sheet_title(year=None):
    """The name of a sheet of commitments: of one year ("Commitments 2026"), or of all."""
    return _("Commitments %(year)s") % {"year": year} if year else _("Commitments")


def rows(commitments):
    """Each commitment as a row of the network's file, in the reader's language where a value is a
    label (categories, kinds, statuses): it imports back unchanged."""
    commitments = commitments.select_related(
        "champion__organization", "champion__hub", "champion__user", "cycle"
    ).prefetch_related("categories", "champion__focal_points")
    kinds, events, statuses = dict(TargetKind.choices), dict(EventKind.choices), dict(Status.choices)
    for commitment in commitments.order_by("cycle__year", "champion__full_name", "number"):
        champion = commitment.champion
        yield [
            champion.full_name,
            champion.title,
            champion.organization.name,
            champion.hub.name if champion.hub else "",
            champion.user.email if champion.user else "",
            f"{SEPARATOR} ".join(user.email for user in champion.focal_points.all()),
            commitment.cycle.year,
            commitment.number,
            f"{SEPARATOR} ".join(category.label for category in commitment.categories.all()),
            commitment.text,
            commitment.title,
            str(kinds[commitment.target_kind]),
            commitment.target_value,
            commitment.baseline,
            commitment.unit,
            str(events[commitment.counts_kind]) if commitment.counts_kind else "",
            commitment.due_on,
            str(statuses[commitment.status]),
        ]
