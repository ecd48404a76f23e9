"""What the API shows: public fields only (no email, no note, no evidence, no focal point)."""

from django.conf import settings
from rest_framework import serializers

from champions.models import Champion, Hub, Organization, Pledge, PledgeSignature
from commitments.models import Category, Commitment, Cycle


class HubSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hub
        fields = ["id", "name"]


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "acronym"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "label_en", "label_fr"]


class CycleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cycle
        fields = ["year", "starts_on", "ends_on", "is_closed"]


class PledgeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Pledge
        fields = ["slug", "name_en", "name_fr", "counts_panels"]


class SignatureSerializer(serializers.ModelSerializer):
    pledge = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = PledgeSignature
        fields = ["pledge", "signed_on"]


class ChampionSerializer(serializers.ModelSerializer):
    slug = serializers.CharField(source="public_slug", read_only=True)
    position = serializers.CharField(source="title", read_only=True)
    organization = OrganizationSerializer(read_only=True)
    hub = HubSerializer(read_only=True, allow_null=True)
    pledges = SignatureSerializer(source="public_signatures", many=True, read_only=True)
    page = serializers.SerializerMethodField(help_text="The champion's public page (none if not public).")

    class Meta:
        model = Champion
        fields = [
            "id",
            "slug",
            "full_name",
            "position",
            "organization",
            "hub",
            "is_public",
            "pledges",
            "page",
        ]

    def get_page(self, champion) -> str | None:
        return settings.SITE_URL + champion.public_url() if champion.is_public else None


class ChampionReferenceSerializer(serializers.ModelSerializer):
    """The champion a commitment is of, as the commitments list names them."""

    slug = serializers.CharField(source="public_slug", read_only=True)
    organization = OrganizationSerializer(read_only=True)
    hub = HubSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Champion
        fields = ["id", "slug", "full_name", "organization", "hub"]


class CommitmentSerializer(serializers.ModelSerializer):
    champion = ChampionReferenceSerializer(read_only=True)
    cycle = serializers.IntegerField(source="cycle.year", read_only=True, help_text="The cycle's year.")
    categories = CategorySerializer(many=True, read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "champion",
            "cycle",
            "number",
            "title",
            "text",
            "categories",
            "target_kind",
            "target_value",
            "baseline",
            "unit",
            "due_on",
            "status",
        ]


# The largest id the database holds (a bigint): a larger one is refused, not looked up.
LARGEST_ID = 2**63 - 1


class ChampionFilters(serializers.Serializer):
    """The champions list's query parameters."""

    hub = serializers.IntegerField(required=False, min_value=1, max_value=LARGEST_ID, help_text="A hub's id.")
    organization = serializers.IntegerField(
        required=False, min_value=1, max_value=LARGEST_ID, help_text="An organization's id."
    )
    cycle = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=9999,
        help_text="A cycle's year: champions with commitments in it.",
    )
    category = serializers.SlugField(
        required=False, help_text="A category's short name: champions with commitments in it."
    )


class CommitmentFilters(ChampionFilters):
    """The commitments list's query parameters."""

    cycle = serializers.IntegerField(required=False, min_value=1, max_value=9999, help_text="A cycle's year.")
    category = serializers.SlugField(required=False, help_text="A category's short name.")
    champion = serializers.IntegerField(
        required=False, min_value=1, max_value=LARGEST_ID, help_text="A champion's id."
    )
