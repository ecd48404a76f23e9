"""The one writer of XLSX workbooks: every export (the office's, admin's) writes its sheet here, as
Excel users expect it: a named sheet, the header row frozen and filtered, columns sized to their
contents, dates as dates in the reader's own date format, numbers as numbers, and text as text,
never as a formula, whatever it starts with."""

import datetime
import re
from itertools import chain, islice

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.styles.numbers import FORMAT_DATE_XLSX14, FORMAT_DATE_XLSX22
from openpyxl.utils import get_column_letter

# A column is as wide as its header and the longest value of the first rows (the sheet is written
# as its rows come, so later ones are not seen before the columns are), within these bounds.
WIDTH_SAMPLE_ROWS = 200
COLUMN_WIDTHS = (8, 60)
# Characters Excel refuses in a sheet's name, and its longest name.
NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31


def yes_no(value):
    """A yes-or-no cell in the reader's language."""
    return _("yes") if value else _("no")


def sheet_name(name):
    """`name` as Excel accepts a sheet's name: without []:*?/\\, at most 31 characters."""
    return NOT_IN_SHEET_NAMES.sub(" ", str(name)).strip()[:SHEET_NAME_LENGTH] or "Sheet"


def write_xlsx(output, header, rows, *, sheet):
    """Write a workbook of one sheet named `sheet` to the file `output`: `header`, then `rows`.

    Rows may be a generator (QuerySet.iterator): the workbook is written in openpyxl's write-only
    mode, holding WIDTH_SAMPLE_ROWS rows at most, so memory does not grow with rows.
    """
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet_name(sheet))
    rows = iter(rows)
    first = [[_value(value) for value in row] for row in islice(rows, WIDTH_SAMPLE_ROWS)]
    # Why before the first row: a write-only sheet writes its columns and panes with it.
    for index, width in enumerate(_widths(header, first), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)
    worksheet.append([_cell(worksheet, str(name), font=bold) for name in header])
    count = 0
    for row in chain(first, ([_value(value) for value in row] for row in rows)):
        worksheet.append([_cell(worksheet, value) for value in row])
        count += 1
    worksheet.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{count + 1}"
    workbook.save(output)


def _value(value):
    """A value as a cell holds it: an aware time in the local time zone (Excel's times have none), a
    lazily translated text as text."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.make_naive(value)
    if isinstance(value, Promise):
        return str(value)
    return value


def _widths(header, rows):
    """Each column's width in characters: its header's or its longest value's, within COLUMN_WIDTHS."""
    shortest, widest = COLUMN_WIDTHS
    widths = [len(str(name)) for name in header]
    for row in rows:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _shown_length(value))
    return [min(max(width + 2, shortest), widest) for width in widths]


def _shown_length(value):
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def _cell(sheet, value, font=None):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
    elif isinstance(value, datetime.datetime):
        cell.number_format = FORMAT_DATE_XLSX22  # Excel's own date and time: the reader's format
    elif isinstance(value, datetime.date):
        cell.number_format = FORMAT_DATE_XLSX14  # Excel's own short date: the reader's format
    if font is not None:
        cell.font = font
    return cell
