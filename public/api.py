"""The read-only API (/api/v1/, Django REST framework): what the public pages show, as JSON, for the
network's website and analysts. Anonymous clients get the champions who opted in; signed-in members
of the chief-of-staff office every active champion (Champion.objects.published_to). Answers are kept
in the shared cache for PUBLIC_PAGE_SECONDS, one copy per audience."""

import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, routers, viewsets
from rest_framework.response import Response

from champions.models import Champion, Hub, Organization, Pledge, PledgeSignature, sees_unpublished
from commitments.models import Category, Commitment, Cycle
from public import serializers


class NoSignInRequired:
    """The API needs no sign-in (the site's LoginRequiredMiddleware otherwise asks for one)."""

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))


class APIRootView(NoSignInRequired, routers.APIRootView):
    """The API's lists."""


class ListViewSet(NoSignInRequired, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A read-only list, each answer kept in the cache per audience and address."""

    filters_class = None

    def filters(self):
        """The list's query parameters, validated (a bad one answers 400)."""
        if self.filters_class is None or self.action != "list":
            return {}
        filters = self.filters_class(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return filters.validated_data

    def list(self, request, *args, **kwargs):
        return self.cached(super().list, request, *args, **kwargs)

    def cached(self, answer, request, *args, **kwargs):
        # Why the audience in the key: office members get champions nobody else may see. Why the
        # absolute address: the answer's links to other pages are absolute.
        audience = "office" if sees_unpublished(request.user) else "public"
        address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        key = f"public-api:{audience}:{address}"
        data = cache.get(key)
        if data is None:
            data = answer(request, *args, **kwargs).data
            cache.set(key, data, settings.PUBLIC_PAGE_SECONDS)
        return Response(data)


class ReadOnlyViewSet(mixins.RetrieveModelMixin, ListViewSet):
    """A read-only list and detail, each answer kept in the cache per audience and address."""

    def retrieve(self, request, *args, **kwargs):
        return self.cached(super().retrieve, request, *args, **kwargs)


def published_commitments(user, filters):
    """The approved commitments the API shows `user`, filtered."""
    commitments = Commitment.objects.published_to(user)
    lookups = {
        "cycle": "cycle__year",
        "hub": "champion__hub",
        "organization": "champion__organization",
        "category": "categories__slug",
        "champion": "champion",
    }
    return commitments.filter(**{lookups[name]: value for name, value in filters.items()})


@extend_schema_view(list=extend_schema(parameters=[serializers.ChampionFilters]))
class ChampionViewSet(ReadOnlyViewSet):
    """Champions, with the pledges they signed."""

    serializer_class = serializers.ChampionSerializer
    filters_class = serializers.ChampionFilters

    def get_queryset(self):
        user = self.request.user
        filters = self.filters()
        champions = Champion.objects.published_to(user)
        for name in ("hub", "organization"):
            if name in filters:
                champions = champions.filter(**{name: filters.pop(name)})
        if filters:  # a cycle or a category: champions with commitments shown in it
            champions = champions.filter(
                Exists(published_commitments(user, filters).filter(champion=OuterRef("pk")))
            )
        signatures = PledgeSignature.objects.signed_by(timezone.localdate()).select_related("pledge")
        return (
            champions.select_related("organization", "hub")
            .prefetch_related(Prefetch("pledge_signatures", queryset=signatures, to_attr="public_signatures"))
            .order_by("full_name", "pk")
        )


@extend_schema_view(list=extend_schema(parameters=[serializers.CommitmentFilters]))
class CommitmentViewSet(ReadOnlyViewSet):
    """Approved commitments: newest cycle first, then by champion and number."""

    serializer_class = serializers.CommitmentSerializer
    filters_class = serializers.CommitmentFilters

    def get_queryset(self):
        # (a category's slug is unique: filtering on one joins each commitment to one row at most)
        commitments = published_commitments(self.request.user, self.filters())
        return (
            commitments.select_related("cycle", "champion__organization", "champion__hub")
            .prefetch_related("categories")
            .order_by("-cycle__year", "champion__full_name", "champion_id", "number")
        )


class CategoryViewSet(ListViewSet):
    """The categories commitments are grouped under, in English and French."""

    serializer_class = serializers.CategorySerializer
    queryset = Category.objects.all()


class CycleViewSet(ListViewSet):
    """The reporting years, newest first."""

    serializer_class = serializers.CycleSerializer
    queryset = Cycle.objects.order_by("-year")


class HubViewSet(ListViewSet):
    """The network's city hubs."""

    serializer_class = serializers.HubSerializer
    queryset = Hub.objects.all()


class OrganizationViewSet(ListViewSet):
    """Organizations of the champions shown."""

    serializer_class = serializers.OrganizationSerializer

    def get_queryset(self):
        shown = Champion.objects.published_to(self.request.user).filter(organization=OuterRef("pk"))
        return Organization.objects.filter(Exists(shown)).order_by("name", "pk")


class PledgeViewSet(ListViewSet):
    """The network's pledges champions sign, outside their numbered commitments."""

    serializer_class = serializers.PledgeSerializer
    queryset = Pledge.objects.offered()
