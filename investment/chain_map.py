"""The map of an industrial chain (一图): the one place that turns a chain into its map.

``chain_map(chain, as_of, lists)`` reads the chain's links with their coverage and counts
(``ChainLink.objects.with_coverage``, the one rule of coverage) into plain dataclasses: three
columns, upstream, midstream and downstream in that order, each with its links in ``order``.
The admin page (``chain_map_page``: the drawing's geometry, drawn by a template) and the REST
answer (``/api/chains/<id>/map/``) read the same ``ChainMap``; each door says where the lists
behind it are (``Lists``): the admin's changelists on the page, the API's collections in the
JSON.

Where a box leads: a gap or a pursued link to its target enterprises (for a gap, whom to call
next; for a pursued link, who is being courted), a covered link to its local enterprises (who is
already there). The table under the drawing links all three lists of every link.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Protocol

from django.db.models import OuterRef, Subquery

from jiaxian.subqueries import count_related, rows_related

from .choices import ChainLinkCoverageChoices as Coverage, ChainLinkPositionChoices as Position
from .models import ChainLink, IndustrialChain

# Where a box leads, by coverage (see the module's docstring): a key of ``MapLink.urls``.
BOX_LEADS_TO = {
    Coverage.GAP: "target_enterprises",
    Coverage.PURSUED: "target_enterprises",
    Coverage.COVERED: "local_enterprises",
}


class Lists(Protocol):
    """Where the lists behind a map are, for the door that shows it: the admin page links the
    admin's changelists, the REST answer the API's collections (``chain_map_page.ADMIN_LISTS``,
    ``api.chain_map.API_LISTS``)."""

    def of_link(self, link_id: int) -> dict[str, str]:
        """The link's lists: ``target_enterprises``, ``local_enterprises``, ``attraction_projects``."""

    def of_chain(self, chain_id: int, link_ids: list[int]) -> dict[str, str]:
        """The chain's six lists: ``target_enterprises``, ``local_enterprises``, ``carriers``,
        ``policies``, ``responsibilities``, ``attraction_projects``."""


# --- the data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapLink:
    """One link as the map shows it. ``courted``: its target enterprises contacted by the date
    and not signed by then; ``signed``: signed by then; ``attraction_projects``: the attraction
    projects recorded on the link, whatever their stage. ``urls``: the admin's lists of its
    target enterprises, local enterprises and attraction projects (``Lists.of_link``);
    ``href``: the one its box leads to (``BOX_LEADS_TO``)."""

    id: int
    name: str
    position: str
    order: int
    description: str
    coverage: str
    local_enterprises: int
    courted: int
    signed: int
    attraction_projects: int
    urls: dict[str, str]

    @property
    def coverage_label(self) -> str:
        return str(Coverage(self.coverage).label)

    @property
    def href(self) -> str:
        return self.urls[BOX_LEADS_TO[Coverage(self.coverage)]]


@dataclass(frozen=True)
class MapColumn:
    """A position of the chain (upstream, midstream, downstream) with its links in order;
    possibly none."""

    position: str
    links: list[MapLink]

    @property
    def label(self) -> str:
        return str(Position(self.position).label)


@dataclass(frozen=True)
class ChainMap:
    """A chain's map as of ``as_of``: its facts, its three columns (always three, upstream
    first), how many links of each coverage, and the chain's six lists (``Lists.of_chain``)."""

    id: int
    name: str
    industries: list[str]
    lead_leader: str
    chain_master: str
    description: str
    as_of: datetime.date
    columns: list[MapColumn]
    lists: dict[str, str] = field(default_factory=dict)

    @property
    def links(self) -> list[MapLink]:
        return [link for column in self.columns for link in column.links]

    @property
    def coverage_counts(self) -> dict[str, int]:
        """Links per coverage, every coverage present (covered, pursued, gap)."""
        counts = {value: 0 for value in Coverage.values}
        for link in self.links:
            counts[link.coverage] += 1
        return counts


def chain_map(chain: IndustrialChain | int, as_of: datetime.date, lists: Lists) -> ChainMap:
    """The map of ``chain`` (a chain, or its id) as of ``as_of``, its lists where ``lists``
    says, from the database as it stands (a chain given is read again). One query whatever the
    number of links and records: the chain's links annotated with coverage and counts
    (``with_coverage``, plus the attraction projects per link), each row with its chain and the
    chain's industries. A chain without links has three empty columns, and costs one query more
    (the chain with its industries); an unknown id raises ``IndustrialChain.DoesNotExist``."""
    chain_id = chain.pk if isinstance(chain, IndustrialChain) else chain
    links = list(
        ChainLink.objects.filter(chain_id=chain_id)
        .select_related("chain")
        .with_coverage(as_of)
        .annotate(
            attraction_project_count=count_related(ChainLink, "attraction_projects"),
            chain_industries=_industries_of("chain_id"),
        )
    )
    if links:
        stored, industries = links[0].chain, links[0].chain_industries
    else:
        stored = IndustrialChain.objects.annotate(chain_industries=_industries_of("pk")).get(pk=chain_id)
        industries = stored.chain_industries
    by_position: dict[str, list[MapLink]] = {value: [] for value in Position.values}
    link_ids = []
    for link in links:  # the model's ordering: upstream first, then by order
        link_ids.append(link.pk)
        by_position[link.position].append(
            MapLink(
                id=link.pk,
                name=link.name,
                position=link.position,
                order=link.order,
                description=link.description,
                coverage=link.coverage_as_of,
                local_enterprises=link.local_enterprise_count,
                courted=link.courted_count,
                signed=link.signed_count,
                attraction_projects=link.attraction_project_count,
                urls=lists.of_link(link.pk),
            )
        )
    return ChainMap(
        id=stored.pk,
        name=stored.name,
        # By code, as the admin lists them; the list comes unordered from the database.
        industries=[name for _code, name in sorted(industries)],
        lead_leader=stored.lead_leader,
        chain_master=stored.chain_master,
        description=stored.description,
        as_of=as_of,
        columns=[MapColumn(position, by_position[position]) for position in Position.values],
        lists=lists.of_chain(stored.pk, link_ids),
    )


def _industries_of(chain: str) -> Subquery:
    """The industries of the chain whose id is the outer row's ``chain``, as [code, name] pairs."""
    through = IndustrialChain.industries.through
    rows = through.objects.filter(industrialchain_id=OuterRef(chain))
    return rows_related(rows, "industrialchain_id", "industry__code", "industry__name")
