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
the names of the reference records) and, for a list, how many records it holds (a list's pager
shows the total: the API's ``count``, the admin's “N 条结果”), so that what is left between page
and floor is the ORM, the serializer or the template and whatever extra work the page's queries
do."""

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
from django.db.models import Count, Model
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from investment.models import AttractionProject, ChainLink, IndustrialChain, TargetEnterprise
from jiaxian import periods
from projects.models import AnnualListing, BondReserve, KeyProject, Milestone, Problem, ProgressReport, YearPlan

from . import timing
from .data import YEARS, Filler, batches, delete_synthetic, expected_counts, synthetic
from .quotas import floor_statement as quota_floor_statement, refuse_real_records

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
        problems=True,
        chains=chains_for(rows),
    ).fill()
    # The chains' tables too: without their statistics (autovacuum may be off, or not yet
    # come by) the planner takes a chain for a few rows and plans the dashboard's pipeline so.
    models = [
        KeyProject,
        AnnualListing,
        Milestone,
        ProgressReport,
        Problem,
        BondReserve,
        AttractionProject,
        IndustrialChain,
        ChainLink,
        TargetEnterprise,
    ]
    timing.vacuum_analyze(timing.tables_of(*models))


def add_scale_arguments(parser) -> None:
    """The options of a benchmark command over these synthetic records (``bench_pages``,
    ``bench_reminders``): the scale or a number of rows, the timed runs, the seed, and
    ``--fresh`` / ``--force`` (``prepare``)."""
    parser.add_argument("--scale", choices=sorted(SCALES), default="county")
    parser.add_argument(
        "--rows",
        type=int,
        help="Attraction projects to make instead of the scale's (a tenth as many key projects).",
    )
    parser.add_argument("--runs", type=int, default=5, help="Timed runs of each side (default 5).")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--fresh", action="store_true", help="Delete the BENCH- records first and fill again.")
    parser.add_argument("--force", action="store_true", help="Run beside ledgers that hold records not named BENCH-.")


def scale_rows(options: dict[str, Any]) -> int:
    """The attraction projects the options ask for (``--rows``, else the scale's); a CommandError
    for fewer than 10 rows or no timed run."""
    rows = options["rows"] or SCALES[options["scale"]]["rows"]
    if options["runs"] < 1 or rows < 10:
        raise CommandError("--runs must be at least 1, --rows at least 10.")
    return rows


def prepare(console: timing.Console, options: dict[str, Any], rows: int, command: str) -> None:
    """The synthetic records of ``rows`` in the database: refused beside real records unless
    ``--force``, deleted first with ``--fresh``, reused when present in the right number, filled
    when absent; a CommandError when those present are of another scale."""
    if not options["force"]:
        refuse_real_records(command)
    if options["fresh"]:
        delete_synthetic()
    wanted = expected_counts(rows)
    present = {model: synthetic(model).count() for model in wanted}
    if present != wanted:
        if any(present.values()):
            raise CommandError("The database holds synthetic records of another scale: pass --fresh to replace them.")
        fill(console, rows, options["seed"])


def fill_missing_problems(console: timing.Console, rows: int, seed: int) -> None:
    """The problems of a database filled before the builder made them: the same ones a fresh
    fill makes (their generator is drawn in the projects' order, whatever the batches)."""
    if synthetic(Problem, "description").exists():
        return
    filler = Filler(random.Random(seed), rows, console.progress, problems=True)
    projects = synthetic(KeyProject).order_by("name").only("pk", "name", "department_id", "started_on")
    bar = console.progress("problems", filler.key_projects)
    for chunk in batches(filler.key_projects):
        batch = list(projects[chunk.start : chunk.stop])
        filler.fill_problems(batch)
        bar.advance(len(batch))
    bar.close()
    timing.vacuum_analyze(timing.tables_of(Problem))


def run(console: timing.Console, runs: int, only: str | None = None) -> Iterator[dict[str, Any]]:
    """One line a page: its figures, timed with debug off as in production; only the pages
    whose name contains ``only``, when given."""
    client = Client()
    user, _created = get_user_model().objects.get_or_create(
        username=USER, defaults={"is_staff": True, "is_superuser": True}
    )
    client.force_login(user)
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        for page in pages():
            if only is None or only in page.name:
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
        COALESCE((SELECT SUM(r.approved_investment) FROM projects_progressreport r
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
    year: int | None = None,
) -> Callable[[], list]:
    """The floor of a page of key projects ordered by name: their columns, the names of their
    reference records and their listings' years (``names``: the admin's list shows them) or
    their listings and their successors' ids (the API's), and on
    ``as_of`` the light (under the plan of its year) and the problem counts; with ``warning``,
    only the projects of that light; with ``year``, only those listed for it."""
    plan = YearPlan.for_year(as_of.year)
    parts, part_params = light_parts(as_of)
    case, case_params = light_case(as_of, plan)
    postgresql = connection.vendor == "postgresql"
    if names:
        # The admin's list shows the years a project is listed for.
        aggregate = (
            "string_agg(CAST(l.year AS TEXT), ',' ORDER BY l.year)" if postgresql else "group_concat(l.year, ',')"
        )
        listed = f"(SELECT {aggregate} FROM projects_annuallisting l WHERE l.project_id = f.id) AS years"
    else:
        # The API's shows each listing's fields, and the ids of the project's successors.
        fields = ", ".join(
            f"'{field}', l.{field}"
            for field in ("id", "year", "category", "planned_investment", "listed_on", "version")
        )
        listing = (
            f"json_agg(json_build_object({fields}) ORDER BY l.year)"
            if postgresql
            else f"json_group_array(json_object({fields}))"
        )
        successors = "array_agg(s.id ORDER BY s.name)" if postgresql else "group_concat(s.id, ',')"
        listed = (
            f"(SELECT {listing} FROM projects_annuallisting l WHERE l.project_id = f.id) AS listings, "
            f"(SELECT {successors} FROM projects_keyproject s WHERE s.predecessor_id = f.id) AS successors"
        )
    joins = (
        "LEFT JOIN projects_industry i ON i.id = p.industry_id LEFT JOIN projects_area a ON a.id = p.area_id "
        "LEFT JOIN projects_department d ON d.id = p.department_id"
        if names
        else ""
    )
    name_columns = "i.name AS industry_name, i.is_key, a.name AS area_name, d.name AS department_name," if names else ""
    total_params: list = []
    if warning is None:
        # The page's ids first (the name index serves the order), then the figures of those
        # projects only: what a deep page can do at best. The page shows how many there are.
        if year is None:
            listed_for, total = "", "(SELECT COUNT(*) FROM projects_keyproject) AS total"
        else:
            # A project is listed at most once a year: its listings of the year count it.
            listed_for = (
                "WHERE EXISTS (SELECT 1 FROM projects_annuallisting y WHERE y.project_id = k.id AND y.year = %s)"
            )
            total, total_params = "(SELECT COUNT(*) FROM projects_annuallisting y WHERE y.year = %s) AS total", [year]
        page = f"WHERE p.id IN (SELECT k.id FROM projects_keyproject k {listed_for} ORDER BY k.name LIMIT %s OFFSET %s)"
        paging, tail, tail_params = [*([year] if year is not None else []), limit, offset], "ORDER BY f.name", []
    else:
        # The light decides which projects are on the page, and how many are of that light:
        # it is computed for every project, counted over the window before the page is cut.
        page, paging = "", []
        tail = f"WHERE ({case}) = %s ORDER BY f.name LIMIT %s OFFSET %s"
        tail_params = [*case_params, warning, limit, offset]
        total = "COUNT(*) OVER () AS total"
    sql = f"""
        SELECT f.*, {case} AS warning, {total}, {listed}
        FROM (SELECT p.*, {name_columns} {parts} FROM projects_keyproject p {joins} {page}) f
        {tail}"""
    arguments = [*case_params, *total_params, *part_params, *paging, *tail_params]
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
    names of its reference records (``names``: the joins and columns), for reserves the
    warning ratio of each year's plan, and how many records the list holds (the page shows
    it); of ``year`` only when given."""
    where = "WHERE {alias}.year = %s" if year is not None else ""
    sql = f"""
        SELECT t.*, {names}, (SELECT COUNT(*) FROM {table} c {where.format(alias="c")}) AS total
        FROM {table} t {JOINS[table]} {where.format(alias="t")}
        ORDER BY t.year DESC, t.name LIMIT %s OFFSET %s"""
    arguments = [*([year, year] if year is not None else []), limit, offset]
    return lambda: fetch(sql, arguments)


def monthly_entry_floor(month: datetime.date, *, offset: int, department: int | None = None) -> Callable[[], list]:
    """A page of the monthly entry: the listings of the month's year (of ``department`` when
    given) by project name then id, each with its project's name and department's name, its
    planned investment and the month's report (version, figure, note), and the selection's
    count and total planned investment (the page shows both)."""
    listing, project = AnnualListing._meta.db_table, KeyProject._meta.db_table
    report = ProgressReport._meta.db_table
    only = "AND {alias}.department_id = %s" if department is not None else ""
    sql = f"""
        SELECT p.id, p.name, d.name, l.planned_investment, r.version, r.completed_investment, r.note, s.n, s.total
        FROM {listing} l JOIN {project} p ON p.id = l.project_id
        LEFT JOIN projects_department d ON d.id = p.department_id
        LEFT JOIN {report} r ON r.project_id = l.project_id AND r.month = %s
        CROSS JOIN (
            SELECT COUNT(*) AS n, SUM(c.planned_investment) AS total
            FROM {listing} c JOIN {project} cp ON cp.id = c.project_id
            WHERE c.year = %s {only.format(alias="cp")}
        ) s
        WHERE l.year = %s {only.format(alias="p")}
        ORDER BY p.name, p.id LIMIT %s OFFSET %s"""
    chosen = [department] if department is not None else []
    arguments = [month, month.year, *chosen, month.year, *chosen, ADMIN_PAGE, offset]
    return lambda: fetch(sql, arguments)


def monthly_entry_pages(year: int) -> list[Page]:
    """The monthly entry of June of ``year``: its first page, a deep one, and the first page of
    the department with the most listings that year; each beside the same page of a year no
    project is listed for (the request, the session, the selects and the template)."""
    month = datetime.date(year, 6, 1)
    listed = AnnualListing.objects.filter(year=year)
    deep = max(1, min(DEEP, listed.count() // ADMIN_PAGE))
    department = (
        listed.values("project__department")
        .annotate(n=Count("pk"))
        .order_by("-n", "project__department")
        .values_list("project__department", flat=True)
        .first()
    )
    url = f"/admin/progress/monthly/?year={year}&month=6"
    base = f"/admin/progress/monthly/?year={YEARS[0] - 1}&month=6"
    return [
        Page("admin monthly entry, page 1", url, base, monthly_entry_floor(month, offset=0)),
        Page(
            f"admin monthly entry, page {deep}",
            f"{url}&page={deep}",
            base,
            monthly_entry_floor(month, offset=(deep - 1) * ADMIN_PAGE),
        ),
        Page(
            "admin monthly entry, one department",
            f"{url}&department={department}",
            f"{base}&department={department}",
            monthly_entry_floor(month, offset=0, department=department),
        ),
    ]


JOINS = {
    "projects_bondreserve": (
        "LEFT JOIN projects_sector s ON s.id = t.sector_id LEFT JOIN projects_area a ON a.id = t.area_id "
        "LEFT JOIN projects_department d ON d.id = t.department_id LEFT JOIN projects_yearplan y ON y.year = t.year"
    ),
    "investment_attractionproject": (
        "LEFT JOIN projects_industry i ON i.id = t.industry_id LEFT JOIN projects_area a ON a.id = t.area_id "
        "LEFT JOIN projects_department d ON d.id = t.department_id"
    ),
}
# A key project's parts as their API lists order them (``Meta.ordering``: by project, then the
# part's own date), each with its list's URL.
PARTS: dict[str, tuple[type[Model], str, str]] = {
    "annual listings": (AnnualListing, "t.year DESC, t.project_id", "/api/annual-listings/"),
    "milestones": (Milestone, "t.project_id, t.planned_on NULLS LAST, t.id", "/api/milestones/"),
    "progress reports": (ProgressReport, "t.project_id, t.month", "/api/progress-reports/"),
    "problems": (Problem, "t.project_id, t.raised_on, t.id", "/api/problems/"),
}


def part_floor(part: str, *, limit: int, offset: int, **where: int) -> Callable[[], list]:
    """A page of a key project's part (``PARTS``) in its list's order: every column (its API
    shows them all, the project and the department by id: no join), and how many records the
    list holds (the page shows it); only those of the ``where`` column values when given."""
    model, order, _url = PARTS[part]
    table = model._meta.db_table
    condition = ("WHERE " + " AND ".join(f"{{alias}}.{column} = %s" for column in where)) if where else ""
    values = list(where.values())
    sql = f"""
        SELECT t.*, (SELECT COUNT(*) FROM {table} c {condition.format(alias="c")}) AS total
        FROM {table} t {condition.format(alias="t")}
        ORDER BY {order} LIMIT %s OFFSET %s"""
    arguments = [*values, *values, limit, offset]
    return lambda: fetch(sql, arguments)


def part_pages() -> list[Page]:
    """Each part's API list: its first page, a deep one, one project's records (the project of
    the part's first record by project), and the listings of one year; each beside the same
    list of project 0, which is none."""
    listed = []
    for part, (model, _order, url) in PARTS.items():
        records = model._base_manager.order_by()
        deep = max(1, min(DEEP, records.count() // PAGE))
        project = records.order_by("project_id").values_list("project_id", flat=True).first() or 0
        base = f"{url}?project=0"
        listed += [
            Page(f"api {part}, page 1", url, base, part_floor(part, limit=PAGE, offset=0)),
            Page(
                f"api {part}, page {deep}",
                f"{url}?page={deep}",
                base,
                part_floor(part, limit=PAGE, offset=(deep - 1) * PAGE),
            ),
            Page(
                f"api {part}, one project",
                f"{url}?project={project}",
                base,
                part_floor(part, limit=PAGE, offset=0, project_id=project),
            ),
        ]
    year = YEARS[-1]
    listed.append(
        Page(
            f"api annual listings, {year}",
            f"/api/annual-listings/?year={year}",
            f"/api/annual-listings/?year={year}&project=0",
            part_floor("annual listings", limit=PAGE, offset=0, year=year),
        )
    )
    return listed


RESERVE_NAMES = "s.name AS sector_name, a.name AS area_name, d.name AS department_name, y.coverage_warning_ratio"
ATTRACTION_NAMES = "i.name AS industry_name, i.is_key, a.name AS area_name, d.name AS department_name"


def pages() -> list[Page]:
    """The pages timed: each a URL, its empty twin and its floor."""
    total = KeyProject.objects.count()
    deep = max(1, min(DEEP, total // PAGE))
    admin_deep = max(1, min(DEEP, total // ADMIN_PAGE))
    # The other two ledgers have as many records as the key projects, or ten times as many.
    reserves_deep = max(1, min(DEEP, BondReserve.objects.count() // PAGE))
    attraction_deep = max(1, min(DEEP, AttractionProject.objects.count() // PAGE))
    admin_attraction_deep = max(1, min(DEEP, AttractionProject.objects.count() // ADMIN_PAGE))
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
            f"api key projects, listed {year}",
            f"/api/key-projects/?as_of={as_of}&year={year}",
            f"/api/key-projects/?as_of={as_of}&year={year}&{nothing}",
            key_project_floor(as_of, limit=PAGE, offset=0, names=False, year=year),
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
            f"admin key projects, page {admin_deep}",
            f"/admin/projects/keyproject/?p={admin_deep}",
            "/admin/projects/keyproject/?department__id__exact=0",
            key_project_floor(today, limit=ADMIN_PAGE, offset=(admin_deep - 1) * ADMIN_PAGE, names=True),
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
            f"api bond reserves, page {reserves_deep}",
            f"/api/bond-reserves/?page={reserves_deep}",
            f"/api/bond-reserves/?{nothing}",
            ledger_floor(
                "projects_bondreserve", year=None, limit=PAGE, offset=(reserves_deep - 1) * PAGE, names=RESERVE_NAMES
            ),
        ),
        Page(
            f"api bond reserves, {year}",
            f"/api/bond-reserves/?year={year}",
            f"/api/bond-reserves/?year={year}&{nothing}",
            ledger_floor("projects_bondreserve", year=year, limit=PAGE, offset=0, names=RESERVE_NAMES),
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
            f"api attraction projects, page {attraction_deep}",
            f"/api/attraction-projects/?page={attraction_deep}",
            f"/api/attraction-projects/?{nothing}",
            ledger_floor(
                "investment_attractionproject",
                year=None,
                limit=PAGE,
                offset=(attraction_deep - 1) * PAGE,
                names=ATTRACTION_NAMES,
            ),
        ),
        Page(
            f"api attraction projects, {year}",
            f"/api/attraction-projects/?year={year}",
            f"/api/attraction-projects/?year={year}&{nothing}",
            ledger_floor("investment_attractionproject", year=year, limit=PAGE, offset=0, names=ATTRACTION_NAMES),
        ),
        Page(
            f"admin attraction projects, page {admin_attraction_deep}",
            f"/admin/investment/attractionproject/?p={admin_attraction_deep}",
            "/admin/investment/attractionproject/?department__id__exact=0",
            ledger_floor(
                "investment_attractionproject",
                year=None,
                limit=ADMIN_PAGE,
                offset=(admin_attraction_deep - 1) * ADMIN_PAGE,
                names=ATTRACTION_NAMES,
            ),
        ),
        Page(
            f"admin attraction projects, {year}",
            f"/admin/investment/attractionproject/?year={year}",
            f"/admin/investment/attractionproject/?year={year}&department__id__exact=0",
            ledger_floor("investment_attractionproject", year=year, limit=ADMIN_PAGE, offset=0, names=ATTRACTION_NAMES),
        ),
        *part_pages(),
        *monthly_entry_pages(year),
    ]
