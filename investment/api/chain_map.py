"""``GET /api/chains/<id>/map/``: a chain's map (一图) as JSON, the same ``ChainMap`` that the
admin's page draws (``investment.chain_map``), its lists the API's own collections."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from investment.chain_map import chain_map
from investment.choices import ChainLinkCoverageChoices, ChainLinkPositionChoices
from investment.models import IndustrialChain
from jiaxian import periods
from jiaxian.api import DateParameter
from jiaxian.api_defaults import SignedInWithPermissions

# The collections behind a link, and behind a chain, with the filter each offers for it.
LINK_LISTS = {
    "target_enterprises": "targetenterprise-list",
    "local_enterprises": "localenterprise-list",
    "attraction_projects": "attractionproject-list",
}
CHAIN_LISTS = {
    **LINK_LISTS,
    "carriers": "carrier-list",
    "policies": "policy-list",
    "responsibilities": "responsibility-list",
}


class ApiLists:
    """The API's collections behind a map (``chain_map.Lists``): ``?link=`` for a link's,
    ``?chain=`` for a chain's (every one of the six collections has that filter)."""

    def of_link(self, link_id: int) -> dict[str, str]:
        return {key: f"{reverse(name)}?{urlencode({'link': link_id})}" for key, name in LINK_LISTS.items()}

    def of_chain(self, chain_id: int, link_ids: list[int]) -> dict[str, str]:
        return {key: f"{reverse(name)}?{urlencode({'chain': chain_id})}" for key, name in CHAIN_LISTS.items()}


API_LISTS = ApiLists()


class MapLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.ChoiceField(choices=ChainLinkPositionChoices.choices)
    order = serializers.IntegerField()
    description = serializers.CharField()
    coverage = serializers.ChoiceField(
        choices=ChainLinkCoverageChoices.choices, help_text="covered, pursued or gap, derived as of `as_of`."
    )
    coverage_label = serializers.CharField(help_text="The coverage in the request's language.")
    local_enterprises = serializers.IntegerField(help_text="Local enterprises working in the link.")
    courted = serializers.IntegerField(help_text="Target enterprises contacted by `as_of` and not signed by then.")
    signed = serializers.IntegerField(help_text="Target enterprises signed by `as_of`.")
    attraction_projects = serializers.IntegerField(help_text="Attraction projects on the link, whatever their stage.")
    urls = serializers.DictField(
        child=serializers.CharField(),
        help_text="The link's collections in this API: target_enterprises, local_enterprises, attraction_projects.",
    )


class MapColumnSerializer(serializers.Serializer):
    position = serializers.ChoiceField(choices=ChainLinkPositionChoices.choices)
    label = serializers.CharField()
    links = MapLinkSerializer(many=True)


class ChainMapSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    industries = serializers.ListField(child=serializers.CharField())
    lead_leader = serializers.CharField()
    chain_master = serializers.CharField()
    description = serializers.CharField()
    as_of = serializers.DateField()
    coverage_counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Links per coverage: covered, pursued, gap."
    )
    columns = MapColumnSerializer(many=True, help_text="Always three: upstream, midstream, downstream.")
    lists = serializers.DictField(
        child=serializers.CharField(),
        help_text="The chain's six lists as collections of this API: target_enterprises, local_enterprises, "
        "carriers, policies, responsibilities, attraction_projects.",
    )


class ChainMapQuerySerializer(serializers.Serializer):
    as_of = DateParameter(
        required=False, help_text=f"YYYY-MM-DD, in the years {periods.YEAR_MIN} to {periods.YEAR_MAX}; default today."
    )


class CanViewChains(SignedInWithPermissions):
    required = ("investment.view_industrialchain",)
    message = _("Seeing a chain's map needs the permission to view industrial chains.")


class ChainMapView(APIView):
    """A chain's links in three columns (upstream, midstream, downstream), each with its
    coverage and counts as of ``as_of`` (default today). 404 for an unknown chain; 400 names a
    bad ``as_of``."""

    permission_classes = [CanViewChains]

    @extend_schema(
        operation_id="chains_map_retrieve",
        parameters=[
            ChainMapQuerySerializer,
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="The chain's id."),
        ],
        responses=ChainMapSerializer,
        description="The map of an industrial chain (一图): its links by position with their coverage and counts.",
    )
    def get(self, request, id: int):
        query = ChainMapQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        try:
            # The chain too, in the map's one query.
            data = chain_map(id, query.validated_data.get("as_of") or periods.today(), API_LISTS)
        except IndustrialChain.DoesNotExist:
            raise NotFound from None
        return Response(ChainMapSerializer(data).data)
