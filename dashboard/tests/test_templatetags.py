import re

from django.template import Context, Template
from django.utils import translation


def _render(source, language="en", **context):
    with translation.override(language):
        return Template("{% load dashboard_tags %}" + source).render(Context(context))


def test_headline_renders_each_figure_with_its_label_and_border():
    figures = {"champions": 3, "commitments": 12, "overdue": 2, "due_soon": 4, "stale": 1, "events": 40}
    html = _render("{% headline figures 30 60 %}", figures=figures)
    shown = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', html))
    assert shown == {name: str(value) for name, value in figures.items()}
    assert "due in the next 30 days" in html
    assert "stale (no progress for 60 days)" in html
    assert re.search(
        r'card h-100 border-danger"><div class="card-body"><div [^>]*data-figure="overdue"', html
    )
    assert re.search(r'card h-100 border-warning"><div class="card-body"><div [^>]*data-figure="stale"', html)
    html = _render("{% headline figures 7 60 %}", "fr", figures=figures)
    assert "à échéance dans les 7 prochains jours" in html
