"""CSV downloads that open correctly in Excel and cannot smuggle formulas into it."""

import csv

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Neutralise a text cell a spreadsheet would read as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def choice_labels(choices):
    """Each choice's label in the active language, by value.

    Why: exports look labels up row by row, and a model's get_FOO_display() hashes every lazy
    label of the field on each call (most of an export's time, measured).
    """
    return {value: str(label) for value, label in choices}


class _Echo:
    def write(self, value):
        return value


def stream_csv(filename, header, rows):
    """A streamed CSV download: UTF-8 with a byte-order mark, one row at a time from `rows`."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # Why: the byte-order mark makes Excel read the file as UTF-8.
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([spreadsheet_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
