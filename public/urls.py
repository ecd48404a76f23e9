from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.cache import cache_page
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from public import api, views
from public.sitemaps import PublicPagesSitemap

# (JSON only: no .json suffixes)
router = DefaultRouter()
router.include_format_suffixes = False
router.APIRootView = api.APIRootView
router.register("champions", api.ChampionViewSet, basename="api-champion")
router.register("commitments", api.CommitmentViewSet, basename="api-commitment")
router.register("categories", api.CategoryViewSet, basename="api-category")
router.register("cycles", api.CycleViewSet, basename="api-cycle")
router.register("hubs", api.HubViewSet, basename="api-hub")
router.register("organizations", api.OrganizationViewSet, basename="api-organization")
router.register("pledges", api.PledgeViewSet, basename="api-pledge")

sitemap_view = login_not_required(cache_page(settings.PUBLIC_PAGE_SECONDS)(sitemap))

urlpatterns = [
    path("public/", views.champions, name="public_champions"),
    path("public/champions/<slug:slug>/", views.champion, name="public_champion"),
    path("sitemap.xml", sitemap_view, {"sitemaps": {"public": PublicPagesSitemap}}, name="sitemap"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="api_schema"),
]
