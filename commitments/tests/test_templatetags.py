import datetime

from django.template import Context, Template
from django.utils import translation

from commitments.models import Commitment, Cycle


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
        commitment = Commitment(
            due_on=today + datetime.timedelta(days=days), status=status, cycle=Cycle(year=2026)
        )
        # Line breaks between the parts are a space in HTML.
        return " ".join(_render("{% due_date c today %}", language, c=commitment, today=today).split())

    assert due(-3) == day % "6 Mar 2026" + ' <span class="badge text-bg-danger">overdue by 3 days</span>'
    assert due(-1) == day % "8 Mar 2026" + ' <span class="badge text-bg-danger">overdue by 1 day</span>'
    assert due(0) == day % "9 Mar 2026" + ' <span class="badge text-bg-warning">due today</span>'
    assert due(1) == day % "10 Mar 2026" + ' <span class="small text-muted">1 day left</span>'
    assert due(-3, status="completed") == day % "6 Mar 2026"
    assert due(5, status="completed") == day % "14 Mar 2026"
    assert (
        due(5, language="fr")
        == day % "14/03/2026" + ' <span class="small text-muted">5 jours restants</span>'
    )
    assert "en retard de 3 jours" in due(-3, language="fr")


def test_the_status_badge_says_the_status_in_words_on_its_colour():
    assert (
        _render("{% status_badge s %}", s="at_risk")
        == '<span class="badge status-badge status-at_risk">At risk</span>'
    )
    assert _render("{% status_badge s %}", "fr", s="at_risk").endswith(">À risque</span>")


def test_the_status_cells_number_each_commitment_with_its_status_and_title():
    commitments = [
        Commitment(number=1, status="on_track", title="Town halls"),
        Commitment(number=2, status="at_risk", title='Panels <b>"parity"</b>'),
    ]
    html = _render("{% status_cells cs %}", cs=commitments)
    assert '<ul class="list-inline mb-0 status-cells" aria-label="Status of each commitment">' in html
    assert (
        '<li class="list-inline-item"><span class="badge status-badge status-at_risk" '
        'title="Panels &lt;b&gt;&quot;parity&quot;&lt;/b&gt;">2 · At risk</span></li>'
    ) in html
    assert "</li><li" in html  # no space between the cells
    assert "1 · En bonne voie" in _render("{% status_cells cs %}", "fr", cs=commitments)
