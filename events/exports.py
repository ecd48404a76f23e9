"""Downloads (CSV and XLSX) that open correctly in Excel and cannot smuggle formulas into it."""

import csv
import io
import tempfile
from itertools import islice

from django.http import FileResponse, StreamingHttpResponse

from accounts.text import spreadsheet_safe
from commitments.spreadsheets import write_xlsx

# Rows an export fetches from the database at a time (QuerySet.iterator's chunk_size): what it
# holds in memory whatever its size (the commitments export peaks at about 1.2 MiB with 1,000 rows
# or 10,000, measured by bench/run.py).
EXPORT_CHUNK_ROWS = 500
# Rows sent to the client in one piece: one write to the socket per piece, not per row.
ROWS_PER_PIECE = 100


def choice_labels(choices):
    """Each choice's label in the active language, by value.

    Why: exports look labels up row by row, and a model's get_FOO_display() hashes every lazy
    label of the field on each call (most of an export's time, measured).
    """
    return {value: str(label) for value, label in choices}


def stream_csv(filename, header, rows):
    """A streamed CSV download: UTF-8 with a byte-order mark, `rows` read as the download goes.

    Give `rows` from QuerySet.iterator(chunk_size=EXPORT_CHUNK_ROWS): nothing is read before the
    client reads, and no more than a chunk of rows is held at a time.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def written():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    def lines():
        # Why the byte-order mark: it makes Excel read the file as UTF-8.
        writer.writerow(header)
        yield "\ufeff" + written()
        remaining = iter(rows)
        while piece := list(islice(remaining, ROWS_PER_PIECE)):
            writer.writerows([spreadsheet_safe(cell) for cell in row] for row in piece)
            yield written()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename, header, rows, *, sheet):
    """An XLSX download of `rows` (give them from QuerySet.iterator, as for stream_csv) on a sheet
    named `sheet`, written by the one workbook writer (commitments.spreadsheets.write_xlsx) to a
    temporary file, so memory does not grow with rows.

    Every text is neutralised as in the CSV (spreadsheet_safe: one rule for every file written,
    applied once: admin's export neutralises its dataset itself) and written as text, never as a
    formula."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    safe_rows = ([spreadsheet_safe(value) for value in row] for row in rows)
    write_xlsx(output, header, safe_rows, sheet=sheet)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
