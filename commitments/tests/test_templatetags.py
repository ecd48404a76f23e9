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


def test_due_date_says_how_long_is_left_or_how_long_overdue():
    today = datetime.date(2026, 3, 9)
    day = '<span class="text-nowrap">%s</span>'

    def due(days, status="on_track", language="en"):
        commitment = Commitment(due_on=today + datetime.timedelta(days=days), status=status)
        return _render("{% due_date c today %}", language, c=commitment, today=today)

    assert due(-3) == day % "6 Mar 2026" + ' <span class="badge text-bg-danger">overdue by 3 days</span>'
    assert due(0) == day % "9 Mar 2026" + ' <span class="badge text-bg-warning">due today</span>'
    assert due(1) == day % "10 Mar 2026" + ' <span class="small text-muted">1 day left</span>'
    assert due(-3, status="completed") == day % "6 Mar 2026"
    assert (
        due(5, language="fr")
        == day % "14 Mar 2026" + ' <span class="small text-muted">5 jours restants</span>'
    )
