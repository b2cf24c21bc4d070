"""The admin's page of an industrial chain's map (一图), ``/admin/chains/<id>/map/``.

The chain's facts (industries, lead county leader 链长, chain-master enterprise 链主), the map
drawn as an SVG, the same links in a table (the accessible and printable version) and the
chain's six lists. The figures come from ``chain_map`` (nothing is counted here); this module
says where the admin's lists are (``ADMIN_LISTS``) and where each part of the drawing goes
(``layout``: the geometry), and ``admin/chain_map_svg.html`` draws it (every text escaped by
the template). Wrapped in ``admin.site.admin_view`` by the URLconf (staff only); a user without
the view permission of industrial chains gets a 403.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.params import page_parameter

from .chain_map import ChainMap, MapLink, chain_map
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


# --- where the lists are ---------------------------------------------------------------------------

# The admin's lists behind a link and behind a chain, with the filters those admins offer:
# ``link`` (their LinkFilter) and ``link__chain`` on target and local enterprises, ``chain`` on
# carriers and responsibilities, ``chains`` on policies. The attraction projects' admin has no
# chain filter: a lookup through one relation (``link__id__exact``, ``link__id__in``) needs none.
LINK_LISTS = {
    "target_enterprises": ("admin:investment_targetenterprise_changelist", "link"),
    "local_enterprises": ("admin:investment_localenterprise_changelist", "link"),
    "attraction_projects": ("admin:investment_attractionproject_changelist", "link__id__exact"),
}
CHAIN_LISTS = {
    "target_enterprises": ("admin:investment_targetenterprise_changelist", "link__chain__id__exact"),
    "local_enterprises": ("admin:investment_localenterprise_changelist", "link__chain__id__exact"),
    "carriers": ("admin:investment_carrier_changelist", "chain__id__exact"),
    "policies": ("admin:investment_policy_changelist", "chains__id__exact"),
    "responsibilities": ("admin:investment_responsibility_changelist", "chain__id__exact"),
}
# The chain's attraction projects, by the ids of its links (0, which no link has, for a chain
# without links: an empty list rather than the admin's error page for an empty value).
CHAIN_PROJECTS = ("admin:investment_attractionproject_changelist", "link__id__in")


def list_url(name: str, parameter: str, value: int | str) -> str:
    return f"{reverse(name)}?{urlencode({parameter: value}, safe=',')}"


def map_url(chain_id: int) -> str:
    """The admin page of a chain's map."""
    return reverse("chain-map", args=[chain_id])


class AdminLists:
    """The admin's changelists behind a map (``chain_map.Lists``)."""

    def of_link(self, link_id: int) -> dict[str, str]:
        return {key: list_url(name, parameter, link_id) for key, (name, parameter) in LINK_LISTS.items()}

    def of_chain(self, chain_id: int, link_ids: list[int]) -> dict[str, str]:
        return {
            **{key: list_url(name, parameter, chain_id) for key, (name, parameter) in CHAIN_LISTS.items()},
            "attraction_projects": list_url(*CHAIN_PROJECTS, ",".join(str(pk) for pk in link_ids) or "0"),
        }


ADMIN_LISTS = AdminLists()


def admin_map(chain: IndustrialChain | int, as_of: datetime.date) -> ChainMap:
    """The map of ``chain`` (or of the chain of that id) as of ``as_of`` with the admin's lists."""
    return chain_map(chain, as_of, ADMIN_LISTS)


# --- the drawing's geometry ------------------------------------------------------------------------

# Sizes in the SVG's user units (CSS pixels at 100 %).
COLUMN_WIDTH = 324
BOX_WIDTH = 272
BOX_HEIGHT = 84
BOX_GAP = 14
MARGIN = 16
HEADER_HEIGHT = 44
LEGEND_HEIGHT = 40
NAME_WIDTH = 15  # the box name's width in CJK characters per line (ASCII counts half)

# Fill, stroke, the stroke's dashes ("none" for a solid line; a gap tells itself apart in black
# and white too) and the word's colour of each coverage.
STYLES = {
    Coverage.COVERED: ("#e3f4e7", "#2e9e48", "none", "#1b6b2c"),
    Coverage.PURSUED: ("#fff3d1", "#d19a00", "6 3", "#7a5600"),
    Coverage.GAP: ("#fde4e4", "#d9383e", "2 3", "#a51f24"),
}
LEGEND = (
    (Coverage.COVERED, _("local enterprises work in it")),
    (Coverage.PURSUED, _("a target enterprise is being courted")),
    (Coverage.GAP, _("nobody yet: to attract")),
)


def _width(text: str) -> float:
    """Display width in CJK characters: wide characters count 1, the others (ASCII) one half."""
    return sum(1 if ord(char) > 0x2E7F else 0.5 for char in text)


def wrap(text: str, width: float = NAME_WIDTH, lines: int = 2) -> list[str]:
    """``text`` cut into at most ``lines`` lines of ``width`` (``_width``); the last line ends
    with an ellipsis when the text does not fit. An empty text is one empty line."""
    result, current = [], ""
    for char in text:
        if _width(current + char) > width:
            result.append(current)
            current = ""
        current += char
    result.append(current)
    if len(result) > lines:
        last = result[lines - 1]
        while last and _width(last + "…") > width:
            last = last[:-1]
        result = [*result[: lines - 1], last + "…"]
    return result


@dataclass(frozen=True)
class Box:
    """A link's box: its top left corner, the colours of its coverage (``STYLES``) and its name
    cut into lines."""

    link: MapLink
    x: float
    y: float
    fill: str
    stroke: str
    dashes: str
    ink: str
    name_lines: list[str]

    width = BOX_WIDTH
    height = BOX_HEIGHT

    @property
    def text_x(self) -> float:
        return self.x + 12

    @property
    def name_y(self) -> float:
        """One line sits in the middle of the box's upper part; two start higher."""
        return self.y + 22 if len(self.name_lines) > 1 else self.y + 30

    @property
    def word_x(self) -> float:
        return self.x + BOX_WIDTH - 10

    @property
    def word_y(self) -> float:
        return self.y + 20

    @property
    def counts_y(self) -> float:
        return self.y + BOX_HEIGHT - 12


@dataclass(frozen=True)
class ColumnDrawing:
    """A position's column: its heading over a rule, an arrow to the next column (none after
    the last), its boxes top down; ``empty_y`` where "no link" stands when it has none."""

    position: str
    heading: str
    left: float
    centre: float
    rule_right: float
    arrow: tuple[float, float] | None
    boxes: list[Box]
    empty_y: float


@dataclass(frozen=True)
class LegendItem:
    """A coverage's swatch at ``x`` with its words on its right."""

    coverage: str
    x: float
    fill: str
    stroke: str
    dashes: str
    text: str

    @property
    def text_x(self) -> float:
        return self.x + 28


@dataclass(frozen=True)
class Drawing:
    """Where everything of the map goes: the drawing's size, its columns, the legend's line."""

    map: ChainMap
    width: int
    height: int
    columns: list[ColumnDrawing]
    legend_y: float
    legend: list[LegendItem]

    margin = MARGIN
    heading_y = MARGIN + 18
    rule_y = MARGIN + 30
    arrow_y = MARGIN + 14

    @property
    def legend_text_y(self) -> float:
        return self.legend_y + 5

    @property
    def swatch_y(self) -> float:
        return self.legend_y - 7


def size(data: ChainMap) -> tuple[int, int]:
    """The drawing's width and height: three columns, as tall as the fullest (at least one box)."""
    rows = max([1, *(len(column.links) for column in data.columns)])
    width = MARGIN * 2 + COLUMN_WIDTH * len(data.columns)
    height = MARGIN + HEADER_HEIGHT + rows * (BOX_HEIGHT + BOX_GAP) + LEGEND_HEIGHT + MARGIN
    return width, height


def layout(data: ChainMap) -> Drawing:
    """The map's geometry: the three positions as columns from left to right under their
    headings, joined by arrows (upstream → midstream → downstream); a box per link, coloured by
    its coverage; a legend at the bottom whose items follow each other by their words' width."""
    width, height = size(data)
    top = MARGIN + HEADER_HEIGHT
    columns = []
    for index, column in enumerate(data.columns):
        left = MARGIN + index * COLUMN_WIDTH
        last = index == len(data.columns) - 1
        boxes = [
            Box(link, left, top + row * (BOX_HEIGHT + BOX_GAP), *STYLES[Coverage(link.coverage)], wrap(link.name))
            for row, link in enumerate(column.links)
        ]
        columns.append(
            ColumnDrawing(
                position=column.position,
                heading=f"{column.label}（{len(column.links)}）",
                left=left,
                centre=left + BOX_WIDTH / 2,
                rule_right=left + BOX_WIDTH,
                arrow=None if last else (left + BOX_WIDTH + 8, left + COLUMN_WIDTH - 8),
                boxes=boxes,
                empty_y=top + BOX_HEIGHT / 2,
            )
        )
    legend, x = [], MARGIN + 64
    for coverage, explanation in LEGEND:
        fill, stroke, dashes, _ink = STYLES[coverage]
        text = f"{coverage.label}: {explanation}"
        legend.append(LegendItem(coverage.value, x, fill, stroke, dashes, text))
        x += 44 + math.ceil(_width(text) * 13)
    return Drawing(data, width, height, columns, height - MARGIN - LEGEND_HEIGHT / 2, legend)


def draw(data: ChainMap) -> SafeString:
    """The map as an inline SVG (``admin/chain_map_svg.html``): no script, every text escaped,
    each box a link to its list (``MapLink.href``)."""
    return render_to_string("admin/chain_map_svg.html", {"drawing": layout(data)})


# --- the page -----------------------------------------------------------------------------------------


def chain_map_page(request, pk: int):
    """GET, optionally ``as_of`` (YYYY-MM-DD, default today): the map as of that day. A bad
    date is a 400 page that says so; an unknown chain a 404."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied(gettext("Seeing a chain's map needs the permission to view industrial chains."))
    errors: list[str] = []
    as_of = page_parameter(
        request.GET, "as_of", periods.parse_date, errors, gettext("As of: %(error)s"), default=periods.today()
    )
    try:
        data = admin_map(pk, as_of)  # the chain too, in the map's one query
    except IndustrialChain.DoesNotExist:
        raise Http404 from None
    context = {
        **admin.site.each_context(request),
        "title": gettext("Map of the chain: %(chain)s") % {"chain": data.name},
        "chain": data.name,
        "map": data,
        "svg": draw(data),
        "as_of": as_of,
        "errors": errors,
        "counts": [(value, label, data.coverage_counts[value]) for value, label in Coverage.choices],
        "lists": [(key, name, data.lists[key]) for key, name in SIX_LISTS],
        "chain_url": reverse("admin:investment_industrialchain_change", args=[data.id]),
        "chains_url": reverse("admin:investment_industrialchain_changelist"),
        "opts": IndustrialChain._meta,
    }
    return TemplateResponse(request, "admin/chain_map.html", context, status=400 if errors else 200)
