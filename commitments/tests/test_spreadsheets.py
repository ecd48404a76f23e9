"""The one XLSX writer (commitments/spreadsheets.py), read back as Excel would read it."""

import datetime
import io
import zoneinfo
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from commitments.spreadsheets import sheet_name, write_xlsx


def written(header, rows, sheet="Commitments 2026"):
    output = io.BytesIO()
    write_xlsx(output, header, rows, sheet=sheet)
    return load_workbook(io.BytesIO(output.getvalue())).active


def test_it_writes_dates_numbers_and_text_as_such():
    moment = datetime.datetime(2026, 6, 30, 22, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    with timezone.override("Europe/Paris"):
        sheet = written(
            ["when", "day", "count", "share", "text", "formula", "nothing", "lazy"],
            [
                [
                    moment,
                    datetime.date(2027, 12, 31),
                    3,
                    Decimal("12.5"),
                    "Town hall",
                    "=1+1",
                    None,
                    gettext_lazy("yes"),
                ]
            ],
        )
    when, day, count, share, text, formula, nothing, lazy = sheet[2]
    assert when.is_date and when.value == datetime.datetime(
        2026, 7, 1, 0, 30
    )  # local time, Excel has no zones
    assert day.is_date and day.value == datetime.datetime(2027, 12, 31) and day.number_format == "mm-dd-yy"
    assert (count.value, count.data_type) == (3, "n")
    assert (share.value, share.data_type) == (12.5, "n")
    assert (text.value, formula.value, formula.data_type) == ("Town hall", "=1+1", "s")  # never a formula
    assert nothing.value is None and lazy.value == "yes"


def test_its_sheet_is_named_frozen_filtered_and_sized():
    rows = ([n, "x" * (n * 10)] for n in range(1, 11))  # a generator, as exports give

    sheet = written(["number", "text"], rows)

    assert sheet.title == "Commitments 2026"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B11"
    assert sheet.column_dimensions["A"].width == 8  # the narrowest
    assert sheet.column_dimensions["B"].width == 60  # the widest, for a text of 100 characters
    assert all(cell.font.bold for cell in sheet[1])


def test_a_sheet_name_is_one_excel_accepts():
    assert sheet_name("Commitments [2026]: a/b?") == "Commitments  2026   a b"
    assert len(sheet_name("x" * 40)) == 31
    assert sheet_name("") == "Sheet"
