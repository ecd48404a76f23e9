"""CSV downloads that open correctly in Excel and cannot smuggle formulas into it."""

import csv
from itertools import islice

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows an export fetches from the database at a time (QuerySet.iterator's chunk_size): what it
# holds in memory whatever its size (the commitments export peaks at about 1.2 MiB with 1,000 rows
# or 10,000, measured by bench/run.py).
EXPORT_CHUNK_ROWS = 500
# Rows sent to the client in one piece: one write to the socket per piece, not per row.
ROWS_PER_PIECE = 100


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
    """A streamed CSV download: UTF-8 with a byte-order mark, `rows` read as the download goes.

    Give `rows` from QuerySet.iterator(chunk_size=EXPORT_CHUNK_ROWS): nothing is read before the
    client reads, and no more than a chunk of rows is held at a time.
    """
    writer = csv.writer(_Echo())

    def lines():
        # Why the byte-order mark: it makes Excel read the file as UTF-8.
        yield "\ufeff" + writer.writerow(header)
        remaining = iter(rows)
        while piece := list(islice(remaining, ROWS_PER_PIECE)):
            yield "".join(writer.writerow([spreadsheet_safe(cell) for cell in row]) for row in piece)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
