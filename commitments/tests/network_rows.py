"""A network's commitments shaped as networks publish them, for the import's tests: long texts in
lettered parts, French, several categories, no emails, an ended year, an indicator target.

The texts are written for these tests; their shape (parts a) to d), names with accents, champions
of no hub, past years) is that of the public pages of gender-champions networks.
"""

import csv
import io

from openpyxl import Workbook

HEADER = [
    "champion",
    "position",
    "organization",
    "hub",
    "email",
    "focal_point_email",
    "year",
    "number",
    "categories",
    "text",
    "title",
    "target_kind",
    "target_value",
    "baseline",
    "unit",
    "counted_kind",
    "due_on",
    "status",
]

PARTS_TEXT = (
    "Strengthen the organisation's policies against sexual harassment by:\n"
    "a) reviewing the complaints procedure with staff representatives and the ombudsperson's office, "
    "so that every report receives a written answer within thirty days;\n"
    "b) training every manager of a team of five people or more on bystander intervention and on "
    "receiving a complaint, with a refresher each year;\n"
    "c) publishing anonymised figures on complaints and their outcomes in the annual report to the "
    "governing board;\n"
    "d) surveying all staff at the end of the year on whether they know where to turn, and sharing "
    "the results with the network."
)
FRENCH_TEXT = (
    "Veiller à ce que les femmes représentent au moins la moitié des intervenants dans toutes les "
    "réunions, conférences et délégations organisées par l'Organisation ; refuser de siéger dans un "
    "panel exclusivement masculin et en rendre compte au réseau."
)
INDICATOR_TEXT = (
    "Raise the share of women among staff at the D-1 level and above from 28% to 40% by the end of "
    "the year, through targeted outreach in every recruitment and a gender-balanced interview panel "
    "for each senior post."
)
PAST_TEXT = "Hold town-hall meetings with women staff in the field offices, at least four in the year."


def network_rows(year, past_year):
    """Rows of a network's file: a dict per row, the HEADER's columns (missing ones empty)."""
    return [
        {
            "champion": "Amina Diallo-Ndiaye",
            "position": "Executive Director",
            "organization": "Global Fund for Equal Futures",
            "hub": "Geneva",
            "year": year,
            "categories": "Good governance; Leadership & accountability",
            "text": PARTS_TEXT,
        },
        {
            "champion": "Élodie Lefèvre",
            "position": "Directrice générale",
            "organization": "Organisation internationale de la Francophonie numérique",
            "hub": "Paris",
            "year": year,
            "number": 1,
            "categories": "Réunions, conférences et délégations; Parité des panels",
            "text": FRENCH_TEXT,
            "target_kind": "percentage",
            "target_value": "50",
        },
        {
            "champion": "Amina Diallo-Ndiaye",
            "organization": "global fund for equal futures",
            "hub": "Geneva",
            "year": year,
            "categories": "Selection & recruitment",
            "text": INDICATOR_TEXT,
            "target_kind": "indicator",
            "baseline": "28",
            "target_value": "40",
            "unit": "% women at D-1 and above",
        },
        {
            "champion": "Kwame Mensah",
            "position": "Permanent Representative",
            "organization": "Permanent Mission of the Republic of Volta",
            "hub": "",
            "year": past_year,
            "number": 2,
            "categories": "Organisational culture",
            "text": PAST_TEXT,
            "target_kind": "count",
            "target_value": 4,
            "counted_kind": "meeting",
            "status": "Completed",
        },
    ]


def as_csv(rows, header=HEADER, delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column, "") for column in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
