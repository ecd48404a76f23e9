from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from champions.models import Champion
from public.views import address


class PublicPagesSitemap(Sitemap):
    """The public pages, in each language: the list and each champion who opted in."""

    changefreq = "weekly"

    def items(self):
        champions = Champion.objects.public().only("pk", "full_name").order_by("pk")
        paths = [reverse("public_champions"), *(champion.public_url() for champion in champions)]
        return [(path, code) for path in paths for code, _name in settings.LANGUAGES]

    def location(self, item):
        path, language = item
        return address(path, language)
