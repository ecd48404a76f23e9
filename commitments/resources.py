"""Admin's Export and Import of commitments (django-import-export), in the network's columns.

The Export writes the selected commitments as the office's export does (commitments/network_file.py:
the network's columns, labels in the reader's language), so a file exported from admin imports back
unchanged. The Import is the office's network import (dashboard/imports.py): one set of columns,
one preview, whichever door it is reached by.
"""

import io

import tablib
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.fields import Field
from import_export.formats.base_formats import CSV, XLSX

from accounts.text import spreadsheet_safe
from commitments import network_file
from commitments.models import Commitment
from commitments.spreadsheets import write_xlsx


class ExcelCSV(CSV):
    """CSV that Excel opens as UTF-8: with a byte-order mark (imports read it with or without)."""

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + super().export_data(dataset, **kwargs)


class ExcelXLSX(XLSX):
    """XLSX written by the product's one workbook writer (commitments/spreadsheets.py): the dataset's
    title names its sheet."""

    def export_data(self, dataset, **kwargs):
        output = io.BytesIO()
        write_xlsx(output, dataset.headers, (list(row) for row in dataset), sheet=dataset.title)
        return output.getvalue()


FORMATS = [ExcelCSV, ExcelXLSX]


class NetworkFileResource(resources.Resource):
    """The network's columns, for admin's Export (the rows of network_file.rows)."""

    class Meta:
        model = Commitment

    @classmethod
    def get_display_name(cls):
        return _("The network's file")

    def get_user_visible_fields(self):
        """The columns the Export page lists: the file's, always all of them (it imports back)."""
        return [Field(column_name=name) for name in network_file.header()]

    def export(self, queryset=None, **kwargs):
        commitments = queryset if queryset is not None else Commitment.objects.all()
        year = network_file.year_of(commitments)
        dataset = tablib.Dataset(headers=network_file.header(), title=network_file.sheet_title(year))
        for row in network_file.rows(commitments):
            # Why neutralised: text starting with "=" would be a formula in Excel (an XLSX cell
            # written so is one); the import reads the apostrophe away again.
            dataset.append([spreadsheet_safe(value) for value in row])
        return dataset
