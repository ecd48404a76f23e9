"""PDFs of the annual report pages, made with WeasyPrint from HTML templates: no browser involved.

The templates carry their own print stylesheet (templates/reports/pdf/_base.html): A4 pages, a
running header with the year and the filters, and page numbers, with CSS @page rules.
"""

import mimetypes
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.contrib.staticfiles import finders
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


# The address PDFs are laid out at: a page's relative links ({% static %}: /static/...) resolve
# under it, and nothing is ever fetched from it (OwnFilesFetcher reads the files from disk).
BASE_URL = "https://report.invalid/"


def own_static_file(url):
    """The file on disk behind `url` if it is one of the product's own static files (under
    BASE_URL + STATIC_URL, found by the staticfiles finders or in STATIC_ROOT), else None."""
    prefix = BASE_URL + settings.STATIC_URL.lstrip("/")
    if not url.startswith(prefix):
        return None
    name = posixpath.normpath(unquote(url[len(prefix) :].split("?")[0].split("#")[0]))
    if name.startswith(("..", "/")) or "\x00" in name:
        return None
    found = finders.find(name) or (Path(settings.STATIC_ROOT) / name if settings.STATIC_ROOT else None)
    return Path(found) if found and Path(found).is_file() else None


def url_fetcher():
    """A WeasyPrint fetcher that reads the product's own static files (a report's logo, its
    stylesheets' images) from disk and refuses every other URL: a page never makes the server fetch
    from the network, from its files, or from an address a user wrote. A refused resource is left
    out of the PDF (WeasyPrint logs a warning), the rest of the report is made."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

    class OwnFilesFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):  # within the document itself: nothing is fetched
                return super().fetch(url, headers)
            path = own_static_file(url)
            if path is None:
                raise URLFetchingError(f"The report's PDF fetches only the product's own files, not {url}.")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return OwnFilesFetcher(allowed_protocols={"data", "https"})


def render_pdf(template, context):
    """The template rendered to a PDF, as bytes."""
    # Why imported here: WeasyPrint (with Pango) takes about half a second to import, which every
    # process would pay at start-up, and only the PDF views need it.
    from weasyprint import HTML

    html = render_to_string(template, {**context, "page_number_content": page_number_content()})
    return HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher()).write_pdf()


def filename(*words, extension="pdf"):
    """A download's name from words: "annual-report-2026-geneva.pdf"."""
    return "-".join(filter(None, (slugify(str(word)) for word in words))) + "." + extension


def pdf_response(template, context, name):
    """The rendered PDF as a download called `name`."""
    response = HttpResponse(render_pdf(template, context), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response
