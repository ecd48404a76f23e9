"""The reports' PDFs read the product's own static files and fetch nothing else: attacked with
addresses a user could get into a page (the network, the server's files, a path out of static/)."""

import http.server
import threading

import pytest
from django.conf import settings
from weasyprint import HTML
from weasyprint.urls import URLFetchingError

from reports.pdf import BASE_URL, url_fetcher


@pytest.fixture
def listening():
    """An HTTP server on 127.0.0.1 that counts the requests it gets."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_it_reads_the_products_own_static_files():
    response = url_fetcher().fetch(f"{BASE_URL}{settings.STATIC_URL.lstrip('/')}favicon.svg")

    assert b"<svg" in response.read()[:300]
    assert response.headers.get_content_type() == "image/svg+xml"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/hostname",
        f"{BASE_URL}static/../config/settings.py",
        f"{BASE_URL}static/%2e%2e/config/settings.py",
        f"{BASE_URL}media/evidence/x.pdf",
        "https://example.org/logo.png",
        "ftp://example.org/logo.png",
    ],
)
def test_it_refuses_any_other_address(url):
    with pytest.raises((URLFetchingError, ValueError)):
        url_fetcher().fetch(url)


def test_a_page_naming_other_addresses_is_made_without_fetching_them(listening):
    address, hits = listening
    html = (
        f'<p>Report</p><img src="{address}/tracker.png"><img src="file:///etc/hostname">'
        f'<link rel="stylesheet" href="{address}/evil.css"><img src="/static/favicon.svg">'
    )

    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher()).write_pdf()

    assert pdf.startswith(b"%PDF")
    assert hits == []
