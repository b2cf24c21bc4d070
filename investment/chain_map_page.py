"""The admin's page of an industrial chain's map (一图), ``/admin/chains/<id>/map/``.

The chain's facts (industries, lead county leader 链长, chain-master enterprise 链主), the map
drawn by ``chain_map.draw``, the same links in a table (the accessible and printable version)
and the chain's six lists. A thin door onto ``chain_map``: nothing is computed here. Wrapped in
``admin.site.admin_view`` by the URLconf (staff only); a user without the view permission of
industrial chains gets a 403.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.params import page_parameter

from .chain_map import chain_map, draw
from .choices import ChainLinkCoverageChoices as Coverage
from .models import IndustrialChain

PERMISSION = "investment.view_industrialchain"

# The six lists (一链六清单) in the order the page shows them, with their names.
SIX_LISTS = (
    ("target_enterprises", _("Target enterprises")),
    ("local_enterprises", _("Local enterprises on the chain")),
    ("carriers", _("Carriers on offer")),
    ("policies", _("Policies")),
    ("responsibilities", _("Responsibilities")),
    ("attraction_projects", _("Attraction projects of the chain")),
)


def chain_map_page(request, pk: int):
    """GET, optionally ``as_of`` (YYYY-MM-DD, default today): the map as of that day. A bad
    date is a 400 page that says so; an unknown chain a 404."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied(gettext("Seeing a chain's map needs the permission to view industrial chains."))
    chain = get_object_or_404(IndustrialChain, pk=pk)
    errors: list[str] = []
    as_of = page_parameter(
        request.GET, "as_of", periods.parse_date, errors, gettext("As of: %(error)s"), default=periods.today()
    )
    data = chain_map(chain, as_of)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Map of the chain: %(chain)s") % {"chain": chain.name},
        "chain": chain,
        "map": data,
        "svg": draw(data),
        "as_of": as_of,
        "errors": errors,
        "counts": [(value, label, data.coverage_counts[value]) for value, label in Coverage.choices],
        "lists": [(key, name, data.lists[key]) for key, name in SIX_LISTS],
        "chain_url": reverse("admin:investment_industrialchain_change", args=[chain.pk]),
        "chains_url": reverse("admin:investment_industrialchain_changelist"),
        "opts": IndustrialChain._meta,
    }
    return TemplateResponse(request, "admin/chain_map.html", context, status=400 if errors else 200)
