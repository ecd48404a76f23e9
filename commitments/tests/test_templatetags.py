import datetime

from django.template import Context, Template
from django.utils import translation

from commitments.models import Commitment


def _render(source, language="en", **context):
    with translation.override(language):
        return Template("{% load commitment_tags %}" + source).render(Context(context))


def test_last_progress_is_the_day_of_the_last_event():
    commitment = Commitment(last_event_on=datetime.date(2026, 3, 9))
    assert _render("{% last_progress c %}", c=commitment) == "9 Mar 2026"


def test_last_progress_says_never_or_what_the_page_says_before_any_event():
    commitment = Commitment(last_event_on=None)
    assert _render("{% last_progress c %}", c=commitment) == "never"
    assert _render('{% last_progress c _("none yet") %}', c=commitment) == "none yet"
    assert _render("{% last_progress c %}", "fr", c=commitment) == "jamais"
    assert _render('{% last_progress c _("none yet") %}', "fr", c=commitment) == "aucun pour l'instant"


def test_percent_is_a_percentage_or_a_dash():
    assert _render("{{ x|percent }}", x=42) == "42%"
    assert _render("{{ x|percent }}", x=0) == "0%"
    assert _render("{{ x|percent }}", x=None) == "–"
