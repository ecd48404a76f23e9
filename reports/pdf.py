"""PDFs of the annual report pages, made with WeasyPrint from HTML templates: no browser involved.

The templates carry their own print stylesheet (templates/reports/pdf/_base.html): A4 pages, a
running header with the year and the filters, and page numbers, with CSS @page rules.
"""

import re

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext

PLACEHOLDER = re.compile(r"%\((page|pages)\)s")


def page_number_content():
    """A CSS `content` value that numbers pages in the reader's language: "Page " counter(page)..."""
    wording = gettext("Page %(page)s of %(pages)s")
    parts = []
    for index, piece in enumerate(PLACEHOLDER.split(wording)):
        if index % 2:  # a placeholder's name, between the texts around it
            parts.append(f"counter({piece})")
        elif piece:
            # Escaped for a CSS string inside a <style> element: a backslash, a quote, a "<".
            escaped = piece.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
            parts.append(f'"{escaped}"')
    return " ".join(parts)


def refuse_fetching(url, *args, **kwargs):
    """The PDF is made from the template alone: a page never makes the server fetch anything."""
    raise ValueError(f"The report's PDF does not fetch {url}.")


def render_pdf(template, context):
    """The template rendered to a PDF, as bytes."""
    # Why imported here: WeasyPrint (with Pango) takes about half a second to import, which every
    # process would pay at start-up, and only the PDF views need it.
    from weasyprint import HTML

    html = render_to_string(template, {**context, "page_number_content": page_number_content()})
    return HTML(string=html, url_fetcher=refuse_fetching).write_pdf()


def filename(*words, extension="pdf"):
    """A download's name from words: "annual-report-2026-geneva.pdf"."""
    return "-".join(filter(None, (slugify(str(word)) for word in words))) + "." + extension


def pdf_response(template, context, name):
    """The rendered PDF as a download called `name`."""
    response = HttpResponse(render_pdf(template, context), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response
