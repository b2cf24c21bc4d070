"""The map of an industrial chain (一图): the one place that turns a chain into its map.

``chain_map(chain, as_of)`` reads the chain's links with their coverage and counts
(``ChainLink.objects.with_coverage``, the one rule of coverage) into plain dataclasses: three
columns, upstream, midstream and downstream in that order, each with its links in ``order``.
``draw(chain_map)`` turns that data into an SVG drawing, server-side, every text escaped; the
admin page (``chain_map_page``), the dashboard and the REST answer (``/api/chains/<id>/map/``)
all read the same ``ChainMap``.

Where a box leads: a gap or a pursued link to its target enterprises (for a gap, whom to call
next; for a pursued link, who is being courted), a covered link to its local enterprises (who is
already there). The table under the drawing links all three lists of every link.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from jiaxian.subqueries import count_related

from .choices import ChainLinkCoverageChoices as Coverage, ChainLinkPositionChoices as Position
from .models import ChainLink, IndustrialChain

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

# Where a box leads, by coverage (see the module's docstring).
BOX_LEADS_TO = {
    Coverage.GAP: "target_enterprises",
    Coverage.PURSUED: "target_enterprises",
    Coverage.COVERED: "local_enterprises",
}


def list_url(name: str, parameter: str, value: int | str) -> str:
    return f"{reverse(name)}?{urlencode({parameter: value}, safe=',')}"


def map_url(chain_id: int) -> str:
    """The admin page of a chain's map."""
    return reverse("chain-map", args=[chain_id])


# --- the data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapLink:
    """One link as the map shows it. ``courted``: its target enterprises contacted by the date
    and not signed by then; ``signed``: signed by then; ``attraction_projects``: the attraction
    projects recorded on the link, whatever their stage. ``urls``: the admin's lists of its
    target enterprises, local enterprises and attraction projects; ``href``: the one its box
    leads to (``BOX_LEADS_TO``)."""

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
    first), how many links of each coverage, and the admin's six lists of the chain (``lists``)."""

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


def chain_map(chain: IndustrialChain, as_of: datetime.date) -> ChainMap:
    """The map of ``chain`` as of ``as_of``. Two queries whatever the number of links and
    records: the chain's industries, and its links annotated with coverage and counts
    (``with_coverage``, plus the attraction projects per link). A chain without links has
    three empty columns."""
    links = (
        ChainLink.objects.filter(chain=chain)
        .with_coverage(as_of)
        .annotate(attraction_project_count=count_related(ChainLink, "attraction_projects"))
    )
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
                urls={key: list_url(name, parameter, link.pk) for key, (name, parameter) in LINK_LISTS.items()},
            )
        )
    return ChainMap(
        id=chain.pk,
        name=chain.name,
        industries=[industry.name for industry in chain.industries.order_by("code")],
        lead_leader=chain.lead_leader,
        chain_master=chain.chain_master,
        description=chain.description,
        as_of=as_of,
        columns=[MapColumn(position, by_position[position]) for position in Position.values],
        lists={
            **{key: list_url(name, parameter, chain.pk) for key, (name, parameter) in CHAIN_LISTS.items()},
            "attraction_projects": list_url(*CHAIN_PROJECTS, ",".join(str(pk) for pk in link_ids) or "0"),
        },
    )


# --- the drawing ---------------------------------------------------------------------------------

# Sizes in the SVG's user units (CSS pixels at 100 %).
COLUMN_WIDTH = 324
BOX_WIDTH = 272
BOX_HEIGHT = 84
BOX_GAP = 14
MARGIN = 16
HEADER_HEIGHT = 44
LEGEND_HEIGHT = 40
NAME_WIDTH = 15  # the box name's width in CJK characters per line (ASCII counts half)

# Fill, stroke, the stroke's dashes (so that a gap tells itself apart in black and white too)
# and the word's colour of each coverage.
STYLES = {
    Coverage.COVERED: ("#e3f4e7", "#2e9e48", "", "#1b6b2c"),
    Coverage.PURSUED: ("#fff3d1", "#d19a00", "6 3", "#7a5600"),
    Coverage.GAP: ("#fde4e4", "#d9383e", "2 3", "#a51f24"),
}


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


def _text(x: float, y: float, text: str, css: str, **attributes) -> SafeString:
    extra = format_html_join("", ' {}="{}"', ((name.replace("_", "-"), value) for name, value in attributes.items()))
    return format_html('<text x="{}" y="{}" class="{}"{}>{}</text>', x, y, css, extra, text)


def _box(link: MapLink, x: float, y: float) -> SafeString:
    fill, stroke, dashes, ink = STYLES[Coverage(link.coverage)]
    name_lines = wrap(link.name)
    name = format_html_join(
        "",
        '<tspan x="{}" dy="{}">{}</tspan>',
        ((x + 12, "0" if i == 0 else "1.2em", line) for i, line in enumerate(name_lines)),
    )
    counts = gettext("local %(local)s · courted %(courted)s · signed %(signed)s · projects %(projects)s") % {
        "local": link.local_enterprises,
        "courted": link.courted,
        "signed": link.signed,
        "projects": link.attraction_projects,
    }
    label = gettext("%(name)s: %(coverage)s; %(counts)s") % {
        "name": link.name,
        "coverage": link.coverage_label,
        "counts": counts,
    }
    name_y = y + 22 if len(name_lines) > 1 else y + 30
    return format_html(
        '<a href="{href}" class="link-box {coverage}" data-link="{id}" data-coverage="{coverage}" aria-label="{label}">'
        "<title>{label}</title>"
        '<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="2"'
        ' stroke-dasharray="{dashes}"/>'
        '<text x="{name_x}" y="{name_y}" class="link-name">{name}</text>'
        "{word}{counts}</a>",
        href=link.href,
        coverage=link.coverage,
        id=link.id,
        label=label,
        x=x,
        y=y,
        w=BOX_WIDTH,
        h=BOX_HEIGHT,
        fill=fill,
        stroke=stroke,
        dashes=dashes or "none",
        name_x=x + 12,
        name_y=name_y,
        name=name,
        word=_text(x + BOX_WIDTH - 10, y + 20, link.coverage_label, "coverage-word", fill=ink, text_anchor="end"),
        counts=_text(x + 12, y + BOX_HEIGHT - 12, counts, "link-counts"),
    )


def size(data: ChainMap) -> tuple[int, int]:
    """The drawing's width and height: three columns, as tall as the fullest (at least one box)."""
    rows = max([1, *(len(column.links) for column in data.columns)])
    width = MARGIN * 2 + COLUMN_WIDTH * len(data.columns)
    height = MARGIN + HEADER_HEIGHT + rows * (BOX_HEIGHT + BOX_GAP) + LEGEND_HEIGHT + MARGIN
    return width, height


def draw(data: ChainMap) -> SafeString:
    """The map as an inline SVG: the three positions as columns from left to right under their
    headings, joined by arrows (upstream → midstream → downstream); a box per link, coloured and
    worded by its coverage, with its counts, each box a link to its list (``MapLink.href``); an
    empty column says so; a legend at the bottom. No script; every text escaped."""
    width, height = size(data)
    parts = []
    top = MARGIN + HEADER_HEIGHT
    for index, column in enumerate(data.columns):
        left = MARGIN + index * COLUMN_WIDTH
        centre = left + BOX_WIDTH / 2
        parts.append(
            format_html(
                '<g class="map-column {}" data-position="{}">{}',
                column.position,
                column.position,
                _text(
                    centre,
                    MARGIN + 18,
                    f"{column.label}（{len(column.links)}）",
                    "column-heading",
                    text_anchor="middle",
                ),
            )
        )
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" class="column-rule"/>',
                left,
                MARGIN + 30,
                left + BOX_WIDTH,
                MARGIN + 30,
            )
        )
        if index < len(data.columns) - 1:
            start, end = left + BOX_WIDTH + 8, left + COLUMN_WIDTH - 8
            parts.append(
                format_html(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" class="flow" marker-end="url(#chain-map-arrow)"/>',
                    start,
                    MARGIN + 14,
                    end,
                    MARGIN + 14,
                )
            )
        if not column.links:
            parts.append(_text(centre, top + BOX_HEIGHT / 2, gettext("no link"), "empty", text_anchor="middle"))
        for row, link in enumerate(column.links):
            parts.append(_box(link, left, top + row * (BOX_HEIGHT + BOX_GAP)))
        parts.append(mark_safe("</g>"))

    legend_y = height - MARGIN - LEGEND_HEIGHT / 2
    legend = [_text(MARGIN, legend_y + 5, gettext("Legend:"), "legend-title")]
    x = MARGIN + 64
    for coverage, explanation in (
        (Coverage.COVERED, gettext("local enterprises work in it")),
        (Coverage.PURSUED, gettext("a target enterprise is being courted")),
        (Coverage.GAP, gettext("nobody yet: to attract")),
    ):
        fill, stroke, dashes, _ink = STYLES[coverage]
        text = f"{coverage.label}: {explanation}"
        legend.append(
            format_html(
                '<g class="legend-item {}"><rect x="{}" y="{}" width="22" height="14" rx="3" fill="{}" stroke="{}"'
                ' stroke-width="2" stroke-dasharray="{}"/>{}</g>',
                coverage.value,
                x,
                legend_y - 7,
                fill,
                stroke,
                dashes or "none",
                _text(x + 28, legend_y + 5, text, "legend-text"),
            )
        )
        x += 44 + math.ceil(_width(text) * 13)
    title = gettext("Map of the %(chain)s chain as of %(date)s") % {"chain": data.name, "date": data.as_of.isoformat()}
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chain-map" id="chain-map-svg" width="{w}" height="{h}"'
        ' viewBox="0 0 {w} {h}" aria-labelledby="chain-map-title">'
        '<title id="chain-map-title">{title}</title>'
        "<defs>"
        '<marker id="chain-map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8"'
        ' orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#5b6670"/></marker>'
        "</defs>{body}{legend}</svg>",
        w=width,
        h=height,
        title=title,
        body=mark_safe("".join(parts)),
        legend=mark_safe("".join(legend)),
    )
