"""The public pages: the champions who opted in (Champion.is_public), with their approved commitments
of the current cycle and the pledges they signed. No sign-in; kept in the shared cache for
PUBLIC_PAGE_SECONDS, so a change shows within that time."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import cache_page

from champions.models import Champion, PledgeSignature
from commitments.models import Commitment, Cycle

CHAMPIONS_PER_PAGE = 100


def address(path, language, **query):
    """A public page's address in `language`: the site's own language without ?lang=, the others
    with it. The one rule for canonical links, language links and the sitemap."""
    if language != settings.LANGUAGE_CODE:
        query["lang"] = language
    return f"{path}?{urlencode(query)}" if query else path


def in_requested_language(view):
    """Show the page in the language ?lang= names (a language of the site), else as every page
    chooses it (the visitor's choice, their browser's).

    Why a query parameter: search engines index one address per language, and a cached page
    carries no form (the site's language switch posts one with a CSRF token). Applied before the
    cache, whose key is made in the active language."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        language = request.GET.get("lang")
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return view(request, *args, **kwargs)

    return wrapper


def public_page(view):
    """No sign-in, the language of ?lang=, and the answer kept in the shared cache."""
    return login_not_required(in_requested_language(cache_page(settings.PUBLIC_PAGE_SECONDS)(view)))


def with_public_record(champions, cycle, today):
    """`champions` with what the public pages show of them: their organization and hub,
    `public_commitments` (their approved commitments of `cycle`, with categories) and
    `public_signatures` (the pledges they signed by `today`). Four queries at any size."""
    commitments = Commitment.objects.none()
    if cycle is not None:
        commitments = (
            Commitment.objects.approved()
            .filter(cycle=cycle)
            .order_by("number")
            .prefetch_related("categories")
        )
    signatures = (
        PledgeSignature.objects.signed_by(today)
        .select_related("pledge")
        .order_by("pledge__order", "pledge__name_en")
    )
    return champions.select_related("organization", "hub").prefetch_related(
        Prefetch("commitments", queryset=commitments, to_attr="public_commitments"),
        Prefetch("pledge_signatures", queryset=signatures, to_attr="public_signatures"),
    )


def language_links(path, **query):
    """The page in each language, [(code, its address on this site, its absolute address)], and its
    canonical address (the absolute one in the active language)."""
    links = []
    for code, _name in settings.LANGUAGES:
        local = address(path, code, **query)
        links.append((code, local, settings.SITE_URL + local))
    active = translation.get_language()
    canonical = next((url for code, _local, url in links if code == active), links[0][2])
    return {"language_links": links, "canonical_url": canonical, "default_url": links[0][2]}


@public_page
def champions(request):
    """The champions who opted in, by hub and organization, a hundred a page."""
    today = timezone.localdate()
    cycle = Cycle.objects.current(today)
    ordered = Champion.objects.public().order_by(
        F("hub__name").asc(nulls_last=True), "organization__name", "full_name", "pk"
    )
    page = Paginator(with_public_record(ordered, cycle, today), CHAMPIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = {"page": page.number} if page.number > 1 else {}
    language = translation.get_language()
    context = {
        "page": page,
        "cycle": cycle,
        # The other pages' links keep the page's language.
        "query": urlencode({"lang": language}) if language != settings.LANGUAGE_CODE else "",
        **language_links(reverse("public_champions"), **query),
    }
    return render(request, "public/champions.html", context)


@public_page
def champion(request, slug):
    """One champion who opted in (by Champion.public_slug); another's, or an unknown one, is not
    found (404)."""
    pk = slug.partition("-")[0]
    if not pk.isdigit():
        raise Http404("No such champion.")
    today = timezone.localdate()
    cycle = Cycle.objects.current(today)
    shown = get_object_or_404(with_public_record(Champion.objects.public(), cycle, today), pk=pk)
    if slug != shown.public_slug:
        # An address under an earlier name (the champion was renamed): the page's own address.
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(shown.public_url() + query, permanent=True)
    context = {"champion": shown, "cycle": cycle, **language_links(shown.public_url())}
    return render(request, "public/champion.html", context)
