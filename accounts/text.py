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
# A list separator (either: "," in English Excel, ";" in French) where a formula would start after it.
FORMULA_AFTER_SEPARATOR = re.compile(r"([,;]\s*)(?=[=+\-@\t\r])")
# What spreadsheet_safe() adds to text a spreadsheet would read as a formula: an apostrophe at the
# start, or after a list separator, before =, +, -, @, a tab or a carriage return.
NEUTRALISED = re.compile(r"(^|[,;]\s*)'(?=[=+\-@\t\r])")


def spreadsheet_safe(value):
    """Neutralise text a spreadsheet would read as a formula (CSV injection), with an apostrophe.

    A formula can only start a cell, but where a cell starts depends on the reader: Excel splits a
    CSV on its locale's list separator, "," in English and ";" in French, and then a field's quotes
    no longer hold it together. So the start of the text and every start after a "," or a ";" are
    neutralised: the file is safe whichever separator opens it.
    """
    if not isinstance(value, str):
        return value
    # Why test first: most text has no separator, and the test costs a fraction of the regex.
    if "," in value or ";" in value:
        value = FORMULA_AFTER_SEPARATOR.sub(r"\1'", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def spreadsheet_text(value):
    """A cell of a file we exported, as it was before it was neutralised: imports read cells so,
    and an exported file imports back unchanged."""
    if not isinstance(value, str) or "'" not in value:
        return value
    return NEUTRALISED.sub(r"\1", value)
