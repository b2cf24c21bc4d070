"""The pages' benchmark (``manage.py bench_pages``): each page of the admin and the API that
grows with the ledgers, timed through Django's test client with debug off, against a floor (one
hand-written statement returning what the page shows) and against the same page with a filter
that matches nothing (its fixed cost: the request, the session, the template).

A page's figure is ``ratio = (ms − base_ms) ÷ floor_ms`` (a report, which no filter shrinks,
has no base: ``ms ÷ floor_ms``): how far the page's own work on the
records is from the fastest a database could do it. Times are medians of interleaved runs after
a warm-up; queries are counted in a separate run, so that capturing them slows no timed run.

The floors are written out here, each for both vendors; each returns the page's rows with every
figure the page shows of them (the warning light computed once per project, the problem counts,
the names of the reference records), so that what is left between page and floor is the ORM,
the serializer or the template and whatever extra work the page's queries do."""

from __future__ import annotations

import dataclasses
import datetime
import json
import random
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from investment.models import AttractionProject, ChainLink
from jiaxian import periods
from projects.models import AnnualListing, BondReserve, KeyProject, Milestone, Problem, ProgressReport, YearPlan

from . import timing
from .data import YEARS, Filler
from .quotas import floor_statement as quota_floor_statement

# Filler's rows (attraction projects; a tenth as many key projects and as many reserves) and
# chains of each scale: a county keeps about a hundred key projects a year, a city of ten
# counties a thousand, over the years the builder spreads them on.
SCALES = {
    "county": {"rows": 10_000, "chains": 10},
    "city": {"rows": 1_000_000, "chains": 300},
    "province": {"rows": 3_000_000, "chains": 900},
}
USER = "bench-pages"
PAGE = 50  # the API's default page size
ADMIN_PAGE = 100  # LedgerAdmin.list_per_page
DEEP = 900  # the deep page the targets name


@dataclasses.dataclass
class Page:
    """A page to time: its URL, the URL of the same page with a filter that matches nothing
    (None for a page whose work no filter shrinks, a report's: its whole time is then set
    against the floor), and its floor (a callable running the floor statement, returning its
    rows)."""

    name: str
    url: str
    base_url: str | None
    floor: Callable[[], list]


def chains_for(rows: int) -> int:
    """The chains beside ``rows`` attraction projects: as the scales have them, at least one."""
    return max(1, rows * SCALES["city"]["chains"] // SCALES["city"]["rows"])


def fill(console: timing.Console, rows: int, seed: int) -> None:
    """The synthetic records of ``rows`` attraction projects (a tenth as many key projects,
    with their milestones and monthly progress, and reserves; the chains of ``chains_for``)."""
    Filler(
        random.Random(seed),
        rows,
        console.progress,
        milestones=True,
        monthly_progress=True,
        chains=chains_for(rows),
    ).fill()
    models = [KeyProject, AnnualListing, Milestone, ProgressReport, Problem, BondReserve, AttractionProject]
    timing.vacuum_analyze(timing.tables_of(*models))


def run(console: timing.Console, runs: int) -> Iterator[dict[str, Any]]:
    """One line a page: its figures, timed with debug off as in production."""
    client = Client()
    user, _created = get_user_model().objects.get_or_create(
        username=USER, defaults={"is_staff": True, "is_superuser": True}
    )
    client.force_login(user)
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        for page in pages():
            yield measure(client, page, runs)


def measure(client: Client, page: Page, runs: int) -> dict[str, Any]:
    def get(url: str) -> Callable[[], bytes]:
        def fetch() -> bytes:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            return response.content

        return fetch

    sides: dict[str, Callable[[], object]] = {"page": get(page.url), "floor": page.floor}
    if page.base_url is not None:
        sides["base"] = get(page.base_url)
        sides["base"]()  # warm-up
    shown, floor_rows = get(page.url)(), len(page.floor())  # and the warm-up
    if page.url.startswith("/api/") and b'"results"' in shown:
        # A list of the API: the page and its floor must hold the same records.
        listed = len(json.loads(shown)["results"])
        if listed != floor_rows:
            raise CommandError(f"{page.name}: the page lists {listed} records, its floor {floor_rows}.")
    medians = timing.interleaved_medians(sides, runs)
    with CaptureQueriesContext(connection) as queries:
        sides["page"]()
    base = medians.get("base", 0.0)
    own = medians["page"] - base
    return {
        "page": page.name,
        "url": page.url,
        "vendor": connection.vendor,
        "rows": floor_rows,
        "ms": round(medians["page"], 1),
        "base_ms": round(base, 1) if page.base_url is not None else None,
        "floor_ms": round(medians["floor"], 2),
        "ratio": timing.ratio(max(own, 0.0), medians["floor"]),
        "queries": len(queries.captured_queries),
    }


# --- the floors -------------------------------------------------------------------------------


def fetch(sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_of_day() -> datetime.date:
    """The day the API's pages are asked for (``?as_of=``): the builder's last day, where its
    records stop. The admin's lists show today's lights."""
    return datetime.date(YEARS[-1], 12, 31)


def light_parts(as_of: datetime.date) -> tuple[str, list]:
    """The select list of a key project's warning light on ``as_of``'s three figures (worst late
    milestone, the year's completed and planned investment) and its problem counts, each one
    correlated subquery, for a query over ``projects_keyproject p``."""
    start = periods.year_start(as_of.year)
    sql = """
        (SELECT MIN(m.planned_on) FROM projects_milestone m
          WHERE m.project_id = p.id AND m.planned_on < %s AND (m.done_on IS NULL OR m.done_on > %s)) AS late_since,
        COALESCE((SELECT SUM(r.completed_investment) FROM projects_progressreport r
          WHERE r.project_id = p.id AND r.month >= %s AND r.month <= %s), 0) AS completed,
        COALESCE((SELECT l.planned_investment FROM projects_annuallisting l
          WHERE l.project_id = p.id AND l.year = %s AND l.listed_on <= %s), 0) AS planned,
        (SELECT COUNT(*) FROM projects_problem q
          WHERE q.project_id = p.id AND q.raised_on <= %s AND (q.resolved_on IS NULL OR q.resolved_on > %s))
          AS open_problems,
        (SELECT COUNT(*) FROM projects_problem q
          WHERE q.project_id = p.id AND q.raised_on <= %s AND (q.resolved_on IS NULL OR q.resolved_on > %s)
            AND q.due_on < %s) AS overdue_problems"""
    return sql, [as_of, as_of, start, as_of, as_of.year, as_of, as_of, as_of, as_of, as_of, as_of]


def light_case(as_of: datetime.date, plan: YearPlan) -> tuple[str, list]:
    """The light over ``light_parts``'s figures (``f``), as ``KeyProjectQuerySet.with_warning``
    decides it, without division."""
    months = periods.months_elapsed(as_of)
    red_day = periods.days_before(as_of, plan.milestone_yellow_max_days)

    def factor(gap: Decimal) -> int:
        return months * 10000 - int(gap * 120000)

    sql = """CASE
        WHEN f.late_since < %s OR f.completed * 120000 < f.planned * %s THEN 'red'
        WHEN f.late_since IS NOT NULL OR f.completed * 120000 < f.planned * %s THEN 'yellow'
        ELSE 'green' END"""
    return sql, [red_day, factor(plan.investment_red_gap), factor(plan.investment_yellow_gap)]


def key_project_floor(
    as_of: datetime.date,
    *,
    limit: int,
    offset: int,
    names: bool,
    warning: str | None = None,
) -> Callable[[], list]:
    """The floor of a page of key projects ordered by name: their columns, the names of their
    reference records (``names``: the admin's list shows them), their listings' years, and on
    ``as_of`` the light (under the plan of its year) and the problem counts; with ``warning``,
    only the projects of that light."""
    plan = YearPlan.for_year(as_of.year)
    parts, part_params = light_parts(as_of)
    case, case_params = light_case(as_of, plan)
    aggregate = (
        "string_agg(CAST(l.year AS TEXT), ',' ORDER BY l.year)"
        if connection.vendor == "postgresql"
        else ("group_concat(l.year, ',')")
    )
    joins = (
        "JOIN projects_industry i ON i.id = p.industry_id JOIN projects_area a ON a.id = p.area_id "
        "JOIN projects_department d ON d.id = p.department_id"
        if names
        else ""
    )
    name_columns = "i.name AS industry_name, i.is_key, a.name AS area_name, d.name AS department_name," if names else ""
    if warning is None:
        # The page's ids first (the name index serves the order), then the figures of those
        # projects only: what a deep page can do at best.
        page = "WHERE p.id IN (SELECT k.id FROM projects_keyproject k ORDER BY k.name LIMIT %s OFFSET %s)"
        paging, tail, tail_params = [limit, offset], "ORDER BY f.name", []
    else:
        # The light decides which projects are on the page: it is computed until the page is full.
        page, paging = "", []
        tail = f"WHERE ({case}) = %s ORDER BY f.name LIMIT %s OFFSET %s"
        tail_params = [*case_params, warning, limit, offset]
    sql = f"""
        SELECT f.*, {case} AS warning,
          (SELECT {aggregate} FROM projects_annuallisting l WHERE l.project_id = f.id) AS years
        FROM (SELECT p.*, {name_columns} {parts} FROM projects_keyproject p {joins} {page}) f
        {tail}"""
    arguments = [*case_params, *part_params, *paging, *tail_params]
    return lambda: fetch(sql, arguments)


def joined(expression: str, order: str) -> str:
    """``expression``'s values of a group joined by commas in ``order``, on either vendor."""
    if connection.vendor == "postgresql":
        return f"string_agg(CAST({expression} AS TEXT), ',' ORDER BY {order})"
    return f"group_concat({expression}, ',')"


def key_project_detail_floor(pk: int, as_of: datetime.date) -> Callable[[], list]:
    """The floor of a key project's page: its columns, its light and problem counts on ``as_of``
    (under the plan of its year), its listings' shown fields and its successors' ids."""
    plan = YearPlan.for_year(as_of.year)
    parts, part_params = light_parts(as_of)
    case, case_params = light_case(as_of, plan)
    listing = (
        "l.id || '|' || l.year || '|' || l.category || '|' || l.planned_investment || '|' || l.listed_on "
        "|| '|' || l.version"
    )
    sql = f"""
        SELECT f.*, {case} AS warning,
          (SELECT {joined(listing, "l.year")} FROM projects_annuallisting l WHERE l.project_id = f.id) AS listings,
          (SELECT {joined("s.id", "s.id")} FROM projects_keyproject s WHERE s.predecessor_id = f.id) AS successors
        FROM (SELECT p.*, {parts} FROM projects_keyproject p WHERE p.id = %s) f"""
    arguments = [*case_params, *part_params, pk]
    return lambda: fetch(sql, arguments)


def chain_map_floor(chain_id: int, as_of: datetime.date) -> Callable[[], list]:
    """The floor of a chain's map: its links in order with their counts on ``as_of`` (local
    enterprises, targets courted and signed, attraction projects), each row with the chain's
    columns and its industries' names."""
    industries = joined("i.name", "i.code")
    sql = f"""
        SELECT k.*, c.name, c.lead_leader, c.chain_master, c.description,
          (SELECT {industries} FROM investment_industrialchain_industries ci
             JOIN projects_industry i ON i.id = ci.industry_id WHERE ci.industrialchain_id = c.id) AS industries,
          (SELECT COUNT(*) FROM investment_localenterprise e WHERE e.link_id = k.id) AS local_enterprises,
          (SELECT COUNT(*) FROM investment_targetenterprise t WHERE t.link_id = k.id AND t.contacted_on <= %s
             AND (t.signed_on IS NULL OR t.signed_on > %s)) AS courted,
          (SELECT COUNT(*) FROM investment_targetenterprise t WHERE t.link_id = k.id AND t.signed_on <= %s) AS signed,
          (SELECT COUNT(*) FROM investment_attractionproject a WHERE a.link_id = k.id) AS attraction_projects
        FROM investment_chainlink k JOIN investment_industrialchain c ON c.id = k.chain_id
        WHERE k.chain_id = %s
        ORDER BY CASE k.position WHEN 'upstream' THEN 0 WHEN 'midstream' THEN 1 ELSE 2 END, k."order"
        """
    arguments = [as_of, as_of, as_of, chain_id]
    return lambda: fetch(sql, arguments)


def warning_counts_floor(year: int, as_of: datetime.date) -> Callable[[], list]:
    """The dashboard's warning lights: the listed projects of ``year`` by colour on ``as_of``,
    the light evaluated once per project."""
    plan = YearPlan.for_year(year)
    parts, part_params = light_parts(as_of)
    case, case_params = light_case(as_of, plan)
    sql = f"""
        SELECT {case} AS warning, COUNT(*) FROM (
          SELECT p.id, {parts} FROM projects_keyproject p
          JOIN projects_annuallisting y ON y.project_id = p.id AND y.year = %s AND y.listed_on <= %s) f
        GROUP BY 1"""
    arguments = [*case_params, *part_params, year, as_of]
    return lambda: fetch(sql, arguments)


def dashboard_floor(year: int, as_of: datetime.date) -> Callable[[], list]:
    """The dashboard's figures: the quota report's statement, then the warning counts."""
    report, report_params = quota_floor_statement(YearPlan.for_year(year), as_of)
    counts = warning_counts_floor(year, as_of)
    return lambda: [*fetch(report, report_params), *counts()]


def ledger_floor(table: str, *, year: int | None, limit: int, offset: int, names: str) -> Callable[[], list]:
    """A page of a ledger ordered as its list is (latest year first, then by name), with the
    names of its reference records (``names``: the joins and columns) and, for reserves, the
    warning ratio of each year's plan; of ``year`` only when given."""
    where = "WHERE t.year = %s" if year is not None else ""
    sql = f"""
        SELECT t.*, {names} FROM {table} t {JOINS[table]} {where}
        ORDER BY t.year DESC, t.name LIMIT %s OFFSET %s"""
    arguments = [*([year] if year is not None else []), limit, offset]
    return lambda: fetch(sql, arguments)


JOINS = {
    "projects_bondreserve": (
        "JOIN projects_sector s ON s.id = t.sector_id JOIN projects_area a ON a.id = t.area_id "
        "JOIN projects_department d ON d.id = t.department_id LEFT JOIN projects_yearplan y ON y.year = t.year"
    ),
    "investment_attractionproject": (
        "JOIN projects_industry i ON i.id = t.industry_id JOIN projects_area a ON a.id = t.area_id "
        "JOIN projects_department d ON d.id = t.department_id"
    ),
}
RESERVE_NAMES = "s.name AS sector_name, a.name AS area_name, d.name AS department_name, y.coverage_warning_ratio"
ATTRACTION_NAMES = "i.name AS industry_name, i.is_key, a.name AS area_name, d.name AS department_name"


def pages() -> list[Page]:
    """The pages timed: each a URL, its empty twin and its floor."""
    total = KeyProject.objects.count()
    deep = max(1, min(DEEP, total // PAGE))
    nothing = "department=0"  # no department has id 0: the same request over no records
    as_of, today = as_of_day(), periods.today()
    year = YEARS[-1]
    mid_year = datetime.date(year, 6, 30)
    # A project of the last year's list (its light has figures to compute), and the chain with
    # the most links: the pages of one record, which no filter shrinks (no base).
    project = KeyProject.objects.listed_for(year).order_by("pk").values_list("pk", flat=True).first()
    chain = (
        ChainLink.objects.values("chain")
        .annotate(links=Count("pk"))
        .order_by("-links", "chain")
        .values_list("chain", flat=True)
        .first()
    )
    if project is None or chain is None:
        raise CommandError(f"No key project listed for {year}, or no chain with links: fill the database first.")
    return [
        Page(
            "api key projects, page 1",
            f"/api/key-projects/?as_of={as_of}",
            f"/api/key-projects/?as_of={as_of}&{nothing}",
            key_project_floor(as_of, limit=PAGE, offset=0, names=False),
        ),
        Page(
            f"api key projects, page {deep}",
            f"/api/key-projects/?as_of={as_of}&page={deep}",
            f"/api/key-projects/?as_of={as_of}&{nothing}",
            key_project_floor(as_of, limit=PAGE, offset=(deep - 1) * PAGE, names=False),
        ),
        Page(
            "api key project detail GET",
            f"/api/key-projects/{project}/?as_of={as_of}",
            None,
            key_project_detail_floor(project, as_of),
        ),
        Page(
            "admin key projects, page 1",
            "/admin/projects/keyproject/",
            "/admin/projects/keyproject/?department__id__exact=0",
            key_project_floor(today, limit=ADMIN_PAGE, offset=0, names=True),
        ),
        Page(
            "admin key projects, red",
            "/admin/projects/keyproject/?warning=red",
            "/admin/projects/keyproject/?warning=red&department__id__exact=0",
            key_project_floor(today, limit=ADMIN_PAGE, offset=0, names=True, warning="red"),
        ),
        Page(
            "admin dashboard",
            f"/admin/dashboard/?year={year}&as_of={mid_year}",
            None,
            dashboard_floor(year, mid_year),
        ),
        Page(
            "api quota report",
            f"/api/reports/quotas/?year={year}&as_of={mid_year}",
            None,
            lambda: fetch(*quota_floor_statement(YearPlan.for_year(year), mid_year)),
        ),
        Page(
            "api chain map",
            f"/api/chains/{chain}/map/?as_of={as_of}",
            None,
            chain_map_floor(chain, as_of),
        ),
        Page(
            "api bond reserves, page 1",
            "/api/bond-reserves/",
            f"/api/bond-reserves/?{nothing}",
            ledger_floor("projects_bondreserve", year=None, limit=PAGE, offset=0, names=RESERVE_NAMES),
        ),
        Page(
            f"admin bond reserves, {year}",
            f"/admin/projects/bondreserve/?year={year}",
            f"/admin/projects/bondreserve/?year={year}&department__id__exact=0",
            ledger_floor("projects_bondreserve", year=year, limit=ADMIN_PAGE, offset=0, names=RESERVE_NAMES),
        ),
        Page(
            "api attraction projects, page 1",
            "/api/attraction-projects/",
            f"/api/attraction-projects/?{nothing}",
            ledger_floor("investment_attractionproject", year=None, limit=PAGE, offset=0, names=ATTRACTION_NAMES),
        ),
        Page(
            f"admin attraction projects, {year}",
            f"/admin/investment/attractionproject/?year={year}",
            f"/admin/investment/attractionproject/?year={year}&department__id__exact=0",
            ledger_floor("investment_attractionproject", year=year, limit=ADMIN_PAGE, offset=0, names=ATTRACTION_NAMES),
        ),
    ]
