"""Validators for text people type about themselves and their work."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Control (Cc), format (Cf: bidirectional overrides, zero-width characters), line and paragraph
# separators (Zl, Zp), surrogates and private use: none belongs in a name or a one-line title, and
# each can make a text read differently in an email, a page or an audit trail than it is stored.
REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co"}


@deconstructible
class SingleLineTextValidator:
    """Refuses control and format characters in single-line text (names, titles, places)."""

    message = _("Remove the invisible or control character (%(character)s) from this text.")
    code = "control_character"

    def __call__(self, value):
        for character in str(value):
            if unicodedata.category(character) in REFUSED_CATEGORIES:
                raise ValidationError(
                    self.message, code=self.code, params={"character": f"U+{ord(character):04X}"}
                )

    def __eq__(self, other):
        return isinstance(other, SingleLineTextValidator)


validate_single_line = SingleLineTextValidator()


def single_line(text):
    """`text` without the characters SingleLineTextValidator refuses: for text nobody typed into a
    form of ours, such as an uploaded file's name."""
    return "".join(
        character for character in text if unicodedata.category(character) not in REFUSED_CATEGORIES
    )


def normalized_identifier(value):
    """A sign-in identifier as typed, made comparable: Unicode NFKC (the same letters however they
    were composed), without surrounding spaces. Case is left to the database (see
    UserQuerySet.for_sign_in), which compares as the email's unique constraint does."""
    return unicodedata.normalize("NFKC", value or "").strip()
