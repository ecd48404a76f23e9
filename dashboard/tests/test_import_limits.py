"""Attacks on the network import's size: a huge spreadsheet is refused within the request, naming the
limit, whichever door it comes in by (the office's import page, admin's Import)."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from accounts.tests.factories import OfficeMemberFactory
from commitments import network_file
from commitments.models import Commitment

pytestmark = pytest.mark.django_db

IMPORT_URL = "/dashboard/commitments/import/"
LIMIT_MESSAGE = "The file has more than 20,000 rows: split it into files of at most 20,000 rows."


def workbook_of(rows):
    """An .xlsx of `rows` small rows as openpyxl's write-only mode writes it: without the sheet's
    size stated, the case that made openpyxl read the whole sheet before its first row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["champion", "organization", "year", "text"])
    for number in range(rows):
        sheet.append([f"C{number}", "O", 2026, "t"])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@pytest.fixture(scope="module")
def huge_workbook():
    return workbook_of(60_000)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def refusal(response):
    return response.context["preview"]["file_errors"]


def test_a_60000_row_workbook_is_refused_in_the_request_naming_the_limit(huge_workbook):
    office = signed_in(OfficeMemberFactory())

    started = time.monotonic()
    response = office.post(IMPORT_URL, {"file": SimpleUploadedFile("network.xlsx", huge_workbook)})
    took = time.monotonic() - started

    assert response.status_code == 200
    assert refusal(response) == [LIMIT_MESSAGE]
    assert LIMIT_MESSAGE in response.content.decode()
    assert "key" not in response.context and "job" not in response.context
    # Before the row count, openpyxl read the 12 MB sheet through before its first row (12 s
    # on a loaded machine, 150 s before the cap): the refusal comes within a second or two.
    assert took < 5
    assert Commitment.objects.count() == 0


def test_admins_import_leads_to_the_same_refusal(admin_user, huge_workbook):
    admin = signed_in(admin_user)
    upload = {"file": SimpleUploadedFile("network.xlsx", huge_workbook), "format": "1"}

    for door in ("import", "process_import"):
        response = admin.post(f"/admin/commitments/commitment/{door}/", upload)
        assert (response.status_code, response["Location"]) == (302, IMPORT_URL)  # nothing read there
    response = admin.post(IMPORT_URL, {"file": SimpleUploadedFile("network.xlsx", huge_workbook)})

    assert refusal(response) == [LIMIT_MESSAGE]


def test_reading_stops_at_the_limit_not_at_the_end_of_the_file(monkeypatch, huge_workbook):
    monkeypatch.setattr(network_file, "MAX_ROWS", 100)
    read = []
    opened = zipfile.ZipFile.open

    def counting_open(archive, name, *args, **kwargs):
        handle = opened(archive, name, *args, **kwargs)
        if "worksheets" in str(getattr(name, "filename", name)):
            original = handle.read

            def read_counted(size=-1):
                chunk = original(size)
                read.append(len(chunk))
                return chunk

            handle.read = read_counted
        return handle

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    plan = network_file.plan(huge_workbook, ".xlsx")

    assert plan.file_errors == ["The file has more than 100 rows: split it into files of at most 100 rows."]
    assert sum(read) <= 1024 * 1024  # the first piece of the 12 MB sheet, no more


def test_a_sheet_that_unzips_beyond_the_limit_is_refused_as_it_unzips(monkeypatch):
    monkeypatch.setattr(network_file, "MAX_SHEET_BYTES", 100_000)

    plan = network_file.plan(workbook_of(5_000), ".xlsx")

    assert plan.file_errors == ["The workbook is too large once unzipped: split it into smaller files."]


def test_a_csv_over_the_limit_is_refused_while_it_is_read(monkeypatch):
    monkeypatch.setattr(network_file, "MAX_ROWS", 100)
    content = b"champion,organization,year,text\n" + b"A,B,2026,t\n" * 150

    assert network_file.plan(content, ".csv").file_errors == [
        "The file has more than 100 rows: split it into files of at most 100 rows."
    ]
    assert network_file.count_rows(content, ".csv") == 152  # its lines: the header, 150 rows, the end


def test_a_file_at_the_limit_is_read(monkeypatch):
    monkeypatch.setattr(network_file, "MAX_ROWS", 100)

    header, rows = network_file.read_rows(workbook_of(100), ".xlsx")

    assert len(rows) == 100
