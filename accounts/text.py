"""Text as people type it in spreadsheets, made comparable: the one rule for matching names,
labels and column headers whatever their case, accents, spacing or punctuation."""

import re
import unicodedata

# Words that join a label's parts ("Selection & recruitment", "Sélection et recrutement"): left out,
# so "Meetings, conferences & delegations" is "Meetings, conferences and delegations".
CONNECTORS = {"and", "et", "&"}


def match_key(text):
    """`text` as it is compared: lower case, without accents, punctuation or connecting words,
    its words separated by one space. "  Élodie  DUPONT " and "elodie dupont" have the same key."""
    decomposed = unicodedata.normalize("NFKD", str(text or "")).casefold()
    letters = "".join(character for character in decomposed if not unicodedata.combining(character))
    words = re.split(r"[^\w&]+|_", letters)
    return " ".join(word for word in words if word and word not in CONNECTORS)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet may start a cell: the start of the text, and after a list separator ("," in
# English Excel, ";" in French) and any spaces, since the separator a reader splits on varies.
CELL_START = r"(^|[,;]\s*)"
# What would be read as a formula there: =, +, -, @, a tab or a carriage return, after any
# apostrophes (so that text which already starts with one is neutralised too, and comes back whole).
FORMULA = r"'*[=+\-@\t\r]"
FORMULA_AT_CELL_START = re.compile(CELL_START + f"(?={FORMULA})")
# What spreadsheet_safe() added: one apostrophe at such a place.
NEUTRALISED = re.compile(CELL_START + f"'(?={FORMULA})")


def spreadsheet_safe(value):
    """Neutralise text a spreadsheet would read as a formula (CSV injection), with an apostrophe:
    the one rule for every CSV and XLSX the product writes (events/exports.py, commitments/resources.py).

    A formula can only start a cell, but where a cell starts depends on the reader: Excel splits a
    CSV on its locale's list separator, "," in English and ";" in French, and then a field's quotes
    no longer hold it together. So the start of the text and every start after a "," or a ";" are
    neutralised: the file is safe whichever separator opens it. In Excel the apostrophe is also what
    a person types to keep a cell text, so an XLSX cell stays text even once edited.
    spreadsheet_text() takes exactly these apostrophes away again.
    """
    if not isinstance(value, str):
        return value
    # Why test first: most text has no separator and starts with a letter, and the test costs a
    # fraction of the regex.
    if "," in value or ";" in value or value.startswith((*FORMULA_STARTS, "'")):
        return FORMULA_AT_CELL_START.sub(r"\1'", value)
    return value


def spreadsheet_text(value):
    """A cell of a file we exported, as it was before it was neutralised: imports read cells so,
    and an exported file imports back unchanged."""
    if not isinstance(value, str) or "'" not in value:
        return value
    return NEUTRALISED.sub(r"\1", value)
