"""The one synthetic-data builder of the benchmarks: ``Filler`` makes the same records for the
same seed and number, at any scale (a million attraction projects and a hundred thousand key
projects on PostgreSQL in a few minutes), written with ``bulk_create`` in batches.

What it makes, for ``rows`` attraction projects (``expected_counts``):

- reference data (industries, four of ten key; areas; departments; sectors) with ``BENCH-``
  codes, and a year plan for each of ``YEARS`` (the default targets; plans found are kept);
- ``rows // 10`` key projects, each listed for one to three years; with ``milestones`` their
  eight standard milestones dated from their own dates (``standard_milestones``, the demo
  data's rule), with ``monthly_progress`` a monthly progress report for every month of a listed
  year since the start, with ``problems`` none to three problems of each started project (some
  resolved, some overdue: ``fill_problems``);
- ``rows // 10`` special-bond reserves at every step from reserved to issued, some rejected;
- ``rows`` attraction projects;
- with ``chains``, that many industrial chains, each with links upstream to downstream, local
  enterprises and target enterprises at every step of the lead pipeline (``pipeline_steps``,
  the demo data's rule), a signed target for some of the attraction projects recorded on a link.

Every record is named (reference data coded) ``BENCH-…``: ``synthetic(model)`` finds them,
``real_records(model)`` the others, ``delete_synthetic()`` deletes them alone. Records are valid
under the models' rules but are written without ``full_clean`` and without history rows. The
parts beyond the quota report's ledgers draw from random generators of their own, so that
asking for them leaves the ledgers' records as they were.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.core.management.base import CommandParser
from django.db import connection, models, transaction
from django.db.models.functions import Left

from investment.choices import AttractionProjectInvestorOriginChoices, ChainLinkPositionChoices
from investment.models import (
    AttractionProject,
    ChainLink,
    IndustrialChain,
    LocalEnterprise,
    OrderReply,
    SupervisionOrder,
    TargetEnterprise,
)
from projects.choices import AnnualListingCategoryChoices, AreaKindChoices, KeyProjectNatureChoices
from projects.models import AnnualListing, BondReserve, KeyProject, Milestone, Problem, ProgressReport
from projects.models.reference import Area, Department, Industry, Sector, YearPlan

from .timing import Progress

PREFIX = "BENCH-"
YEARS = tuple(range(2019, 2025))
# Every date the fill makes lies within YEARS, so that none is in the future whenever it runs.
LAST_DAY = datetime.date(YEARS[-1], 12, 31)
BATCH = 5_000
CENT = Decimal("0.01")
# (code suffix, is_key): four key industries out of ten.
INDUSTRIES = [(f"IND-{n:02d}", n <= 4) for n in range(1, 11)]
AREAS = [f"AREA-{n:02d}" for n in range(1, 13)]
DEPARTMENTS = [f"DEPT-{n:02d}" for n in range(1, 16)]
SECTORS = [f"SEC-{n:02d}" for n in range(1, 7)]
# Links of a chain at each position, and the most local and target enterprises a link has.
LINKS_PER_POSITION = 4
LOCAL_ENTERPRISES_PER_LINK = 4
TARGETS_PER_LINK = 8
# The share of attraction projects recorded on a link when there are chains, and of those the
# share signed through a target enterprise of the link.
ON_A_LINK = 0.3
SIGNED_THROUGH_A_TARGET = 0.3

# The ledgers whose records tell a real database from a benchmark's.
LEDGERS = (KeyProject, BondReserve, AttractionProject)

# How much a benchmark makes and from which seed, unless told otherwise.
ROWS = 10_000
SEED = 2023


def add_fill_arguments(parser: CommandParser, rows: str) -> None:
    """The options of every benchmark command that says how much synthetic data to make:
    ``--rows`` (``rows`` says of what) and ``--seed`` (the same seed makes the same records)."""
    parser.add_argument("--rows", type=int, default=ROWS, help=f"{rows} (default {ROWS}).")
    parser.add_argument("--seed", type=int, default=SEED, help=f"Seed of the synthetic data (default {SEED}).")


def prefixed(model: type[models.Model], field: str = "name") -> models.QuerySet:
    """The records of ``model`` with ``bench_prefix``, the start of their ``field``: compared
    with ``=``, which is case-sensitive on SQLite too (``startswith`` there is LIKE, which is
    not)."""
    return model._default_manager.alias(bench_prefix=Left(field, len(PREFIX)))


def synthetic(model: type[models.Model], field: str = "name") -> models.QuerySet:
    return prefixed(model, field).filter(bench_prefix=PREFIX)


def real_records(model: type[models.Model], field: str = "name") -> models.QuerySet:
    return prefixed(model, field).exclude(bench_prefix=PREFIX)


def expected_counts(rows: int) -> dict[type[models.Model], int]:
    tenth = max(1, rows // 10)
    return {AttractionProject: rows, KeyProject: tenth, BondReserve: tenth}


def delete_synthetic() -> int:
    """Delete every BENCH- record (what hangs on them with them: listings, milestones, progress
    reports, chain links and enterprises) in plain SQL: an ORM delete would load each record and
    write a history row for it. Links from other records to them are cleared first, as the
    models' SET_NULL would. Reference data and year plans stay. Returns the number of records
    of the ledgers and chains deleted."""
    real_attraction = real_records(AttractionProject).values("pk")
    AttractionProject.objects.filter(pk__in=real_attraction, key_project__in=synthetic(KeyProject).values("pk")).update(
        key_project=None
    )
    AttractionProject.objects.filter(
        pk__in=real_attraction, link__chain__in=synthetic(IndustrialChain).values("pk")
    ).update(link=None)
    for model in (KeyProject, AttractionProject):
        model._default_manager.filter(
            pk__in=real_records(model).values("pk"), predecessor__in=synthetic(model).values("pk")
        ).update(predecessor=None)
    table = {
        model: connection.ops.quote_name(model._meta.db_table)
        for model in (*LEDGERS, AnnualListing, Milestone, ProgressReport, Problem)
        + (IndustrialChain, ChainLink, TargetEnterprise, LocalEnterprise, SupervisionOrder, OrderReply)
    }
    chain_industries = connection.ops.quote_name(IndustrialChain.industries.through._meta.db_table)

    def starts_bench(column: str = "name") -> str:
        return f"SUBSTR({column}, 1, {len(PREFIX)}) = %s"

    deleted = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for part in (AnnualListing, Milestone, ProgressReport, Problem):
            cursor.execute(
                f"DELETE FROM {table[part]} WHERE project_id IN "
                f"(SELECT id FROM {table[KeyProject]} WHERE {starts_bench()})",
                [PREFIX],
            )
        for enterprises in (TargetEnterprise, LocalEnterprise):
            cursor.execute(f"DELETE FROM {table[enterprises]} WHERE {starts_bench('company')}", [PREFIX])
            deleted += cursor.rowcount
        # Supervision orders on synthetic key projects (bench_reminders'), with their replies:
        # an order protects its project.
        orders = (
            f"SELECT id FROM {table[SupervisionOrder]} WHERE key_project_id IN "
            f"(SELECT id FROM {table[KeyProject]} WHERE {starts_bench()})"
        )
        cursor.execute(f"DELETE FROM {table[OrderReply]} WHERE order_id IN ({orders})", [PREFIX])
        cursor.execute(f"DELETE FROM {table[SupervisionOrder]} WHERE id IN ({orders})", [PREFIX])
        for ledger in (AttractionProject, BondReserve, KeyProject):
            cursor.execute(f"DELETE FROM {table[ledger]} WHERE {starts_bench()}", [PREFIX])
            deleted += cursor.rowcount
        chains = f"SELECT id FROM {table[IndustrialChain]} WHERE {starts_bench()}"
        cursor.execute(f"DELETE FROM {chain_industries} WHERE industrialchain_id IN ({chains})", [PREFIX])
        cursor.execute(f"DELETE FROM {table[ChainLink]} WHERE chain_id IN ({chains})", [PREFIX])
        cursor.execute(f"DELETE FROM {table[IndustrialChain]} WHERE {starts_bench()}", [PREFIX])
        deleted += cursor.rowcount
    return deleted


def batches(total: int, size: int = BATCH) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(start + size, total))


def amount(quarters: int) -> Decimal:
    return (Decimal(quarters) / 4).quantize(CENT)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# --- the shapes the demo data (fixtures/build_demo.py) shares ---------------------------------


def standard_milestones(
    started_on: datetime.date | None,
    planned_completion_on: datetime.date | None,
    completed_on: datetime.date | None,
    year: int,
    as_of: datetime.date,
) -> list[tuple[str, datetime.date | None, datetime.date | None]]:
    """(kind, planned, done) of a key project's eight standard milestones, from its dates: the
    steps before construction before its start, the main structure 40 % of the way to its
    planned completion, completion and production when it completed. A step not due by
    ``as_of`` is left without a done date; completion and production are dated only once done,
    so that an on-time project is never late by accident. A project not started does its
    preliminary work through ``year``, on time, and has no start yet."""
    start, finish, done = started_on, planned_completion_on, completed_on
    rows: list[tuple[str, datetime.date | None, datetime.date | None]] = []
    if start is not None:
        before = [("approval", 150), ("land", 110), ("environmental_assessment", 80), ("construction_permit", 25)]
        rows += [(kind, start - days(n), start - days(n)) for kind, n in before]
        rows.append(("start", start, start))
        structure = start + days((finish - start).days * 2 // 5) if finish else None
        rows.append(("main_structure", structure, structure if structure is not None and structure <= as_of else None))
        rows.append(("completion", done, done))
        production = done + days(30) if done else None
        rows.append(("production", production, production if production is not None and production <= as_of else None))
    else:
        steps = [("approval", 3), ("land", 6), ("environmental_assessment", 9)]
        rows += [(kind, datetime.date(year, month, 20), datetime.date(year, month, 20)) for kind, month in steps]
        rows += [(kind, None, None) for kind in ("construction_permit", "start", "main_structure")]
        rows += [("completion", None, None), ("production", None, None)]
    return rows


# A pursued target enterprise's steps, in days after its first contact, by the stage it reached.
PURSUED_STEPS = {"contacted": (), "visited": (24,), "negotiating": (24, 51)}
# A signed target's steps, in days before its signing.
SIGNED_STEPS = {"contacted_on": 75, "visited_on": 50, "negotiating_on": 25}


def pipeline_steps(stage: str, day: datetime.date) -> dict[str, datetime.date]:
    """The dated steps (``TargetEnterprise.STEPS.fields``) of a target enterprise that reached
    ``stage``: ``day`` is its signing day when ``signed``, else its first contact."""
    if stage == "signed":
        return {"signed_on": day, **{field: day - days(n) for field, n in SIGNED_STEPS.items()}}
    offsets = PURSUED_STEPS[stage]
    steps = {"contacted_on": day}
    for field, offset in zip(("visited_on", "negotiating_on"), offsets, strict=False):
        steps[field] = day + days(offset)
    return steps


# --- the builder ------------------------------------------------------------------------------


class Filler:
    """Makes the synthetic records, the same ones for the same seed and number.

    Records of each ledger are spread evenly over YEARS in year order, as a ledger kept year
    after year grows. Amounts are whole quarters of a 万元 (.00, .25, .50, .75): SQLite sums
    decimals as binary floats, and quarters add up exactly, so that a benchmark's two sides can
    be compared to the cent. Dates keep the models' order and never pass LAST_DAY.
    """

    def __init__(
        self,
        rng: random.Random,
        rows: int,
        progress: Callable[[str, int], Progress],
        *,
        milestones: bool = False,
        monthly_progress: bool = False,
        problems: bool = False,
        chains: int = 0,
    ):
        self.rng, self.rows, self.progress = rng, rows, progress
        counts = expected_counts(rows)
        self.key_projects, self.reserves = counts[KeyProject], counts[BondReserve]
        self.milestones, self.monthly_progress, self.chains = milestones, monthly_progress, chains
        self.problems = problems
        # The parts beyond the quota report's ledgers draw from generators of their own, seeded
        # from ``rng`` without drawing from it.
        state = repr(rng.getstate())
        self.progress_rng, self.chain_rng = random.Random(f"{state}-progress"), random.Random(f"{state}-chains")
        self.problem_rng = random.Random(f"{state}-problems")
        self.links: list[int] = []

    def fill(self) -> None:
        self.reference_data()
        for year in YEARS:
            YearPlan.objects.get_or_create(year=year)
        self.fill_key_projects()
        self.fill_reserves()
        self.fill_chains()
        self.fill_attraction()

    def reference_data(self) -> None:
        def ensure(model, code: str, **fields) -> int:
            obj, _created = model.objects.get_or_create(code=PREFIX + code, defaults={"name": PREFIX + code, **fields})
            return obj.pk

        kinds = AreaKindChoices.values
        self.key_industries = [ensure(Industry, code, is_key=True) for code, is_key in INDUSTRIES if is_key]
        self.other_industries = [ensure(Industry, code, is_key=False) for code, is_key in INDUSTRIES if not is_key]
        self.areas = [ensure(Area, code, kind=kinds[n % len(kinds)]) for n, code in enumerate(AREAS)]
        self.departments = [ensure(Department, code) for code in DEPARTMENTS]
        self.sectors = [ensure(Sector, code) for code in SECTORS]

    # --- helpers ------------------------------------------------------------------------------

    def quarters(self, low: int, high: int) -> int:
        """A random amount between ``low`` and ``high`` 万元, in quarters."""
        return self.rng.randint(low * 4, high * 4)

    def part(self, quarters: int, low: float, high: float) -> int:
        """A random share of ``quarters``, between ``low`` and ``high`` (at most 1), in quarters."""
        return int(quarters * self.rng.uniform(low, high))

    def day_in(self, year: int) -> datetime.date:
        start = datetime.date(year, 1, 1)
        return start + datetime.timedelta(days=self.rng.randrange((datetime.date(year + 1, 1, 1) - start).days))

    def later(self, day: datetime.date | None, low: int, high: int, chance: float = 1.0) -> datetime.date | None:
        """With probability ``chance``, ``low`` to ``high`` days after ``day``; None when there is
        no ``day``, by chance, or when that would pass LAST_DAY."""
        if day is None or self.rng.random() >= chance:
            return None
        result = day + datetime.timedelta(days=self.rng.randint(low, high))
        return result if result <= LAST_DAY else None

    def year_of(self, index: int, total: int) -> int:
        return YEARS[index * len(YEARS) // total]

    def save(self, model: type[models.Model], objects: list) -> None:
        with transaction.atomic():
            model._default_manager.bulk_create(objects, batch_size=1_000)

    # --- the ledgers --------------------------------------------------------------------------

    def fill_key_projects(self) -> None:
        rng = self.rng
        categories = AnnualListingCategoryChoices
        bar = self.progress("key projects", self.key_projects)
        for chunk in batches(self.key_projects):
            projects, years = [], []
            for i in chunk:
                first = self.year_of(i, self.key_projects)
                last = min(first + rng.randint(0, 2), YEARS[-1])
                total = self.quarters(5_000, 500_000)
                started = self.day_in(first) if rng.random() < 0.7 else None
                projects.append(
                    KeyProject(
                        name=f"{PREFIX}K-{i:07d}",
                        owner=f"{PREFIX}owner {i % 5_000}",
                        industry_id=rng.choice(self.key_industries + self.other_industries),
                        area_id=rng.choice(self.areas),
                        department_id=rng.choice(self.departments),
                        nature=rng.choice(KeyProjectNatureChoices.values),
                        total_investment=amount(total),
                        started_on=started,
                        planned_completion_on=started and started + datetime.timedelta(days=rng.randint(365, 1_200)),
                        completed_on=self.later(started, 200, 900, chance=0.3),
                    )
                )
                years.append((first, last, total))
            self.save(KeyProject, projects)
            listings = []
            for project, (first, last, total) in zip(projects, years, strict=True):
                for year in range(first, last + 1):
                    if year == first:
                        category = categories.NEW_START if project.started_on else categories.PRELIMINARY
                    else:
                        category = categories.COMPLETION if year == last else categories.CONTINUING
                    # Most listings come with the list of the year's first quarter; some are added later.
                    if rng.random() < 0.8:
                        listed_on = datetime.date(year, 1, 15) + datetime.timedelta(days=rng.randint(0, 75))
                    else:
                        listed_on = datetime.date(year, 4, 1) + datetime.timedelta(days=rng.randint(0, 240))
                    listings.append(
                        AnnualListing(
                            project_id=project.pk,
                            year=year,
                            category=category,
                            planned_investment=amount(self.part(total, 0.1, 0.5)),
                            listed_on=listed_on,
                        )
                    )
            self.save(AnnualListing, listings)
            if self.milestones:
                self.fill_milestones(projects, [first for first, _last, _total in years])
            if self.monthly_progress:
                self.fill_monthly_progress(projects, listings)
            if self.problems:
                self.fill_problems(projects)
            bar.advance(len(chunk))
        bar.close()

    def fill_milestones(self, projects: list[KeyProject], first_years: list[int]) -> None:
        """The eight standard milestones of each of ``projects``, dated from its own dates."""
        milestones = [
            Milestone(
                project_id=project.pk,
                kind=kind,
                planned_on=planned,
                done_on=done,
                department_id=project.department_id,
            )
            for project, first in zip(projects, first_years, strict=True)
            for kind, planned, done in standard_milestones(
                project.started_on, project.planned_completion_on, project.completed_on, first, LAST_DAY
            )
        ]
        self.save(Milestone, milestones)

    def fill_monthly_progress(self, projects: list[KeyProject], listings: list[AnnualListing]) -> None:
        """A report for each month of a listed year from the project's start to its completion
        (or LAST_DAY), each a twelfth of the year's planned investment at the project's pace."""
        by_pk = {project.pk: project for project in projects}
        reports = []
        for listing in listings:
            project = by_pk[listing.project_id]
            if project.started_on is None or project.started_on.year > listing.year:
                continue
            pace = self.progress_rng.uniform(0.3, 1.1)
            monthly = amount(int(listing.planned_investment * 4 * Decimal(pace) / 12))
            first = project.started_on.month if project.started_on.year == listing.year else 1
            end = min(project.completed_on or LAST_DAY, LAST_DAY)
            for month in range(first, 13):
                day = datetime.date(listing.year, month, 1)
                if day > end:
                    break
                # Approved on the row, as the migration approves a database's reports (no trail:
                # the pages timed read the row's approval, "known now").
                approved = datetime.datetime.combine(
                    min(day + datetime.timedelta(days=33), LAST_DAY), datetime.time(10), datetime.UTC
                )
                reports.append(
                    ProgressReport(
                        project_id=project.pk,
                        month=day,
                        completed_investment=monthly,
                        submitted_at=approved,
                        approved_at=approved,
                        approved_investment=monthly,
                    )
                )
        self.save(ProgressReport, reports)

    def fill_problems(self, projects: list[KeyProject]) -> None:
        """None to three problems of each started project of ``projects`` (which need only their
        pk, department and dates), raised between its start and LAST_DAY, most due one to four
        months later, more than half resolved by then: some projects have problems open on a
        given day and some of those are overdue, as the lights and the lists count them."""
        rng = self.problem_rng
        problems = []
        for project in projects:
            if project.started_on is None:
                continue
            span = (LAST_DAY - project.started_on).days
            for n in range(rng.choice((0, 0, 1, 1, 2, 3))):
                raised = project.started_on + days(rng.randint(0, span))
                due = raised + days(rng.randint(30, 120)) if rng.random() < 0.9 else None
                # Not ``later``: it draws from the ledgers' generator.
                resolved = raised + days(rng.randint(10, 200)) if rng.random() < 0.6 else None
                resolved = resolved if resolved is not None and resolved <= LAST_DAY else None
                problems.append(
                    Problem(
                        project_id=project.pk,
                        description=f"{PREFIX}problem {n + 1} of {project.name}",
                        raised_on=raised,
                        department_id=project.department_id,
                        due_on=due,
                        resolved_on=resolved,
                        resolution="resolved" if resolved else "",
                    )
                )
        self.save(Problem, problems)

    def fill_reserves(self) -> None:
        rng = self.rng
        bar = self.progress("bond reserves", self.reserves)
        for chunk in batches(self.reserves):
            reserves = []
            for i in chunk:
                total = self.quarters(2_000, 300_000)
                demand = self.part(total, 0.3, 0.9)
                principal_and_interest = self.part(demand, 1.1, 1.6)
                reserved = self.day_in(self.year_of(i, self.reserves))
                submitted = self.later(reserved, 10, 120, chance=0.7)
                approved = self.later(submitted, 10, 90, chance=0.6)
                issued = self.later(approved, 10, 60, chance=0.6)
                rejected = None if approved else self.later(submitted, 5, 90, chance=0.25)  # refused once submitted
                reserves.append(
                    BondReserve(
                        year=reserved.year,
                        name=f"{PREFIX}B-{i:07d}",
                        department_id=rng.choice(self.departments),
                        owner=f"{PREFIX}owner {i % 5_000}",
                        area_id=rng.choice(self.areas),
                        sector_id=rng.choice(self.sectors),
                        total_investment=amount(total),
                        bond_demand=amount(demand),
                        capital_portion=amount(self.part(demand, 0, 0.25) if rng.random() < 0.3 else 0),
                        # Coverage between 1.0 and 2.5: never below the default refusal ratio.
                        expected_income=amount(principal_and_interest + self.part(principal_and_interest, 0, 1.5)),
                        principal_and_interest=amount(principal_and_interest),
                        reserved_on=reserved,
                        submitted_on=submitted,
                        approved_on=approved,
                        issued_on=issued,
                        issued_amount=amount(self.part(demand, 0.5, 1)) if issued else None,
                        rejected_on=rejected,
                    )
                )
            self.save(BondReserve, reserves)
            bar.advance(len(chunk))
        bar.close()

    def fill_chains(self) -> None:
        """``chains`` industrial chains, each of a key industry, with LINKS_PER_POSITION links at
        each position, local enterprises on some links and pursued target enterprises on most
        (the signed ones come with the attraction projects, ``fill_attraction``)."""
        if not self.chains:
            return
        rng = self.chain_rng
        chains = [
            IndustrialChain(
                name=f"{PREFIX}chain {n:04d}",
                lead_leader=f"{PREFIX}leader {n % 7}",
                chain_master=f"{PREFIX}master {n}",
            )
            for n in range(self.chains)
        ]
        self.save(IndustrialChain, chains)
        through = IndustrialChain.industries.through
        self.save(
            through,
            [through(industrialchain_id=chain.pk, industry_id=rng.choice(self.key_industries)) for chain in chains],
        )
        links = [
            ChainLink(chain_id=chain.pk, position=position, order=order, name=f"{PREFIX}{position} {order}")
            for chain in chains
            for position in ChainLinkPositionChoices.values
            for order in range(1, LINKS_PER_POSITION + 1)
        ]
        self.save(ChainLink, links)
        self.links = [link.pk for link in links]
        local, targets = [], []
        for link in links:
            for n in range(rng.randint(0, LOCAL_ENTERPRISES_PER_LINK) if rng.random() < 0.5 else 0):
                local.append(
                    LocalEnterprise(
                        company=f"{PREFIX}local {link.pk}-{n}",
                        link_id=link.pk,
                        annual_output=amount(self.chain_quarters(1_000, 200_000)),
                        employees=rng.randint(10, 2_000),
                    )
                )
            for n in range(rng.randint(0, TARGETS_PER_LINK)):
                stage = rng.choice(["identified", *PURSUED_STEPS])
                target = TargetEnterprise(company=f"{PREFIX}target {link.pk}-{n}", link_id=link.pk)
                if stage != "identified":
                    # Contacted by late July: every later step and contact stays within the year.
                    contacted = datetime.date(rng.choice(YEARS), 1, 1) + days(rng.randint(0, 200))
                    for field, day in pipeline_steps(stage, contacted).items():
                        setattr(target, field, day)
                    target.last_contact_on = contacted + days(rng.randint(60, 100))
                targets.append(target)
        self.save(LocalEnterprise, local)
        self.save(TargetEnterprise, targets)

    def chain_quarters(self, low: int, high: int) -> int:
        return self.chain_rng.randint(low * 4, high * 4)

    def fill_attraction(self) -> None:
        rng = self.rng
        origins = AttractionProjectInvestorOriginChoices.values
        bar = self.progress("attraction projects", self.rows)
        for chunk in batches(self.rows):
            projects = []
            for i in chunk:
                year = self.year_of(i, self.rows)
                contract = self.quarters(10_000, 200_000) if rng.random() < 0.75 else self.quarters(500, 9_999)
                signed = self.day_in(year) if rng.random() < 0.85 else None
                started = self.later(signed, 0, 180, chance=0.75)
                industries = self.key_industries if rng.random() < 0.75 else self.other_industries
                projects.append(
                    AttractionProject(
                        year=year,
                        name=f"{PREFIX}A-{i:07d}",
                        investor=f"{PREFIX}investor {i % 5_000}",
                        investor_origin=rng.choice(origins),
                        industry_id=rng.choice(industries),
                        area_id=rng.choice(self.areas) if rng.random() < 0.9 else None,
                        department_id=rng.choice(self.departments) if rng.random() < 0.9 else None,
                        contract_amount=amount(contract),
                        fixed_asset_investment=amount(self.part(contract, 0.6, 1)),
                        funds_in_place=amount(self.part(contract, 0, 1)),
                        signed_on=signed,
                        started_on=started,
                        in_production_on=self.later(started, 30, 400, chance=0.5),
                    )
                )
            if self.links:
                for project in projects:
                    if self.chain_rng.random() < ON_A_LINK:
                        project.link_id = self.chain_rng.choice(self.links)
            self.save(AttractionProject, projects)
            self.fill_signed_targets(projects)
            bar.advance(len(chunk))
        bar.close()

    def fill_signed_targets(self, projects: list[AttractionProject]) -> None:
        """A signed target enterprise, its investor, for some of the signed ``projects`` on a link."""
        targets = []
        for project in projects:
            if project.link_id is None or project.signed_on is None:
                continue
            if self.chain_rng.random() < SIGNED_THROUGH_A_TARGET:
                target = TargetEnterprise(
                    company=f"{PREFIX}signed {project.pk}",
                    link_id=project.link_id,
                    attraction_project_id=project.pk,
                    last_contact_on=project.signed_on,
                    **pipeline_steps("signed", project.signed_on),
                )
                targets.append(target)
        self.save(TargetEnterprise, targets)
