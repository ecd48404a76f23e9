"""Following links: every page a user reaches from the home page by its links answers, has a title
of its own, and links to nothing broken. Run on the demo data, as each kind of user of the product.

test_routes checks who may see each route; this checks the links the pages themselves render.
"""

import io
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

from accounts.models import User
from demo import network

LINK = re.compile(r'(?:href|action)="([^"#]*)"')
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
# Links the crawl leaves alone: files, and what a GET does not do (sign-out, deletion are POSTs,
# checked in their own tests) or what belongs to Django (the admin has its own tests upstream).
SKIPPED = ("/static/", "/admin/")
MOST_PAGES = 300


def _links(url, html):
    for href in LINK.findall(html):
        parts = urlsplit(urljoin(url, href.replace("&amp;", "&")))
        if parts.netloc in ("", "testserver") and not parts.path.startswith(SKIPPED):
            yield parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.slow  # seeds the demo and follows every link
@pytest.mark.django_db
@pytest.mark.parametrize("email", [network.LACROIX_EMAIL, network.FOCAL_POINT_EMAIL, network.OFFICE_EMAIL])
def test_every_page_reached_by_a_link_answers_with_a_title(client, email):
    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(User.objects.get(email=email))
    seen, queue, broken, untitled = set(), deque(["/"]), [], []
    while queue and len(seen) < MOST_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code == 405:  # a form's action that only takes a POST
            continue
        if response.status_code in (301, 302):
            queue.extend(_links(url, f'href="{response["Location"]}"'))
            continue
        if response.status_code != 200:
            broken.append((url, response.status_code))
            continue
        if response.streaming:  # a download
            b"".join(response.streaming_content)
            continue
        if not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        title = TITLE.search(html)
        # base.html ends every title with " · Gender Champions": a page must say what it is first.
        if not title or title.group(1).strip().startswith("·"):
            untitled.append(url)
        queue.extend(link for link in _links(url, html) if link not in seen)
    assert len(seen) > 10  # the crawl went somewhere
    assert broken == []
    assert untitled == []
